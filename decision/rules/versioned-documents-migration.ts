/**
 * The table shape shared by `rules_versions` and `policy_versions` (one row per version, never rewritten; `active` 0/1
 * with a partial unique index so the database itself refuses a second active row). Each table's dated migration
 * calls this once; the shape is frozen: a later change is a new dated migration, never an edit here.
 */
import type { Knex } from 'knex';
import type { MigrationModule } from '../../common/db/index.js';

export function versionedDocumentsTable(table: string): MigrationModule {
  return {
    async up(knex: Knex): Promise<void> {
      await knex.schema.createTable(table, (t) => {
        t.integer('version').primary();
        t.text('document').notNullable();
        t.string('digest', 64).notNullable();
        // ISO-8601 UTC text, like every decision table: sorts correctly and reads back identically on both back-ends.
        t.string('created_at', 32).notNullable();
        t.string('created_by', 200).notNullable();
        t.text('note').notNullable();
        t.integer('active').notNullable().defaultTo(0);
        t.string('activated_at', 32).nullable();
      });
      await knex.schema.alterTable(table, (t) => {
        t.unique(['active'], { indexName: `${table}_one_active`, predicate: knex.whereRaw('active = 1') });
      });
    },
    async down(knex: Knex): Promise<void> {
      await knex.schema.dropTable(table);
    },
  };
}
