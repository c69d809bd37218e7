import type { Knex } from 'knex';

/** The node's own state: sealed secrets (encrypted under the node key) and the registry of global model versions. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('secrets', (t) => {
    t.string('name', 128).primary();
    t.binary('box').notNullable();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('models', (t) => {
    t.string('version', 128).primary();
    t.string('job_id', 64).notNullable();
    t.integer('round').notNullable();
    t.text('body').notNullable();
    t.text('metrics_json').notNullable();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('models');
  await knex.schema.dropTableIfExists('secrets');
}
