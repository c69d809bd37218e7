/**
 * Runs the consortium's parts as real OS processes (`fedrisk coordinator serve`, `fedrisk node run`), each with its
 * log in a file, and makes sure none outlives the simulation, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FedriskError } from '../common/errors.js';

/** The `fedrisk` binary of this checkout. */
export const FEDRISK_BIN = fileURLToPath(new URL('../bin/fedrisk.js', import.meta.url));

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<number>;
}

export class ChildProcessGroup {
  private readonly procs: ManagedProcess[] = [];

  /** Starts `fedrisk <args>`; stdout and stderr go to `logPath`. */
  start(name: string, args: string[], logPath: string): ManagedProcess {
    const child = spawn(process.execPath, [FEDRISK_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const log = createWriteStream(logPath);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const exited = new Promise<number>((resolve) => {
      child.on('exit', (code, signal) => {
        setTimeout(() => log.end(), 50);
        resolve(code ?? (signal ? 128 : 1));
      });
      child.on('error', () => resolve(127));
    });
    const p = { name, child, logPath, exited };
    this.procs.push(p);
    return p;
  }

  /** Resolves with the first stdout line matching `re` (e.g. the coordinator's listening address). */
  waitForLine(p: ManagedProcess, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new FedriskError('DEADLINE_EXCEEDED', `${p.name} did not print ${re} within ${timeoutMs} ms\n${tail(p.logPath)}`)), timeoutMs);
      const onData = (d: Buffer): void => {
        buf += d.toString('utf8');
        const m = buf.match(re);
        if (m) {
          clearTimeout(timer);
          p.child.stdout!.off('data', onData);
          resolve(m);
        }
      };
      p.child.stdout!.on('data', onData);
      void p.exited.then((code) => {
        clearTimeout(timer);
        reject(new FedriskError('UNAVAILABLE', `${p.name} exited with ${code} before it was ready\n${tail(p.logPath)}`));
      });
    });
  }

  /** SIGTERM everything still running, then SIGKILL what does not stop within `graceMs`. */
  async stopAll(graceMs = 3000): Promise<void> {
    const live = this.procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of live) p.child.kill('SIGTERM');
    await Promise.race([Promise.all(live.map((p) => p.exited)), new Promise((r) => setTimeout(r, graceMs))]);
    for (const p of live) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(live.map((p) => p.exited));
  }
}

/** The last lines of a log file, for error messages. */
export function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `  | ${l}`).join('\n');
  } catch {
    return '  | (no log)';
  }
}
