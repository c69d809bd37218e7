import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/** Table of versioned rule documents (JDM). */
export const RULES_TABLE = 'rules_versions';

/**
 * `rules_versions`: one row per rule document version, never rewritten. `active` is 0/1; a partial unique index lets
 * the database itself refuse a second active row (SQLite and PostgreSQL both support `create unique index ... where`),
 * and the store switches the active row inside one transaction. Schema builder only, so it runs on both back-ends.
 */
const rulesVersions: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable(RULES_TABLE, (t) => {
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
    await knex.schema.alterTable(RULES_TABLE, (t) => {
      t.unique(['active'], { indexName: 'rules_versions_one_active', predicate: knex.whereRaw('active = 1') });
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable(RULES_TABLE);
  },
};

/**
 * The rules migrations, to be appended to the decision store's list (names sort after the store's own). Tests may
 * also apply them alone: `migrate(knex, RULES_MIGRATIONS, 'test_migrations')`.
 */
export const RULES_MIGRATIONS: MigrationList = {
  '20261122001100_rules_versions': rulesVersions,
};
