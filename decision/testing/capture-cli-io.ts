import type { CliIo } from '../cli.js';

/** A CliIo that keeps what a command prints, for tests that run the CLI in process (optionally stoppable by `signal`). */
export function captureCliIo(signal?: AbortSignal): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    ...(signal ? { signal } : {}),
    out: () => out,
    err: () => err,
  };
}
