import type { Knex } from 'knex';
import { migrate, openKnex, type MigrationList, type SqliteConfig } from '../../common/db/index.js';
import { redactConnectionString } from '../../common/db/open-knex.js';
import * as models from './migrations/20261122000100_models.js';
import * as applications from './migrations/20261122000200_applications.js';
import * as apiKeys from './migrations/20261122000300_api_keys.js';
import * as applicationDecisions from './migrations/20261122001400_application_decisions.js';
import * as dropUnusedTokenIndexes from './migrations/20261122002000_drop_unused_token_indexes.js';
import * as dropApplicantTokenIndexes from './migrations/20261122002100_drop_applicant_token_indexes.js';
import * as dropUnusedDecisionIndexes from './migrations/20261122002150_drop_unused_decision_indexes.js';
import { PII_MIGRATIONS } from '../pii/pii-migrations.js';
import { AUDIT_MIGRATIONS } from '../audit/audit-migrations.js';
import { LINKAGE_MIGRATIONS } from '../linkage/linkage-migrations.js';
import { LISTS_MIGRATIONS } from '../lists/lists-migrations.js';
import { RULES_MIGRATIONS } from '../rules/rules-migrations.js';
import { POLICY_MIGRATIONS } from '../policy/policy-migrations.js';
import { REVIEWS_MIGRATIONS } from '../reviews/reviews-migrations.js';
import { IDEMPOTENCY_MIGRATIONS } from '../idempotency/idempotency-migrations.js';
import { CALLBACKS_MIGRATIONS } from '../callbacks/callbacks-migrations.js';

/** Options of the embedded (SQLite) decision store; `durability: 'full'` (default) fsyncs every recorded decision. */
export type DecisionDbOptions = Omit<SqliteConfig, 'client'>;

/**
 * Opens the decision store on SQLite. WAL lets the node deploy a model while the service keeps reading and writing;
 * the busy timeout makes the two processes wait for each other's write lock instead of failing.
 */
export function createDecisionDb(options: DecisionDbOptions): Knex {
  return openKnex({ client: 'sqlite', secureDelete: true, ...options });
}

/**
 * Where the decision store lives, decided once at the edge (the CLI's `--db`, or a test) and passed down as is:
 * an embedded SQLite file, or a PostgreSQL database (`PgConfig` in common/db/open-knex.ts says what the URL may
 * leave to the environment). `durability` is SQLite's (default `full`); on PostgreSQL, commit durability is the
 * server's `synchronous_commit`.
 */
export type DecisionDbConfig =
  | { client: 'sqlite'; filename: string; durability?: 'full' | 'normal' }
  | { client: 'pg'; connection: string };

/** Opens the decision store described by `config` (not yet migrated: see {@link migrateDecisionDb}). */
export function openDecisionDb(config: DecisionDbConfig): Knex {
  if (config.client === 'pg') return openKnex({ client: 'pg', connection: config.connection });
  return createDecisionDb({ filename: config.filename, ...(config.durability ? { durability: config.durability } : {}) });
}

/** The store for a log line or an error message: the SQLite path, or the PostgreSQL URL with its password redacted. */
export function describeDecisionDb(config: DecisionDbConfig): string {
  return config.client === 'pg' ? redactConnectionString(config.connection) : `sqlite:${config.filename}`;
}

/**
 * The migrations, listed explicitly: knex's directory loader globs `.js` files and cannot import `.ts` under tsx,
 * and an explicit list also pins the order. Append new dated migrations at the end; never edit an applied one.
 */
export const DECISION_MIGRATIONS: MigrationList = {
  '20261122000100_models': models,
  '20261122000200_applications': applications,
  '20261122000300_api_keys': apiKeys,
  '20261122001400_application_decisions': applicationDecisions,
  // Each stage keeps its tables' migrations next to its code; the store applies them all, in name order.
  ...PII_MIGRATIONS,
  ...AUDIT_MIGRATIONS,
  ...LINKAGE_MIGRATIONS,
  ...LISTS_MIGRATIONS,
  ...RULES_MIGRATIONS,
  ...POLICY_MIGRATIONS,
  ...REVIEWS_MIGRATIONS,
  ...IDEMPOTENCY_MIGRATIONS,
  ...CALLBACKS_MIGRATIONS,
  // After every stage's tables exist (it alters application_links and applicants).
  '20261122002000_drop_unused_token_indexes': dropUnusedTokenIndexes,
  '20261122002100_drop_applicant_token_indexes': dropApplicantTokenIndexes,
  '20261122002150_drop_unused_decision_indexes': dropUnusedDecisionIndexes,
};

/** Own bookkeeping table, so the decision store can share a database with other parts' migrations. */
export const DECISION_MIGRATIONS_TABLE = 'decision_knex_migrations';

/** Brings the decision store to the latest schema; safe to call on every start. Returns the names applied now. */
export function migrateDecisionDb(knex: Knex): Promise<string[]> {
  return migrate(knex, DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE);
}

/** Current time as the ISO-8601 text every decision table stores. */
export function isoNow(now: () => Date = () => new Date()): string {
  return now().toISOString();
}
