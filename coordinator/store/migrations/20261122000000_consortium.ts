import type { Knex } from 'knex';

/** Members, jobs and the key envelopes the coordinator relays (sealed: it cannot open them). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('members', (t) => {
    t.string('id', 64).primary();
    t.string('consortium_id', 64).notNullable();
    t.string('name', 128).notNullable().unique();
    t.binary('seal_public_key').notNullable();
    t.string('token_hash', 64).notNullable();
    t.integer('join_order').notNullable();
    t.string('status', 16).notNullable();
    t.string('joined_at', 32).notNullable();
  });
  await knex.schema.createTable('jobs', (t) => {
    t.string('id', 64).primary();
    t.text('spec_json').notNullable();
    t.string('phase', 32).notNullable();
    t.integer('key_epoch').notNullable();
    t.text('participants_json').notNullable();
    t.integer('current_round').notNullable();
    t.integer('released_round').notNullable();
    t.string('keying_deadline', 32);
    t.text('failed_reason');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('key_envelopes', (t) => {
    t.integer('key_epoch').notNullable();
    t.string('recipient_member_id', 64).notNullable();
    t.binary('sealed').notNullable();
    t.string('key_fingerprint', 64).notNullable();
    t.string('sealed_by_member_id', 64).notNullable();
    t.string('created_at', 32).notNullable();
    t.primary(['key_epoch', 'recipient_member_id']);
  });
  await knex.schema.createTable('key_acks', (t) => {
    t.integer('key_epoch').notNullable();
    t.string('member_id', 64).notNullable();
    t.string('acked_at', 32).notNullable();
    t.primary(['key_epoch', 'member_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['key_acks', 'key_envelopes', 'jobs', 'members']) await knex.schema.dropTableIfExists(t);
}
