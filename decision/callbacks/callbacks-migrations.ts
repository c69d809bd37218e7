import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/**
 * Outgoing async-mode callbacks. A delivery is stored before it is first attempted (ideally in the decision's own
 * transaction), so a restart resumes what was pending instead of losing it. `payload_json` is the exact body to
 * send: it carries the decision answer (ids, outcome, generic reason, price), never PII.
 */
const callbackDeliveries: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('callback_deliveries', (t) => {
      t.uuid('delivery_id').primary();
      t.string('application_id', 64).notNullable();
      t.string('url', 2048).notNullable();
      t.text('payload_json').notNullable();
      t.string('status', 16).notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.string('last_error', 500).nullable();
      // ISO-8601 UTC text, as in every decision table.
      t.string('created_at', 32).notNullable();
      t.string('updated_at', 32).notNullable();
      t.index(['status', 'created_at'], 'callback_deliveries_status_created_at');
      t.index(['application_id'], 'callback_deliveries_application_id');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('callback_deliveries');
  },
};

/** Migrations of the callback outbox; names sit in the 20261122001300..1399 range reserved for these folders. */
export const CALLBACKS_MIGRATIONS: MigrationList = {
  '20261122001320_callback_deliveries': callbackDeliveries,
};
