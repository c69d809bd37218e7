/**
 * Schema of the decision log, as a MigrationList the decision store appends to its own list (names in
 * 20261122001000..20261122001099; dated, append-only). Schema builder only, so it runs on SQLite and PostgreSQL.
 */
import type { Knex } from 'knex';
import type { MigrationList, MigrationModule } from '../../common/db/index.js';

/**
 * `audit_log`: seq is assigned by the chain (not auto-incremented) so that a gap always means a deleted entry.
 * `record_json` is the canonical envelope the hash covers; times are ISO-8601 UTC text as in every decision table.
 * Nothing here is PII, so nothing here is ever erased.
 */
const auditLog: MigrationModule = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('audit_log', (t) => {
      t.bigInteger('seq').primary();
      t.string('at', 32).notNullable();
      t.string('kind', 16).notNullable();
      t.text('record_json').notNullable();
      t.string('prev_hash', 64).notNullable();
      t.string('hash', 64).notNullable();
      t.index(['at'], 'audit_log_at');
    });
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('audit_log');
  },
};

/** The audit migrations, to be appended to the decision store's list. */
export const AUDIT_MIGRATIONS: MigrationList = {
  '20261122001010_audit_log': auditLog,
};
