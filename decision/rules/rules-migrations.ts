import type { MigrationList } from '../../common/db/index.js';
import { versionedDocumentsTable } from './versioned-documents-migration.js';

/** Table of versioned rule documents (JDM). */
export const RULES_TABLE = 'rules_versions';

/**
 * The rules migrations, part of the decision store's list (decision/store/decision-db.ts). Tests may also apply them
 * alone: `migrate(knex, RULES_MIGRATIONS, 'test_migrations')`.
 */
export const RULES_MIGRATIONS: MigrationList = {
  '20261122001100_rules_versions': versionedDocumentsTable(RULES_TABLE),
};
