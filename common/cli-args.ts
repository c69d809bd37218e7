/**
 * Flag parsing shared by every `fedrisk` subcommand group: node's parseArgs in strict mode plus typed readers, so an
 * unknown flag or a malformed value is a usage error (exit 2) naming the flag, never a silently ignored option.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';

/** A wrong invocation (exit 2), as opposed to a failure while doing the work (exit 1). */
export class UsageError extends Error {}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;
export type FlagValues = Record<string, string | boolean | undefined>;

export function parseFlags(args: string[], options: FlagSpec): FlagValues {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false })
      .values as FlagValues;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function str(v: FlagValues, name: string, required: true): string;
export function str(v: FlagValues, name: string, required?: false): string | undefined;
export function str(v: FlagValues, name: string, required = false): string | undefined {
  const x = v[name];
  if (typeof x === 'string' && x.length > 0) return x;
  if (required) throw new UsageError(`--${name} is required`);
  return undefined;
}

export function int(v: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const raw = str(v, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function num(v: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const raw = str(v, name);
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (!Number.isFinite(x) || x < min || x > max) throw new UsageError(`--${name} must be a number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  return x;
}

export function oneOf<T extends string>(v: FlagValues, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(v, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as T;
}

/** Reads a secret (join token) from a file, so it never appears in a process listing or shell history. */
export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text.length < 16) throw new UsageError(`--${flag}: the secret in ${path} is shorter than 16 characters`);
  return text;
}

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  signal?: AbortSignal;
}

/** Resolves on SIGINT, SIGTERM or the abort of `signal` (tests), with which one it was; then stops listening. */
export function waitForStop(signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const onAbort = (): void => done('abort');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    if (signal?.aborted) done('abort');
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
