import type { Knex } from 'knex';

/** API keys of the decision API: only the SHA-256 of each key is stored, so a leaked store leaks no usable key. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary();
    t.string('key_hash', 64).notNullable().unique({ indexName: 'api_keys_key_hash' });
    t.string('role', 16).notNullable();
    t.string('label', 200).notNullable().defaultTo('');
    t.string('created_at', 32).notNullable();
    t.string('revoked_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_keys');
}
