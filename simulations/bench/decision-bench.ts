/**
 * `npm run bench:decision`: throughput and latency of POST /v1/applications (the whole pipeline, every decision
 * durable in the audit log before its answer) against a bare express route that only parses and echoes the same JSON
 * (the reference), at the same concurrency, in the same run; and, for transparency, against a bare node:http
 * echo (the decision route itself runs on node:http, see decision/http/application-lane.ts). Each server runs in its
 * own process; autocannon drives them from here, alternating between them round by round.
 * Flags: --connections 50 --seconds 8 --rounds 5 --applicants 2000 --durability full|normal (full: every commit fsynced).
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
  options: { connections: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, applicants: { type: 'string' }, durability: { type: 'string' } },
});
const connections = Number(values.connections ?? 50);
const seconds = Number(values.seconds ?? 8);
const rounds = Math.max(1, Math.trunc(Number(values.rounds ?? 5)));
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

async function load(url: string, pid: number | undefined, headers: Record<string, string>, bodies: string[], duration: number): Promise<Run> {
  let i = 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}/v1/applications`,
    connections,
    duration,
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

// Both servers run for the whole bench (an idle one costs nothing); the load alternates between them, so a change in
// the shared machine's speed hits both sides of each ratio alike. The median of the rounds is the figure.
const bare = await startServer(['--import', 'tsx', new URL('./bare-echo-server.ts', import.meta.url).pathname], /listening on (\S+)/);
const bareNode = await startServer(['--import', 'tsx', new URL('./bare-node-echo-server.ts', import.meta.url).pathname], /listening on (\S+)/);
const decision = await startServer(
  [FEDRISK_BIN, 'decision', 'serve', '--db', join(dir, 'decision.sqlite'), '--port', '0', '--bootstrap', '--key-file', keyFile, '--log-level', 'warn', '--durability', durability],
  /listening on (\S+)/,
);
const auth = { authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` };
// Warm-up (JIT, caches) of both on the real route, not measured.
await load(bare.url, undefined, {}, bodies, 2);
await load(bareNode.url, undefined, {}, bodies, 2);
await load(decision.url, undefined, auth, bodies, 2);

const fmt = (r: Run): string =>
  `${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ` +
  `server CPU ${r.cpuPerRequestUs === null ? '   n/a' : r.cpuPerRequestUs.toFixed(0).padStart(6)} us/req ` +
  `(main thread ${r.mainCpuPerRequestUs === null ? 'n/a' : r.mainCpuPerRequestUs.toFixed(0)})   non-2xx ${r.non2xx}   errors ${r.errors}`;
console.log(
  `decision bench: ${connections} connections, ${rounds} rounds of ${seconds} s on each server (alternating), ${applicants} distinct applicants ` +
    `(POST /v1/applications), durability ${durability}`,
);
const ratios: number[] = [];
const nodeRatios: number[] = [];
const cpuRatios: number[] = [];
const p99s: number[] = [];
const rates: number[] = [];
for (let r = 1; r <= rounds; r++) {
  const bareRun = await load(bare.url, bare.pid, {}, bodies, seconds);
  const nodeRun = await load(bareNode.url, bareNode.pid, {}, bodies, seconds);
  const decRun = await load(decision.url, decision.pid, auth, bodies, seconds);
  ratios.push(decRun.rps / bareRun.rps);
  nodeRatios.push(decRun.rps / nodeRun.rps);
  p99s.push(decRun.p99);
  rates.push(decRun.rps);
  if (decRun.cpuPerRequestUs !== null && bareRun.cpuPerRequestUs !== null) cpuRatios.push(decRun.cpuPerRequestUs / bareRun.cpuPerRequestUs);
  console.log(`round ${r}`);
  console.log(`  bare express echo   ${fmt(bareRun)}`);
  console.log(`  bare node:http echo ${fmt(nodeRun)}`);
  console.log(`  decision pipeline   ${fmt(decRun)}   ratio ${(decRun.rps / bareRun.rps).toFixed(2)}x express, ${(decRun.rps / nodeRun.rps).toFixed(2)}x node:http`);
}
// autocannon stops at its deadline with requests still in flight: let them finish before stopping the servers.
await new Promise((r) => setTimeout(r, 1000));
bare.stop();
bareNode.stop();
decision.stop();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`median decision throughput ${median(rates).toFixed(0)} decisions/s`);
console.log(`median ratio decision/bare express ${median(ratios).toFixed(2)}x throughput (target >= 0.6; rounds ${ratios.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`median ratio decision/bare node:http ${median(nodeRatios).toFixed(2)}x throughput (no target; rounds ${nodeRatios.map((x) => x.toFixed(2)).join(', ')})`);
console.log(`median decision p99 ${median(p99s)} ms (target <= 25)`);
if (cpuRatios.length > 0) console.log(`median server CPU per request, decision/bare: ${median(cpuRatios).toFixed(2)}x`);
