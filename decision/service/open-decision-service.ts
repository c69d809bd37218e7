/**
 * Builds a running decision service from its configuration: the store (migrated), the institution's PII keyring,
 * the in-memory indexes (loaded from the store), the active model, rules and policy (seeded on a fresh store), the
 * group-commit writer and the admin handlers. Everything transport-neutral; the HTTP shell wraps it.
 */
import { readFileSync } from 'node:fs';
import { timeOrderedUuid } from '../../common/ids/index.js';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { loadOrCreateKeyFile } from '../../common/crypto/index.js';
import type { LogisticModel } from '../../common/model/logistic-model.js';
import { DECISION_MIGRATIONS, describeDecisionDb, migrateDecisionDb, openDecisionDb, type DecisionDbConfig } from '../store/decision-db.js';
import { acquireWriterLock, type WriterLock } from '../store/writer-lock.js';
import { createModelStore, type ModelStore } from '../store/model-store.js';
import { createApplicationStore, type ApplicationStore } from '../store/application-store.js';
import { createApiKeyStore, type ApiKeyStore } from '../store/api-key-store.js';
import { ActiveModelCache } from '../scoring/active-model-cache.js';
import { PiiVault, createApplicantStore, loadOrCreateKeyring, type ApplicantStore } from '../pii/index.js';
import { AuditChain } from '../audit/index.js';
import { LinkIndex } from '../linkage/index.js';
import { VelocityIndex } from '../velocity/index.js';
import { ListIndex, createListStore, type ListStore } from '../lists/index.js';
import { ActiveRules, createRulesStore, type RulesStore } from '../rules/index.js';
import { ActivePolicy, createPolicyStore, resolveAprCap, type AprCap, type PolicyStore } from '../policy/index.js';
import { createReviewHandlers, createReviewStore, type ReviewHandlers } from '../reviews/index.js';
import { IdempotencyGate, createIdempotencyStore } from '../idempotency/index.js';
import { CallbackDispatcher, createCallbackStore } from '../callbacks/index.js';
import { DecisionWriter } from '../pipeline/decision-writer.js';
import type { PipelineDeps } from '../pipeline/decide-application.js';
import { DecisionMetrics } from './decision-metrics.js';
import { CachedApiKeys } from './cached-api-keys.js';
import { TurnScheduler } from './turn-scheduler.js';

/** Every table of the decision store (the list lives with the store: decision/store/decision-db.ts). */
export const ALL_DECISION_MIGRATIONS = DECISION_MIGRATIONS;

/** The model shipped for `--bootstrap` (trained by `npm run model:default`, see simulations/train-default-model.ts). */
export const BOOTSTRAP_MODEL_PATH = fileURLToPath(new URL('../bootstrap/credit_data-default-model.json', import.meta.url));

export interface DecisionServiceConfig {
  /** The decision store: a SQLite file or a PostgreSQL database (give this or `dbFile`). */
  db?: DecisionDbConfig;
  /** Shorthand for `db: { client: 'sqlite', filename: dbFile, durability }` (kept for existing callers). */
  dbFile?: string;
  /** The institution's PII keyring (created if absent, mode 0600). */
  piiKeyringFile: string;
  /** HMAC secret for async callbacks (created if absent, mode 0600). */
  callbackSecretFile: string;
  refreshMs: number;
  /** SQLite only (with `dbFile`, or merged into a SQLite `db`); refused with PostgreSQL. Default `full`. */
  durability?: 'full' | 'normal';
  /** Annual rate cap; may only be lower than the legal 36%. */
  aprCap?: number | undefined;
  /** Deploy the shipped bootstrap model when no model is registered. */
  bootstrap: boolean;
  log: Logger;
}

export interface DecisionService {
  knex: Knex;
  log: Logger;
  pipeline: PipelineDeps;
  models: ActiveModelCache;
  modelStore: ModelStore;
  applications: ApplicationStore;
  applicants: ApplicantStore;
  apiKeys: CachedApiKeys;
  apiKeyStore: ApiKeyStore;
  listStore: ListStore;
  rulesStore: RulesStore;
  policyStore: PolicyStore;
  reviews: ReviewHandlers;
  idempotency: IdempotencyGate;
  callbacks: CallbackDispatcher;
  metrics: DecisionMetrics;
  keyringFile: string;
  /** In-flight async decisions (id -> promise), so GET can say "reviewing" before the row exists. */
  pendingAsync: Map<string, Promise<unknown>>;
  /** Decisions start a few per event-loop turn, so commit completions are not kept waiting (turn-scheduler.ts). */
  turns: TurnScheduler;
  close(): Promise<void>;
}

export function migrateAllDecisionTables(knex: Knex): Promise<string[]> {
  return migrateDecisionDb(knex);
}

/** The store a config names: `db`, or the older `dbFile` (+ `durability`) form. Exactly one of the two. */
export function resolveDecisionDb(config: Pick<DecisionServiceConfig, 'db' | 'dbFile' | 'durability'>): DecisionDbConfig {
  const { db, dbFile, durability } = config;
  if (db && dbFile !== undefined) throw new FedriskError('INVALID_ARGUMENT', 'give the decision store as db or as dbFile, not both', { field: 'db' });
  if (db) {
    if (durability === undefined) return db;
    if (db.client === 'pg') {
      throw new FedriskError('INVALID_ARGUMENT', "durability applies to SQLite only (PostgreSQL's is the server's synchronous_commit)", { field: 'durability' });
    }
    if (db.durability !== undefined && db.durability !== durability) {
      throw new FedriskError('INVALID_ARGUMENT', `durability ${durability} contradicts db.durability ${db.durability}`, { field: 'durability' });
    }
    return { ...db, durability };
  }
  if (dbFile !== undefined && dbFile !== '') return { client: 'sqlite', filename: dbFile, durability: durability ?? 'full' };
  throw new FedriskError('INVALID_ARGUMENT', 'the decision store (db) is required', { field: 'db' });
}

/**
 * Opens the service on its store (SQLite or PostgreSQL). On PostgreSQL it first makes itself the database's only
 * decision writer (decision/store/writer-lock.ts), or fails with FAILED_PRECONDITION when another service is; if
 * that lock is lost later, the writer is closed and decisions answer 503 until a restart. A start that fails
 * halfway releases what it took.
 */
export async function openDecisionService(config: DecisionServiceConfig): Promise<DecisionService> {
  const log = config.log;
  const db = resolveDecisionDb(config);
  log.info('decision store', { db: describeDecisionDb(db) });
  let writer: DecisionWriter | null = null;
  // Before anything is read or written, and above all before the audit chain's head is loaded into memory.
  const lock = await acquireWriterLock(db, {
    log,
    // Fail closed: without the lock the in-memory chain head may be stale, so no further decision is written.
    onLost: () => void writer?.close(),
  });
  const knex = openDecisionDb(db);
  // What a start that fails halfway must stop again (pollers), newest first.
  const started: (() => Promise<unknown>)[] = [];
  try {
    return await openOn(config, knex, lock, { setWriter: (w) => (writer = w), started });
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    await knex.destroy().catch(() => undefined);
    await lock.release();
    throw err;
  }
}

async function openOn(
  config: DecisionServiceConfig,
  knex: Knex,
  lock: WriterLock,
  { setWriter, started }: { setWriter: (w: DecisionWriter) => void; started: (() => Promise<unknown>)[] },
): Promise<DecisionService> {
  const log = config.log;
  await migrateAllDecisionTables(knex);
  const aprCap: AprCap = resolveAprCap(config.aprCap);

  const modelStore = createModelStore(knex);
  if (config.bootstrap && (await modelStore.list()).length === 0) {
    const model = JSON.parse(readFileSync(BOOTSTRAP_MODEL_PATH, 'utf8')) as LogisticModel;
    await modelStore.deploy(model, { activate: true });
    log.info('bootstrap model deployed', { version: model.version });
  }
  const models = new ActiveModelCache({ store: modelStore, refreshMs: config.refreshMs, logger: log });
  await models.refresh().catch((err: unknown) => log.error('could not load the active model', { error: err instanceof Error ? err.message : String(err) }));
  models.start();
  started.push(() => models.stop());

  const rulesStore = createRulesStore(knex);
  await rulesStore.seedDefault();
  const rules = await ActiveRules.open({ store: rulesStore, refreshMs: config.refreshMs, logger: log });
  rules.start();
  started.push(() => rules.stop());
  const policyStore = createPolicyStore(knex, { aprCap });
  await policyStore.seedDefault();
  const policy = await ActivePolicy.open({ store: policyStore, refreshMs: config.refreshMs, logger: log });
  policy.start();
  started.push(() => policy.stop());

  const vault = new PiiVault(loadOrCreateKeyring(config.piiKeyringFile));
  const now = Date.now();
  let links = await LinkIndex.load(knex, now);
  let velocity = await VelocityIndex.load(knex, now);
  const lists = await ListIndex.load(knex);
  const metrics = new DecisionMetrics();
  if (!lock.held) throw new FedriskError('UNAVAILABLE', 'lost the decision writer lock while starting', { field: 'db' });
  const chain = await AuditChain.load(knex);
  const writer = new DecisionWriter(knex, chain, {
    log,
    onCommit: (size, ms) => metrics.observeCommit(size, ms),
    onFailure: async () => {
      // Indexes took decisions in as they were made; after a failed commit, rebuild them from what is stored.
      links = await LinkIndex.load(knex, Date.now());
      velocity = await VelocityIndex.load(knex, Date.now());
    },
  });
  setWriter(writer);
  started.push(() => writer.close());

  const callbackStore = createCallbackStore(knex);
  const callbacks = new CallbackDispatcher({ secret: loadOrCreateKeyFile(config.callbackSecretFile), store: callbackStore, log });
  started.push(() => callbacks.stop());
  await callbacks.resumePending();

  const apiKeyStore = createApiKeyStore(knex);
  const service: DecisionService = {
    knex,
    log,
    pipeline: {
      models,
      vault,
      links: () => links,
      velocity: () => velocity,
      lists,
      rules,
      policy,
      aprCap,
      writer,
      now: () => new Date(),
      newId: () => timeOrderedUuid(),
    },
    models,
    modelStore,
    applications: createApplicationStore(knex),
    applicants: createApplicantStore(knex, vault),
    apiKeys: new CachedApiKeys(apiKeyStore),
    apiKeyStore,
    listStore: createListStore(knex),
    rulesStore,
    policyStore,
    reviews: createReviewHandlers(createReviewStore(knex)),
    idempotency: new IdempotencyGate({ store: createIdempotencyStore(knex), durableInFlight: false }),
    callbacks,
    metrics,
    keyringFile: config.piiKeyringFile,
    pendingAsync: new Map(),
    turns: new TurnScheduler(),
    async close() {
      await Promise.allSettled([...this.pendingAsync.values()]);
      await writer.close();
      await models.stop();
      await rules.stop();
      await policy.stop();
      await callbacks.stop();
      await knex.destroy();
      await lock.release();
    },
  };
  return service;
}
