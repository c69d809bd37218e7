import knexFactory, { type Knex } from 'knex';
import type { Database } from 'sqlite3';
import * as models from './migrations/20261122000100_models.js';
import * as applications from './migrations/20261122000200_applications.js';
import * as apiKeys from './migrations/20261122000300_api_keys.js';

/** Options of the embedded (SQLite) decision store. */
export interface DecisionDbOptions {
  /** Path of the SQLite file (created if absent), or `:memory:`. */
  filename: string;
  /** How long a writer waits for another connection's lock before failing, in ms (node and service share the file). */
  busyTimeoutMs?: number;
  /**
   * `full` (default): every commit is fsynced, so a decision already answered survives a power loss (the audit
   * trail must not lose it); about 1 ms per recorded application on this machine. `normal`: WAL commits are not
   * fsynced (still crash-safe for the process, may lose the last commits on power loss); about 0.2 ms.
   */
  durability?: 'full' | 'normal';
}

/**
 * Opens the decision store on SQLite. WAL lets the node deploy a model while the service keeps reading; foreign
 * keys are off by default in SQLite and must be switched on per connection, hence the pool hook.
 */
export function createDecisionDb(options: DecisionDbOptions): Knex {
  const requested = options.busyTimeoutMs ?? 5000;
  const busy = Number.isFinite(requested) ? Math.max(0, Math.trunc(requested)) : 5000;
  const sync = options.durability === 'normal' ? 'NORMAL' : 'FULL';
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: options.filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: Database, done: (err: Error | null, conn: Database) => void) => {
        // Each pragma gets a callback: an error on a callback-less run() would surface as an unhandled 'error' event.
        const pragmas = [
          'PRAGMA journal_mode = WAL',
          `PRAGMA synchronous = ${sync}`,
          `PRAGMA busy_timeout = ${busy}`,
          'PRAGMA foreign_keys = ON',
        ];
        const next = (i: number): void => {
          if (i === pragmas.length) return done(null, conn);
          conn.run(pragmas[i]!, (err: Error | null) => (err ? done(err, conn) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/**
 * The migrations, listed explicitly: knex's directory loader globs `.js` files and cannot import `.ts` under tsx,
 * and an explicit list also pins the order. Append new dated migrations at the end; never edit an applied one.
 */
const MIGRATIONS: readonly NamedMigration[] = [
  { name: '20261122000100_models', migration: models },
  { name: '20261122000200_applications', migration: applications },
  { name: '20261122000300_api_keys', migration: apiKeys },
];

/** A knex migration source over the explicit list above. */
export const decisionMigrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m.migration,
};

/** Own bookkeeping table, so the decision store can share a database with other parts' migrations. */
export const DECISION_MIGRATIONS_TABLE = 'decision_knex_migrations';

/** Brings the decision store to the latest schema; safe to call on every start. Returns the names applied now. */
export async function migrateDecisionDb(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    migrationSource: decisionMigrationSource,
    tableName: DECISION_MIGRATIONS_TABLE,
  })) as [number, string[]];
  return applied;
}

/** Current time as the ISO-8601 text every decision table stores. */
export function isoNow(now: () => Date = () => new Date()): string {
  return now().toISOString();
}
