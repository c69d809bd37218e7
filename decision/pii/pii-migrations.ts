/**
 * Schema of the PII part of the decision store, as a MigrationList the decision store spreads into its own list and
 * applies in name order (20261122001000 created the table; later changes take a name after every migration already
 * released, e.g. 20261122002200, so they run last on an existing database too; dated, append-only: never edit an
 * applied one, add a new one). Schema builder only, so the same migrations run on SQLite and PostgreSQL.
 */
import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';

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

/**
 * `applicants.pii_enc`: the applicant's whole PII record in one AES-256-GCM box (PiiVault.encryptRecord, bound to the
 * row's token), so a decision pays one cipher operation instead of four. Rows written from now on fill it and leave the
 * four per-field columns NULL; existing rows keep their per-field boxes (no keyring here to convert them) until a
 * re-application, an erasure or a key rotation touches them (applicant-store.ts says how each layout is handled).
 * Nullable, binary (blob / bytea), no index: nothing looks rows up by it.
 *
 * `down` drops the column. That would destroy the PII of every row in the record layout while leaving the row live
 * (`erased_at` unset, nothing on record), and no code writes the per-field layout back, so it refuses while any row
 * holds a record box: only a store that never wrote one (or has erased them all) can be rolled back.
 */
const applicantPiiBox: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.alterTable('applicants', (t) => {
      t.binary('pii_enc').nullable();
    });
  },
  async down(knex: Knex): Promise<void> {
    const used = await knex('applicants').whereNotNull('pii_enc').first('token');
    if (used !== undefined) {
      throw new FedriskError('FAILED_PRECONDITION', 'applicants rows hold PII in pii_enc: dropping the column would lose it; not rolled back', {
        field: 'pii_enc',
      });
    }
    await knex.schema.alterTable('applicants', (t) => {
      t.dropColumn('pii_enc');
    });
  },
};

/** The PII migrations, to be appended to the decision store's list. */
export const PII_MIGRATIONS: MigrationList = {
  '20261122001000_applicants': applicants,
  '20261122002200_applicant_pii_box': applicantPiiBox,
};
