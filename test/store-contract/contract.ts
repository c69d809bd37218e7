/**
 * The shape of a store contract: one behavioural suite per store, written once against a knex handle (or a DbConfig
 * for stores that open and migrate themselves), and run by `test/store-contract.test.ts` on every backend (SQLite
 * in a temp file, PostgreSQL in a fresh database of a throwaway cluster).
 *
 * To add a store: write `test/store-contract/<store>.contract.ts` exporting a `StoreContract`, and add one line to
 * `STORE_CONTRACTS` in `./registry.ts`. Nothing else: the runner gives every contract a fresh database per suite,
 * checks its migrations (apply, re-apply is a no-op, concurrent start, roll back to empty), migrates the stores of
 * one `database` group side by side, and closes what `open` returned. Write assertions about behaviour through the store's interface; read raw rows only to prove what is
 * (not) stored, and then compare values, never driver-specific types.
 */
import type { Knex } from 'knex';
import type { DbConfig, Dialect, MigrationList } from '../../common/db/index.js';

/** A fresh database with the contract's migrations applied. Each call is a new database; the runner closes it. */
export type OpenDb = () => Promise<Knex>;

export interface ContractEnv {
  backend: Dialect;
  /**
   * A fresh, empty, un-migrated database as the config a store's own `open(config)` takes. The runner removes the
   * database afterwards; the suite closes the store it opened.
   */
  config(): Promise<DbConfig>;
}

export interface StoreContract {
  /** Shown in test names, e.g. `decision/ModelStore`. */
  name: string;
  /** The migrations `open()` applies (the store's own list, exactly as production code applies it). */
  migrations: MigrationList;
  /** The store's own migrations bookkeeping table. */
  migrationsTable: string;
  /**
   * The database this store shares with other stores in production (e.g. `decision`: one database per decision
   * service). The runner migrates every store of a group side by side into one database, catching two stores that
   * create the same table or share a bookkeeping table with different lists.
   */
  database?: string;
  /** Registers the store's tests (`it`, nested `describe`, hooks) with node:test. */
  suite(open: OpenDb, env: ContractEnv): void;
}
