import type { Knex } from 'knex';

/**
 * Scored applications. Only a digest of the canonical input is kept: the decision record must be provable
 * (same input -> same digest) without the store becoming a second copy of applicants' data.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('applications', (t) => {
    t.uuid('id').primary();
    t.string('created_at', 32).notNullable();
    t.string('model_version', 200).notNullable().references('version').inTable('models');
    t.double('probability_of_default').notNullable();
    t.double('score').notNullable();
    t.string('grade', 4).notNullable();
    t.string('decision', 16).notNullable();
    t.string('features_digest', 64).notNullable();
    t.index(['created_at'], 'applications_created_at');
    t.index(['model_version'], 'applications_model_version');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('applications');
}
