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
  /**
   * Overwrite deleted content with zeros (`PRAGMA secure_delete`): erased PII ciphertext must not linger in free
   * pages. Costs a little write bandwidth; the decision store turns it on.
   */
  secureDelete?: boolean;
}

export interface PgConfig {
  client: 'pg';
  /**
   * A libpq-style URL (`postgres://user@host:5432/db?sslmode=require`). Whatever it leaves out comes from node-pg's
   * defaults: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, and ~/.pgpass (or PGPASSFILE) for the
   * password, so a password never has to be written into the URL (and thus onto a command line).
   */
  connection: string;
}

export type DbConfig = SqliteConfig | PgConfig;

/**
 * A connection URL fit for a log line or an error message: the password (and any `password`-like query parameter)
 * replaced by `***`. Never throws; an unparseable string is not echoed at all (it might be mostly secret).
 */
export function redactConnectionString(connection: string): string {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return '[unparseable connection string]';
  }
  if (url.password !== '') url.password = '***';
  for (const name of [...url.searchParams.keys()]) if (/pass/i.test(name)) url.searchParams.set(name, '***');
  return url.toString();
}

/**
 * The secrets a connection URL carries (its password and `password`-like query parameters), in every spelling they
 * may take in a message: as written, percent-decoded, and JSON-escaped. For scrubbing text that did not come from
 * {@link redactConnectionString} (a driver's error message, a log line).
 */
export function connectionSecrets(connection: string): string[] {
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return [];
  }
  const raw: string[] = [];
  if (url.password !== '') raw.push(url.password);
  for (const [name, value] of url.searchParams) if (/pass/i.test(name) && value !== '') raw.push(value);
  const out = new Set<string>();
  for (const r of raw) {
    let decoded = r;
    try {
      decoded = decodeURIComponent(r);
    } catch {
      /* keep as written */
    }
    for (const s of [r, decoded, encodeURIComponent(decoded), JSON.stringify(decoded).slice(1, -1)]) if (s.length > 0) out.add(s);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

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
    `PRAGMA secure_delete = ${config.secureDelete ? 'ON' : 'OFF'}`,
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

export type Dialect = 'sqlite' | 'pg';

/**
 * Which backend a handle (or transaction) talks to, for the few places where portable SQL is not enough (locking).
 * Keep such branches in stores to a minimum: the contract suite runs every store on both backends.
 */
export function dialectOf(knex: Knex): Dialect {
  const client = knex.client as { dialect?: unknown } | undefined;
  if (client?.dialect === 'postgresql') return 'pg';
  if (client?.dialect === 'sqlite3') return 'sqlite';
  throw new Error(`unsupported knex dialect ${String(client?.dialect)}`);
}

/**
 * Applies every pending migration of the list, tracked in a table of the store's own (`tableName`), so several
 * parts' stores may share one database. Returns the names applied now.
 *
 * Safe when several processes start at once on one database (hosts of a scale-out service, or a node and a
 * service sharing a SQLite file): left alone, knex's first run races to create its bookkeeping tables (one process
 * fails with "already exists") and can even insert two lock rows, after which every later run fails as "locked".
 * On PostgreSQL the whole run holds a transaction-scoped advisory lock named after `tableName`, so concurrent
 * runs queue; on SQLite the bookkeeping is created race-free first and a run that meets a busy database or a held
 * migration lock is retried for up to `waitMs`.
 */
export async function migrate(knex: Knex, list: MigrationList, tableName: string, waitMs = 120_000): Promise<string[]> {
  const latest = async (): Promise<string[]> => {
    const [, applied] = (await knex.migrate.latest({ migrationSource: new ListMigrationSource(list), tableName })) as [number, string[]];
    return applied;
  };
  if (dialectOf(knex) === 'pg') {
    // The lock lives on the transaction's connection; knex migrates on other connections of the pool (max 10).
    return knex.transaction(async (trx) => {
      await trx.raw(`set local lock_timeout = ${Math.max(1, Math.trunc(waitMs))}`);
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`fedrisk/migrate/${tableName}`]);
      return latest();
    });
  }
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureBookkeeping(knex, tableName);
      return await latest();
    } catch (err) {
      if (!isContention(err, tableName) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
    }
  }
}

/** knex's own bookkeeping tables (same shape as knex creates), and exactly one lock row, written atomically. */
async function ensureBookkeeping(knex: Knex, tableName: string): Promise<void> {
  const lockTable = `${tableName}_lock`;
  if (!(await knex.schema.hasTable(tableName))) {
    await knex.schema.createTable(tableName, (t) => {
      t.increments();
      t.string('name');
      t.integer('batch');
      t.timestamp('migration_time');
    });
  }
  if (!(await knex.schema.hasTable(lockTable))) {
    await knex.schema.createTable(lockTable, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
  }
  // One statement: two processes cannot both see the table empty and both insert.
  await knex.raw('insert into ?? (is_locked) select 0 where not exists (select 1 from ??)', [lockTable, lockTable]);
}

/** Errors of another process migrating the same SQLite file at the same moment (worth a retry). */
function isContention(err: unknown, tableName: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || err.name === 'MigrationLocked' || /SQLITE_BUSY|database is locked/.test(err.message)) return true;
  return /already exists/.test(err.message) && err.message.includes(tableName);
}
