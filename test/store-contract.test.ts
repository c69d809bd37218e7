/**
 * Every store's contract suite on every backend: SQLite (a temp file) and PostgreSQL (a fresh database of a
 * throwaway cluster, see test/support/pg-server.ts). Without PostgreSQL binaries the pg half is skipped with its
 * reason, except under CI, where it fails. How to add a store: test/store-contract/contract.ts.
 *
 *   node --import tsx --test test/store-contract.test.ts
 *   FEDRISK_STORE_BACKENDS=pg node --import tsx --test test/store-contract.test.ts   # one backend only
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { dialectOf, migrate, openKnex, type DbConfig } from '../common/db/index.js';
import { selectedBackends } from './store-contract/backends.js';
import type { StoreContract } from './store-contract/contract.js';
import { STORE_CONTRACTS } from './store-contract/registry.js';
import { sharedPgServer } from './support/pg-server.js';

async function tables(knex: Knex): Promise<string[]> {
  const rows =
    dialectOf(knex) === 'pg'
      ? ((await knex.raw(`select tablename as name from pg_tables where schemaname = current_schema()`)) as { rows: { name: string }[] }).rows
      : ((await knex.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)) as { name: string }[]);
  return rows.map((r) => r.name).sort();
}

function migrationChecks(contract: StoreContract, fresh: () => Promise<DbConfig>, track: (k: Knex) => Knex): void {
  const names = Object.keys(contract.migrations).sort();
  const bookkeeping = [contract.migrationsTable, `${contract.migrationsTable}_lock`].sort();

  it('migrations: apply in order on an empty database, re-apply nothing, and roll back to empty', async () => {
    const knex = track(openKnex(await fresh()));
    assert.deepEqual(await migrate(knex, contract.migrations, contract.migrationsTable), names);
    assert.deepEqual(await migrate(knex, contract.migrations, contract.migrationsTable), []);
    const created = await tables(knex);
    for (const name of [...names].reverse()) await contract.migrations[name]!.down(knex);
    assert.deepEqual(await tables(knex), bookkeeping, 'down() removes everything up() created');
    for (const name of names) await contract.migrations[name]!.up(knex);
    assert.deepEqual(await tables(knex), created, 'up() after down() recreates the same tables');
  });

  it('migrations: several processes starting at once on one database all come up', async () => {
    const config = await fresh();
    const handles = Array.from({ length: 4 }, () => track(openKnex(config)));
    const applied = await Promise.all(handles.map((k) => migrate(k, contract.migrations, contract.migrationsTable)));
    assert.deepEqual(applied.flat().sort(), names, 'each migration applied exactly once');
  });
}

/** Stores that live in one database in production must migrate side by side (no table claimed twice). */
function sharedDatabaseChecks(fresh: () => Promise<DbConfig>): void {
  const groups = new Map<string, StoreContract[]>();
  for (const c of STORE_CONTRACTS) if (c.database) groups.set(c.database, [...(groups.get(c.database) ?? []), c]);
  for (const [database, members] of groups) {
    it(`database ${database}: ${members.map((c) => c.name).join(', ')} migrate side by side`, async () => {
      const lists = new Map<string, StoreContract>();
      for (const c of members) {
        const seen = lists.get(c.migrationsTable);
        if (seen && Object.keys(seen.migrations).sort().join() !== Object.keys(c.migrations).sort().join()) {
          assert.fail(`${c.name} and ${seen.name} keep different migration lists in one table ${c.migrationsTable}`);
        }
        lists.set(c.migrationsTable, c);
      }
      const knex = openKnex(await fresh());
      try {
        for (const c of lists.values()) await migrate(knex, c.migrations, c.migrationsTable);
        for (const c of lists.values()) assert.deepEqual(await migrate(knex, c.migrations, c.migrationsTable), []);
      } finally {
        await knex.destroy();
      }
    });
  }
}

for (const backend of selectedBackends()) {
  let skip: string | null = null;
  let unavailable: unknown = null;
  try {
    skip = backend.skipReason();
  } catch (err) {
    unavailable = err; // under CI a missing backend is a failure, reported as one
  }
  describe(`store contracts on ${backend.name}`, { skip: skip ?? false }, () => {
    if (unavailable !== null) {
      it(`${backend.name} is available`, () => {
        throw unavailable;
      });
      return;
    }
    before(async () => {
      if (backend.name !== 'pg') return;
      const t0 = performance.now();
      await sharedPgServer();
      console.log(`# PostgreSQL test cluster up in ${Math.round(performance.now() - t0)} ms`);
    });
    after(() => backend.cleanup());

    sharedDatabaseChecks(() => backend.fresh());

    const checkedLists = new Set<string>();
    for (const contract of STORE_CONTRACTS) {
      // Stores sharing one migration list (the decision stores) get its checks once.
      const checkMigrations = !checkedLists.has(contract.migrationsTable);
      checkedLists.add(contract.migrationsTable);
      describe(contract.name, () => {
        const handles: Knex[] = [];
        const track = (k: Knex): Knex => {
          handles.push(k);
          return k;
        };
        after(async () => {
          await Promise.all(handles.splice(0).map((k) => k.destroy()));
        });
        if (checkMigrations) migrationChecks(contract, () => backend.fresh(), track);
        contract.suite(
          async () => {
            const knex = track(openKnex(await backend.fresh()));
            await migrate(knex, contract.migrations, contract.migrationsTable);
            return knex;
          },
          { backend: backend.name, config: () => backend.fresh() },
        );
      });
    }
  });
}
