import type { Knex } from 'knex';
import type { MigrationList } from '../../common/db/index.js';

/**
 * Schema of the black/white lists, built with the knex schema builder only so the same migration runs on SQLite
 * and PostgreSQL. Append new dated migrations (20261122001200..20261122001299 belong to the device, linkage,
 * velocity and lists stages); never edit one that has been applied.
 */

/**
 * `list_entries`: the institution's own black and white lists (MISSION requirement 3). An entry holds the keyed
 * token of an identifier, never its raw value. Entries are never deleted: removal stamps `removed_at`/`removed_by`
 * so the history of who listed and delisted whom stays auditable. The partial unique index allows one live entry
 * per list, kind and token, and holds on both backends even under concurrent adds.
 */
const listEntries = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('list_entries', (t) => {
      t.uuid('id').primary();
      t.string('list', 8).notNullable();
      t.string('kind', 16).notNullable();
      t.string('token', 128).notNullable();
      t.text('reason').notNullable();
      t.string('expires_at', 32).nullable();
      t.string('created_at', 32).notNullable();
      t.string('created_by', 200).notNullable();
      t.string('removed_at', 32).nullable();
      t.string('removed_by', 200).nullable();
      t.index(['kind', 'token'], 'list_entries_kind_token');
      t.index(['created_at'], 'list_entries_created_at');
      t.unique(['list', 'kind', 'token'], { indexName: 'list_entries_live', predicate: knex.whereNull('removed_at') });
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('list_entries');
  },
};

/** The lists migrations; the integrator adds them to the decision store's list. */
export const LISTS_MIGRATIONS: MigrationList = {
  '20261122001210_list_entries': listEntries,
};
