/**
 * Opening a knex handle and migrating it, shared by every store. Migrations are passed as imported modules (not
 * loaded by globbing a folder), so they run the same under tsx, compiled JS and tests, and a store can never start
 * on a schema its code does not know.
 */
import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Dated, append-only migrations: name -> module, applied in name order. Never edit an applied one. */
export type MigrationList = Record<string, MigrationModule>;

class ListMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly list: MigrationList) {}
  getMigrations(): Promise<string[]> {
    return Promise.resolve(Object.keys(this.list).sort());
  }
  getMigrationName(name: string): string {
    return name;
  }
  getMigration(name: string): Promise<Knex.Migration> {
    const m = this.list[name];
    if (!m) return Promise.reject(new Error(`unknown migration ${name}`));
    return Promise.resolve({ up: m.up, down: m.down });
  }
}

export interface SqliteConfig {
  client: 'sqlite';
  /** Path of the SQLite file (created with its folder if absent), or `:memory:`. */
  filename: string;
  /** How long a writer waits for another connection's lock, in ms: a node and a service may share a file. */
  busyTimeoutMs?: number;
  /**
   * `full` (default): every commit is fsynced, so what was acknowledged survives a power loss. `normal`: WAL commits
   * are not fsynced (crash-safe for the process, may lose the last commits on power loss), several times faster.
   */
  durability?: 'full' | 'normal';
}

export type DbConfig = SqliteConfig | { client: 'pg'; connection: string };

/** Opens SQLite (the embedded default: WAL, foreign keys on, busy timeout) or PostgreSQL. */
export function openKnex(config: DbConfig): Knex {
  if (config.client === 'pg') {
    return knexFactory({ client: 'pg', connection: config.connection, pool: { min: 0, max: 10 } });
  }
  if (config.filename !== ':memory:') mkdirSync(dirname(config.filename), { recursive: true });
  const requested = config.busyTimeoutMs ?? 5000;
  const busy = Number.isFinite(requested) ? Math.max(0, Math.trunc(requested)) : 5000;
  const pragmas = [
    'PRAGMA journal_mode = WAL',
    `PRAGMA synchronous = ${config.durability === 'normal' ? 'NORMAL' : 'FULL'}`,
    `PRAGMA busy_timeout = ${busy}`,
    // Off by default in SQLite and per connection, hence the pool hook.
    'PRAGMA foreign_keys = ON',
  ];
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: config.filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (err: Error | null, conn: Database) => void) => {
        // Each pragma gets a callback: an error on a callback-less run() would surface as an unhandled 'error' event.
        const next = (i: number): void => {
          if (i === pragmas.length) return done(null, conn);
          conn.run(pragmas[i]!, (err: Error | null) => (err ? done(err, conn) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

/**
 * Applies every pending migration of the list, tracked in a table of the store's own (`tableName`), so several
 * parts' stores may share one database. Returns the names applied now.
 */
export async function migrate(knex: Knex, list: MigrationList, tableName: string): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: new ListMigrationSource(list), tableName })) as [number, string[]];
  return applied;
}
