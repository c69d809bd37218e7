/**
 * Opening a knex handle and migrating it, shared by every store. Migrations are passed as imported modules (not
 * loaded by globbing a folder), so they run the same under tsx, compiled JS and tests, and a store can never start
 * on a schema its code does not know.
 */
import knexFactory, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Dated, append-only migrations: name -> module, applied in name order. */
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

export type DbConfig = { client: 'sqlite'; filename: string } | { client: 'pg'; connection: string };

/** Opens SQLite (the embedded default: WAL, foreign keys, busy timeout) or PostgreSQL. */
export function openKnex(config: DbConfig): Knex {
  if (config.client === 'pg') {
    return knexFactory({ client: 'pg', connection: config.connection, pool: { min: 0, max: 10 } });
  }
  if (config.filename !== ':memory:') mkdirSync(dirname(config.filename), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: config.filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { run(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.run('PRAGMA journal_mode = WAL', (e1) => {
          if (e1) return done(e1, conn);
          conn.run('PRAGMA foreign_keys = ON', (e2) => {
            if (e2) return done(e2, conn);
            conn.run('PRAGMA busy_timeout = 5000', (e3) => done(e3, conn));
          });
        });
      },
    },
  });
}

/** Applies every pending migration of the list, in a table of its own per store (`tableName`). */
export async function migrate(knex: Knex, list: MigrationList, tableName: string): Promise<void> {
  await knex.migrate.latest({ migrationSource: new ListMigrationSource(list), tableName });
}
