import type { MigrationList } from '../../common/db/index.js';
import { versionedDocumentsTable } from '../rules/versioned-documents-migration.js';

/** Table of versioned pricing and limit policies. */
export const POLICY_TABLE = 'policy_versions';

/**
 * The policy migrations, part of the decision store's list (decision/store/decision-db.ts). Tests may also apply
 * them alone: `migrate(knex, POLICY_MIGRATIONS, 'test_migrations')`.
 */
export const POLICY_MIGRATIONS: MigrationList = {
  '20261122001150_policy_versions': versionedDocumentsTable(POLICY_TABLE),
};
