import type { Knex } from 'knex';

/**
 * Deployed global models. The body is the whole LogisticModel as JSON text, so a decision service can score with
 * no other source; `active` is 0/1 and a partial unique index lets the database itself refuse a second active row
 * (PostgreSQL and SQLite both support `create unique index ... where`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('models', (t) => {
    t.string('version', 200).primary();
    t.string('format', 64).notNullable();
    t.string('kind', 32).notNullable();
    t.text('body').notNullable();
    t.integer('active').notNullable().defaultTo(0);
    // ISO-8601 UTC text: sorts correctly and reads back identically on SQLite and PostgreSQL.
    t.string('created_at', 32).notNullable();
    t.string('deployed_at', 32).notNullable();
    t.string('activated_at', 32).nullable();
  });
  await knex.schema.alterTable('models', (t) => {
    t.unique(['active'], { indexName: 'models_one_active', predicate: knex.whereRaw('active = 1') });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('models');
}
