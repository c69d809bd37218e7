import type { Knex } from 'knex';

/**
 * Drops `applications.model_version` and `audit_log.at`: nothing selects or orders by either (the audit log is read
 * by seq, applications by id and by created_at), and each was one more B-tree insert in every decision's commit.
 * `down` recreates them.
 */
const DROPPED = [
  ['applications', 'model_version', 'applications_model_version'],
  ['audit_log', 'at', 'audit_log_at'],
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const [table, column, name] of DROPPED) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex([column], name);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, column, name] of DROPPED) {
    await knex.schema.alterTable(table, (t) => {
      t.index([column], name);
    });
  }
}
