import type { Knex } from 'knex';

/** Rounds, the ciphertext updates of each round, their sums and the members' hold-out metrics. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rounds', (t) => {
    t.string('job_id', 64).notNullable();
    t.integer('round').notNullable();
    t.string('kind', 16).notNullable();
    t.string('status', 16).notNullable();
    t.string('opened_at', 32).notNullable();
    t.string('deadline_at', 32).notNullable();
    t.string('closed_at', 32);
    t.integer('contributors').notNullable().defaultTo(0);
    t.primary(['job_id', 'round']);
  });
  await knex.schema.createTable('updates', (t) => {
    t.string('job_id', 64).notNullable();
    t.integer('round').notNullable();
    t.string('member_id', 64).notNullable();
    t.integer('key_epoch').notNullable();
    t.string('encoding', 16).notNullable();
    t.text('sizes_json').notNullable();
    t.binary('payload').notNullable();
    t.string('received_at', 32).notNullable();
    t.primary(['job_id', 'round', 'member_id']);
  });
  await knex.schema.createTable('aggregates', (t) => {
    t.string('job_id', 64).notNullable();
    t.integer('round').notNullable();
    t.string('encoding', 16).notNullable();
    t.text('sizes_json').notNullable();
    t.binary('payload').notNullable();
    t.integer('contributors').notNullable();
    t.string('released_at', 32).notNullable();
    t.primary(['job_id', 'round']);
  });
  await knex.schema.createTable('metrics', (t) => {
    t.string('job_id', 64).notNullable();
    t.integer('round').notNullable();
    t.string('member_id', 64).notNullable();
    t.string('name', 64).notNullable();
    t.double('value').notNullable();
    t.integer('holdout_rows').notNullable();
    t.primary(['job_id', 'round', 'member_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['metrics', 'aggregates', 'updates', 'rounds']) await knex.schema.dropTableIfExists(t);
}
