import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/**
 * `Idempotency-Key` records. The key is stored only as sha256(apiKeyId NUL key): two lenders' keys never collide,
 * and a leaked store does not reveal the keys clients chose. The completed response is kept verbatim so a replay
 * returns exactly the first answer; rows expire and are purged.
 */
const idempotencyKeys: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('idempotency_keys', (t) => {
      t.string('key_hash', 64).primary();
      t.string('request_digest', 64).notNullable();
      t.string('application_id', 64).nullable();
      t.string('status', 16).notNullable();
      t.integer('response_status').nullable();
      t.text('response_json').nullable();
      // ISO-8601 UTC text, as in every decision table.
      t.string('created_at', 32).notNullable();
      t.string('expires_at', 32).notNullable();
      t.index(['expires_at'], 'idempotency_keys_expires_at');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('idempotency_keys');
  },
};

/** Migrations of the idempotency store; names sit in the 20261122001300..1399 range reserved for these folders. */
export const IDEMPOTENCY_MIGRATIONS: MigrationList = {
  '20261122001310_idempotency_keys': idempotencyKeys,
};
