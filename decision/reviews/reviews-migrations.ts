import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/**
 * The manual-review queue (L3). One row per application sent to review; `version` is bumped by every transition so
 * a claim or a decision is a compare-and-set (`where version = ?`), which works the same on SQLite and PostgreSQL
 * without row locks. No foreign key to `applications`: the review row is written in the same transaction as the
 * decision, and keeping the migration lists independent lets each be applied under its own tracking table.
 */
const reviews: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('reviews', (t) => {
      t.string('application_id', 64).primary();
      t.string('status', 16).notNullable();
      // ISO-8601 UTC text, as in every decision table: sorts correctly and reads back identically on both backends.
      t.string('created_at', 32).notNullable();
      // Internal reason codes (JSON array): shown to reviewers, never to applicants.
      t.text('reason_codes_json').notNullable();
      t.double('proposed_apr').nullable();
      t.double('proposed_limit').nullable();
      t.string('claimed_by', 200).nullable();
      t.string('claimed_at', 32).nullable();
      t.string('decided_by', 200).nullable();
      t.string('decided_at', 32).nullable();
      t.string('outcome', 16).nullable();
      t.double('final_apr').nullable();
      t.double('final_limit').nullable();
      t.text('note').nullable();
      t.integer('version').notNullable().defaultTo(0);
      t.index(['status', 'created_at'], 'reviews_status_created_at');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('reviews');
  },
};

/** Migrations of the review queue; names sit in the 20261122001300..1399 range reserved for these folders. */
export const REVIEWS_MIGRATIONS: MigrationList = {
  '20261122001300_reviews': reviews,
};
