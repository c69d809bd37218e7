import type { Knex } from 'knex';
import { dialectOf } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import type { LogisticModel } from '../../common/model/logistic-model.js';
import { canonicalJson } from '../canonical-json.js';
import { checkModel } from './check-model.js';

/** One row of `models`, as stored. */
export interface ModelRow {
  version: string;
  format: string;
  kind: string;
  /** The whole model as canonical JSON. */
  body: string;
  active: number;
  created_at: string;
  deployed_at: string;
  activated_at: string | null;
}

/** What `list()` shows of a deployed model (no weights). */
export interface ModelSummary {
  version: string;
  active: boolean;
  /** When the model was built (from the model itself). */
  createdAt: string;
  /** When it was written into this decision store. */
  deployedAt: string;
  /** When it was last made active here, if ever. */
  activatedAt: string | null;
}

/**
 * The registry of models a decision service can score with. The node deploys into it; the service reads the active
 * one. Exactly one model is active at a time (also enforced by a partial unique index), so there is never a moment
 * where two versions would both be "the" model.
 */
export interface ModelStore {
  /**
   * Stores a model, optionally making it active. Idempotent for an identical body, so a node may retry a deploy;
   * a different body under an existing version is refused (ALREADY_EXISTS), because a version must name one model.
   */
  deploy(model: LogisticModel, opts: { activate: boolean }): Promise<void>;
  /** Makes a deployed version the only active one (NOT_FOUND if unknown). Also how a rollback is done. */
  activate(version: string): Promise<void>;
  getActive(): Promise<LogisticModel | null>;
  /** Cheap poll target: lets a cache notice a new active model without loading its body. */
  getActiveVersion(): Promise<string | null>;
  list(): Promise<ModelSummary[]>;
}

const TABLE = 'models';

/**
 * First statement of every write transaction on `models`, so writers of models run one after the other.
 * SQLite: a write that claims the writer lock before anything is read; a transaction that reads first and writes
 * later fails with SQLITE_BUSY (no waiting) when another connection (the service recording applications) wrote in
 * between, while starting with a write makes it wait instead (busy_timeout).
 * PostgreSQL: a table lock that excludes other writers of `models` (readers go on). Row-locking the active row is
 * not enough there: concurrent activations then deadlock, or both pass and one trips the one-active index.
 */
async function claimWriteLock(trx: Knex.Transaction): Promise<void> {
  if (dialectOf(trx) === 'pg') {
    await trx.raw('lock table ?? in share row exclusive mode', [TABLE]);
    return;
  }
  await trx<ModelRow>(TABLE).where({ active: 1 }).update({ active: 1 });
}

async function activateIn(trx: Knex.Transaction, version: string, at: string): Promise<void> {
  const row = await trx<ModelRow>(TABLE).select('version', 'active').where({ version }).first();
  if (!row) throw new FedriskError('NOT_FOUND', `model version ${version} is not deployed`, { field: 'version' });
  if (Number(row.active) === 1) return;
  // Deactivate first: the partial unique index on active=1 would refuse two active rows even inside a transaction.
  await trx<ModelRow>(TABLE).where({ active: 1 }).update({ active: 0 });
  await trx<ModelRow>(TABLE).where({ version }).update({ active: 1, activated_at: at });
}

/** The knex implementation of {@link ModelStore} (SQLite by default, or PostgreSQL). */
export function createModelStore(knex: Knex, now: () => Date = () => new Date()): ModelStore {
  return {
    async deploy(model, opts) {
      const checked = checkModel(model);
      const body = canonicalJson(checked);
      await knex.transaction(async (trx) => {
        await claimWriteLock(trx);
        const existing = await trx<ModelRow>(TABLE).select('body').where({ version: checked.version }).first();
        if (existing) {
          if (existing.body !== body) {
            throw new FedriskError(
              'ALREADY_EXISTS',
              `model version ${checked.version} is already deployed with a different body`,
              { field: 'version' },
            );
          }
        } else {
          const row: ModelRow = {
            version: checked.version,
            format: checked.format,
            kind: checked.kind,
            body,
            active: 0,
            created_at: new Date(checked.createdAt).toISOString(),
            deployed_at: now().toISOString(),
            activated_at: null,
          };
          await trx<ModelRow>(TABLE).insert(row);
        }
        if (opts.activate) await activateIn(trx, checked.version, now().toISOString());
      });
    },

    async activate(version) {
      await knex.transaction(async (trx) => {
        await claimWriteLock(trx);
        await activateIn(trx, version, now().toISOString());
      });
    },

    async getActive() {
      const row = await knex<ModelRow>(TABLE).select('body').where({ active: 1 }).first();
      if (!row) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(row.body);
      } catch (err) {
        throw new FedriskError('INTERNAL', 'active model body is not valid JSON', {}, { cause: err });
      }
      return checkModel(parsed);
    },

    async getActiveVersion() {
      const row = await knex<ModelRow>(TABLE).select('version').where({ active: 1 }).first();
      return row ? row.version : null;
    },

    async list() {
      const rows = await knex<ModelRow>(TABLE)
        .select('version', 'active', 'created_at', 'deployed_at', 'activated_at')
        .orderBy([{ column: 'deployed_at', order: 'asc' }, { column: 'version', order: 'asc' }]);
      return rows.map((r) => ({
        version: r.version,
        active: Number(r.active) === 1,
        createdAt: r.created_at,
        deployedAt: r.deployed_at,
        activatedAt: r.activated_at,
      }));
    },
  };
}
