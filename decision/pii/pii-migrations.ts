/**
 * Schema of the PII part of the decision store, as a MigrationList the decision store appends to its own list
 * (names in 20261122001000..20261122001099; dated, append-only: never edit an applied one, add a new one). Schema
 * builder only, so the same migrations run on SQLite and PostgreSQL.
 */
import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/**
 * `applicants`: one row per applicant, keyed by the token of their ID number. PII columns hold AES-256-GCM boxes
 * (binary: blob / bytea) under the data key named by `key_id`; lookups go through the token columns. Erasure (consent
 * withdrawal or retention) nulls the PII and the secondary tokens and sets `erased_at`; the row stays so the erasure
 * itself is on record and a returning applicant is recognised. Times are ISO-8601 UTC text, as in every decision table.
 */
const applicants: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('applicants', (t) => {
      t.string('token', 64).primary();
      t.string('key_id', 64).notNullable();
      t.binary('id_number_enc').nullable();
      t.binary('name_enc').nullable();
      t.binary('phone_enc').nullable();
      t.binary('bank_card_enc').nullable();
      t.string('phone_token', 64).nullable();
      t.string('bank_card_token', 64).nullable();
      t.string('consent_at', 32).notNullable();
      t.string('created_at', 32).notNullable();
      t.string('updated_at', 32).notNullable();
      t.string('erased_at', 32).nullable();
      t.string('last_decided_at', 32).nullable();
      t.index(['phone_token'], 'applicants_phone_token');
      t.index(['bank_card_token'], 'applicants_bank_card_token');
      // Re-encryption scans by key; retention scans by last activity.
      t.index(['key_id'], 'applicants_key_id');
      t.index(['last_decided_at'], 'applicants_last_decided_at');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('applicants');
  },
};

/** The PII migrations, to be appended to the decision store's list. */
export const PII_MIGRATIONS: MigrationList = {
  '20261122001000_applicants': applicants,
};
