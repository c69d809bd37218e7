import type { Knex } from 'knex';
import { dialectOf } from '../../common/db/index.js';
import { FedriskError, invalid } from '../../common/errors.js';
import { canonicalDigest, canonicalJson } from '../canonical-json.js';

/**
 * Append-only, versioned JSON documents with exactly one active version: the storage shape shared by rule sets
 * (`rules_versions`) and pricing/limit policies (`policy_versions`). A version is never rewritten, so every stored
 * decision's `rulesVersion` keeps naming the exact document that decided it, and a rollback is just activating an
 * older version.
 */

/** One row of a versions table, as stored. */
export interface VersionRow {
  version: number;
  /** Canonical JSON of the document. */
  document: string;
  /** SHA-256 (hex) of `document`. */
  digest: string;
  created_at: string;
  created_by: string;
  note: string;
  active: number;
  activated_at: string | null;
}

/** A version as listed: everything but the document. */
export interface VersionSummary {
  version: number;
  digest: string;
  createdAt: string;
  createdBy: string;
  note: string;
  active: boolean;
  activatedAt: string | null;
}

/** A version with its document. */
export interface StoredVersion extends VersionSummary {
  /** The parsed document (plain JSON value). */
  document: unknown;
}

/** Options of a put: store a version without activating it (to stage or dry-run it first). */
export interface PutOptions {
  /** Make the new version the active one (default true). The very first version is always made active. */
  activate?: boolean;
}

/** The storage interface shared by the rules and policy stores. */
export interface VersionedDocumentStore {
  /** Validates, stores as the next version number, and (by default) activates it. Returns the new version. */
  put(doc: unknown, createdBy: string, note: string, opts?: PutOptions): Promise<number>;
  /** Makes a stored version the only active one (NOT_FOUND if unknown): also the rollback. */
  activate(version: number): Promise<void>;
  getActive(): Promise<StoredVersion | null>;
  /** One indexed one-column read: what a cache polls to notice another process's put or activate. */
  getActiveVersion(): Promise<number | null>;
  get(version: number): Promise<StoredVersion | null>;
  /** All versions, oldest first, without documents. */
  list(): Promise<VersionSummary[]>;
  /** Stores `doc` as version 1, active, if the table is empty; returns 1, or null when versions already exist. */
  seed(doc: unknown, createdBy: string, note: string): Promise<number | null>;
}

/** What distinguishes one versioned table from another: its name, label and validation. */
/**
 * A versioned document store with its document type fixed (rule sets, policies): a change is a new version validated
 * before it is stored, the decision record names the version, and a rollback re-activates an older one. Exactly one
 * version is active once any exists.
 */
export interface TypedDocumentStore<D> {
  /** Validates `doc` (INVALID_ARGUMENT naming the problem) and stores it as the next version. */
  put(doc: unknown, createdBy: string, note: string, opts?: PutOptions): Promise<number>;
  /** Makes `version` the only active one (NOT_FOUND if it does not exist): the rollback. */
  activate(version: number): Promise<void>;
  getActive(): Promise<(VersionSummary & { document: D }) | null>;
  getActiveVersion(): Promise<number | null>;
  get(version: number): Promise<(VersionSummary & { document: D }) | null>;
  list(): Promise<VersionSummary[]>;
  /** Stores the shipped default as version 1 if no version exists; returns 1, or null if already seeded. */
  seedDefault(): Promise<number | null>;
}

/**
 * Fixes the document type of a versioned store: `read` turns a stored document into a `D` (throwing if it no longer
 * is one), `seed` stores the shipped default. Rules and policy differ only in these two.
 */
export function typedDocumentStore<D>(
  store: VersionedDocumentStore,
  read: (v: StoredVersion) => D,
  seed: (store: VersionedDocumentStore) => Promise<number | null>,
): TypedDocumentStore<D> {
  const typed = (v: StoredVersion | null): (VersionSummary & { document: D }) | null => (v ? { ...v, document: read(v) } : null);
  return {
    put: (doc, createdBy, note, putOpts) => store.put(doc, createdBy, note, putOpts),
    activate: (version) => store.activate(version),
    getActive: async () => typed(await store.getActive()),
    getActiveVersion: () => store.getActiveVersion(),
    get: async (version) => typed(await store.get(version)),
    list: () => store.list(),
    seedDefault: () => seed(store),
  };
}

export interface VersionedDocumentStoreOptions {
  table: string;
  /** Names the document in errors (`rules version 3 ...`). */
  label: string;
  /** Refuses a bad document (INVALID_ARGUMENT) and returns the value to store. Runs before any write. */
  validate(doc: unknown): Promise<unknown>;
  now?: () => Date;
}

const SUMMARY_COLUMNS = ['version', 'digest', 'created_at', 'created_by', 'note', 'active', 'activated_at'] as const;
const MAX_PUT_ATTEMPTS = 5;

function summary(r: Omit<VersionRow, 'document'>): VersionSummary {
  return {
    version: Number(r.version),
    digest: r.digest,
    createdAt: r.created_at,
    createdBy: r.created_by,
    note: r.note,
    active: Number(r.active) === 1,
    activatedAt: r.activated_at,
  };
}

function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  return e.code === '23505' || (e.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY/i.test(String(e.message)));
}

function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) throw invalid('version', 'must be a positive integer');
}

function checkAuthor(createdBy: string, note: string): void {
  if (typeof createdBy !== 'string' || !createdBy.trim() || createdBy.length > 200) {
    throw invalid('createdBy', 'must be a non-empty string of at most 200 characters');
  }
  if (typeof note !== 'string' || note.length > 2000) throw invalid('note', 'must be a string of at most 2000 characters');
}

/** The knex implementation (SQLite and PostgreSQL: only portable SQL, the one-active rule in a transaction). */
export function createVersionedDocumentStore(knex: Knex, options: VersionedDocumentStoreOptions): VersionedDocumentStore {
  const { table, label } = options;
  const now = options.now ?? (() => new Date());

  /**
   * First statement of every write transaction, so concurrent puts and activations run one after the other. SQLite:
   * a write, which takes the database's writer lock before anything is read (a read-then-write transaction would fail
   * with SQLITE_BUSY instead of waiting). PostgreSQL: a transaction-scoped advisory lock named after the table
   * (locking the active row is not enough: a waiter wakes to find that row deactivated, locks nothing, and races).
   */
  const claimWriteLock = async (trx: Knex.Transaction): Promise<void> => {
    if (dialectOf(trx) === 'pg') {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`fedrisk/versions/${table}`]);
      return;
    }
    await trx<VersionRow>(table).where({ active: 1 }).update({ active: 1 });
  };

  const activateIn = async (trx: Knex.Transaction, version: number): Promise<void> => {
    const row = await trx<VersionRow>(table).select('version', 'active').where({ version }).first();
    if (!row) throw new FedriskError('NOT_FOUND', `${label} version ${version} does not exist`, { field: 'version' });
    if (Number(row.active) === 1) return;
    // Deactivate first: the partial unique index refuses two active rows even inside the transaction.
    await trx<VersionRow>(table).where({ active: 1 }).update({ active: 0 });
    await trx<VersionRow>(table).where({ version }).update({ active: 1, activated_at: now().toISOString() });
  };

  const read = (row: VersionRow): StoredVersion => {
    let document: unknown;
    try {
      document = JSON.parse(row.document);
    } catch (err) {
      throw new FedriskError('INTERNAL', `${label} version ${row.version} is not valid JSON`, {}, { cause: err });
    }
    return { ...summary(row), document };
  };

  const insertNext = async (text: string, digest: string, createdBy: string, note: string, activate: boolean): Promise<number> =>
    knex.transaction(async (trx) => {
      await claimWriteLock(trx);
      const max = await trx<VersionRow>(table).max({ v: 'version' }).first();
      const current = max && max.v !== null && max.v !== undefined ? Number(max.v) : 0;
      const version = current + 1;
      const at = now().toISOString();
      await trx<VersionRow>(table).insert({
        version,
        document: text,
        digest,
        created_at: at,
        created_by: createdBy,
        note,
        active: 0,
        activated_at: null,
      });
      if (activate || current === 0) await activateIn(trx, version);
      return version;
    });

  return {
    async put(doc, createdBy, note, opts = {}) {
      checkAuthor(createdBy, note);
      const value = await options.validate(doc);
      const text = canonicalJson(value);
      const digest = canonicalDigest(value);
      for (let attempt = 1; ; attempt++) {
        try {
          return await insertNext(text, digest, createdBy, note, opts.activate ?? true);
        } catch (err) {
          // Defence in depth (writers are serialised by claimWriteLock): a duplicate number is retried, not surfaced.
          if (!isUniqueViolation(err) || attempt >= MAX_PUT_ATTEMPTS) throw err;
        }
      }
    },

    async activate(version) {
      checkVersion(version);
      await knex.transaction(async (trx) => {
        await claimWriteLock(trx);
        await activateIn(trx, version);
      });
    },

    async getActive() {
      const row = await knex<VersionRow>(table).select('*').where({ active: 1 }).first();
      return row ? read(row) : null;
    },

    async getActiveVersion() {
      const row = await knex<VersionRow>(table).select('version').where({ active: 1 }).first();
      return row ? Number(row.version) : null;
    },

    async get(version) {
      checkVersion(version);
      const row = await knex<VersionRow>(table).select('*').where({ version }).first();
      return row ? read(row) : null;
    },

    async list() {
      const rows = await knex<VersionRow>(table).select(...SUMMARY_COLUMNS).orderBy('version', 'asc');
      return rows.map(summary);
    },

    async seed(doc, createdBy, note) {
      checkAuthor(createdBy, note);
      const existing = await knex<VersionRow>(table).select('version').first();
      if (existing) return null;
      const value = await options.validate(doc);
      try {
        return await knex.transaction(async (trx) => {
          await claimWriteLock(trx);
          if (await trx<VersionRow>(table).select('version').first()) return null;
          await trx<VersionRow>(table).insert({
            version: 1,
            document: canonicalJson(value),
            digest: canonicalDigest(value),
            created_at: now().toISOString(),
            created_by: createdBy,
            note,
            active: 0,
            activated_at: null,
          });
          await activateIn(trx, 1);
          return 1;
        });
      } catch (err) {
        // Another process seeded at the same moment: its version 1 stands.
        if (isUniqueViolation(err)) return null;
        throw err;
      }
    },
  };
}
