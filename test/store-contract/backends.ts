/**
 * The backends every store contract runs on. Each hands out fresh databases as DbConfigs and removes them at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbConfig, Dialect } from '../../common/db/index.js';
import { inCi, pgSkipReason, sharedPgServer } from '../support/pg-server.js';

export interface Backend {
  name: Dialect;
  /** Why this backend cannot run here (shown as the skip reason), or null. */
  skipReason(): string | null;
  /** A fresh, empty database. */
  fresh(): Promise<DbConfig>;
  /** Removes every database handed out (call after all handles to them are closed). */
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  let dir: string | null = null;
  let n = 0;
  return {
    name: 'sqlite',
    skipReason: () => null,
    async fresh() {
      dir ??= mkdtempSync(join(tmpdir(), 'fedrisk-contract-'));
      n += 1;
      return { client: 'sqlite', filename: join(dir, `db-${n}.sqlite`) };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
}

export function pgBackend(): Backend {
  const made: string[] = [];
  return {
    name: 'pg',
    skipReason: pgSkipReason,
    async fresh() {
      const server = await sharedPgServer();
      const connection = await server.createDatabase();
      made.push(connection);
      return { client: 'pg', connection };
    },
    async cleanup() {
      if (made.length === 0) return;
      const server = await sharedPgServer();
      for (const c of made.splice(0)) await server.dropDatabase(c);
    },
  };
}

/** Both backends, or those named in FEDRISK_STORE_BACKENDS (comma-separated: `sqlite`, `pg`). */
export function selectedBackends(): Backend[] {
  const all = [sqliteBackend(), pgBackend()];
  const wanted = process.env.FEDRISK_STORE_BACKENDS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!wanted || wanted.length === 0) return all;
  if (inCi() && !wanted.includes('pg')) throw new Error('CI runs the store contracts on every backend: unset FEDRISK_STORE_BACKENDS');
  return all.filter((b) => wanted.includes(b.name));
}
