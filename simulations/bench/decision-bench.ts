/**
 * `npm run bench:decision`: throughput and latency of POST /v1/applications (the whole pipeline, every decision
 * durable in the audit log before its answer) against a bare express route that only parses and echoes the same JSON,
 * at the same concurrency, in the same run. Each server runs in its own process; autocannon drives them from here.
 * Flags: --connections 50 --seconds 10 --applicants 2000 --durability full|normal (full: every commit fsynced).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { FEDRISK_BIN } from '../child-process-group.js';
import { syntheticApplications } from './synthetic-applications.js';

const { values } = parseArgs({
  options: { connections: { type: 'string' }, seconds: { type: 'string' }, applicants: { type: 'string' }, durability: { type: 'string' } },
});
const connections = Number(values.connections ?? 50);
const seconds = Number(values.seconds ?? 10);
const applicants = Number(values.applicants ?? 2000);
const durability = values.durability === 'normal' ? 'normal' : 'full';

/**
 * CPU seconds (user + system) a process has used so far, in all its threads and in its main (JavaScript) thread, from
 * /proc (Linux); null elsewhere. The split shows what runs on the event loop (the throughput limit) and what runs
 * beside it (SQLite on libuv's pool, V8's garbage-collection and compiler threads).
 */
function cpuSeconds(pid: number | undefined): { all: number; main: number } | null {
  if (pid === undefined) return null;
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; clock ticks of 1/100 s.
  const ticks = (path: string): number => {
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  try {
    return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return null;
  }
}

function startServer(args: string[], ready: RegExp): Promise<{ url: string; pid: number | undefined; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = ready.exec(buf);
      if (m) resolve({ url: m[1]!, pid: child.pid, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${buf}`)));
  });
}

interface Run {
  rps: number;
  /** Server CPU (all its threads) per request, microseconds; null where /proc is absent. */
  cpuPerRequestUs: number | null;
  /** The part of it on the main (event-loop) thread. */
  mainCpuPerRequestUs: number | null;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, pid: number | undefined, headers: Record<string, string>, bodies: string[]): Promise<Run> {
  let i = 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}/v1/applications`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }) }],
  });
  const cpuAfter = cpuSeconds(pid);
  const per = (pick: (c: { all: number; main: number }) => number): number | null =>
    cpuBefore === null || cpuAfter === null || result.requests.total === 0 ? null : ((pick(cpuAfter) - pick(cpuBefore)) * 1e6) / result.requests.total;
  return { rps: result.requests.average, cpuPerRequestUs: per((c) => c.all), mainCpuPerRequestUs: per((c) => c.main), p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const dir = mkdtempSync(join(tmpdir(), 'fedrisk-decision-bench-'));
const keyFile = join(dir, 'admin.key');
const bodies = syntheticApplications(applicants, 42).map((b) => JSON.stringify(b));

const bare = await startServer(['--import', 'tsx', new URL('./bare-echo-server.ts', import.meta.url).pathname], /listening on (\S+)/);
const bareRun = await load(bare.url, bare.pid, {}, bodies);
bare.stop();

const decision = await startServer(
  [FEDRISK_BIN, 'decision', 'serve', '--db', join(dir, 'decision.sqlite'), '--port', '0', '--bootstrap', '--key-file', keyFile, '--log-level', 'warn', '--durability', durability],
  /listening on (\S+)/,
);
const key = readFileSync(keyFile, 'utf8').trim();
// Warm-up (JIT, caches), then the measured run.
await autocannon({ url: `${decision.url}/healthz`, connections: 4, amount: 200 });
const decRun = await load(decision.url, decision.pid, { authorization: `Bearer ${key}` }, bodies);
decision.stop();

const fmt = (r: Run): string =>
  `${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ` +
  `server CPU ${r.cpuPerRequestUs === null ? '   n/a' : r.cpuPerRequestUs.toFixed(0).padStart(6)} us/req ` +
  `(main thread ${r.mainCpuPerRequestUs === null ? 'n/a' : r.mainCpuPerRequestUs.toFixed(0)})   non-2xx ${r.non2xx}   errors ${r.errors}`;
console.log(`decision bench: ${connections} connections, ${seconds} s each, ${applicants} distinct applicants (POST /v1/applications), durability ${durability}`);
console.log(`  bare express echo   ${fmt(bareRun)}`);
console.log(`  decision pipeline   ${fmt(decRun)}`);
console.log(`  ratio decision/bare ${(decRun.rps / bareRun.rps).toFixed(2)}x throughput (target >= 0.6); p99 ${decRun.p99} ms (target <= 25)`);
if (decRun.cpuPerRequestUs !== null && bareRun.cpuPerRequestUs !== null) {
  console.log(`  server CPU per request: decision ${decRun.cpuPerRequestUs.toFixed(0)} us vs bare ${bareRun.cpuPerRequestUs.toFixed(0)} us (${(decRun.cpuPerRequestUs / bareRun.cpuPerRequestUs).toFixed(2)}x)`);
}
