import type { Knex } from 'knex';

/** One secondary index: table, column, index name. */
export type IndexSpec = readonly [table: string, column: string, name: string];

/**
 * The up/down pair of a migration that drops single-column secondary indexes (`down` recreates them), shared by the
 * dated migrations that took unused indexes off the decision path.
 */
export function dropIndexesMigration(indexes: readonly IndexSpec[]): { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> } {
  return {
    async up(knex) {
      for (const [table, column, name] of indexes) {
        await knex.schema.alterTable(table, (t) => {
          t.dropIndex([column], name);
        });
      }
    },
    async down(knex) {
      for (const [table, column, name] of indexes) {
        await knex.schema.alterTable(table, (t) => {
          t.index([column], name);
        });
      }
    },
  };
}
