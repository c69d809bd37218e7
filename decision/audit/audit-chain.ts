/**
 * The decision log regulators ask for (MISSION 16, DESIGN threat model 7): append-only, each entry hash-chained to
 * the one before, so an edited, deleted or reordered entry breaks every later link and `verifyAuditLog` names it.
 *
 * Entry `seq` stores `record_json = canonicalJson({ at, kind, record, seq })` (the envelope: the caller's record
 * plus the row's own sequence number, time and kind, so none of the columns can be changed unnoticed either) and
 * `hash = sha256hex(prevHash + '\n' + record_json)`; the first entry's prevHash is 64 zeros.
 *
 * Records hold digests, tokens, flags, rule hits, versions and the outcome: NEVER PII. The log must stay verifiable
 * after an applicant's data is erased, so nothing in it may need erasing; callers pass `canonicalDigest(input)`, not
 * the input. A cheap guard refuses a record holding anything that looks like an ID number, a mainland mobile or a
 * Luhn-valid card number, so a programming slip fails loudly in tests instead of writing PII into an append-only log.
 */
import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { canonicalJson } from '../canonical-json.js';
import { luhnValid } from '../pii/identifier-rules.js';

export const AUDIT_TABLE = 'audit_log';
export const AUDIT_KINDS = ['decision', 'review', 'erasure', 'rules', 'policy', 'list'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller logs: plain JSON data (digests, flags, versions), never PII. */
export type AuditRecord = Readonly<Record<string, unknown>>;

/** One row of `audit_log`. PostgreSQL returns bigint `seq` as a string, hence the reader's Number(). */
export interface AuditRow {
  seq: number;
  at: string;
  kind: AuditKind;
  record_json: string;
  prev_hash: string;
  hash: string;
}

/** The last entry: its seq (0 for an empty log) and hash (GENESIS_HASH for an empty log). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** The envelope text of one entry: canonical JSON, keys sorted, so `at`, `kind`, `record`, `seq` in that order. */
export function auditRecordJson(seq: number, at: string, kind: AuditKind, record: AuditRecord): string {
  return canonicalJson({ at, kind, record, seq });
}

/** sha256hex(prevHash + '\n' + recordJson): the link of the chain. */
export function auditHash(prevHash: string, recordJson: string): string {
  // One-shot hash (no Hash object): this runs for every decision.
  return hash('sha256', `${prevHash}\n${recordJson}`, 'hex');
}

// Bounded by non-alphanumerics, so digit runs inside hex digests, base64url tokens and UUIDs do not trip them.
const ID_LIKE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/;
const MOBILE_LIKE = /(?<![0-9A-Za-z])(?:0086|86)?1[3-9]\d{9}(?![0-9A-Za-z])/;
const CARD_LIKE = /(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])/g;

// Every pattern above needs a run of at least 11 digits: one cheap test rules out nearly every string of a record.
const DIGIT_RUN = /\d{11}/;

function piiKind(text: string): string | null {
  if (!DIGIT_RUN.test(text)) return null;
  if (ID_LIKE.test(text)) return 'an ID number';
  if (MOBILE_LIKE.test(text)) return 'a mobile number';
  for (const m of text.matchAll(CARD_LIKE)) if (luhnValid(m[0])) return 'a bank card number';
  return null;
}

/**
 * Where in `value` something looks like PII (`record.applicant.phone`), or null. Checks strings, object keys and
 * integers of 11 digits or more. A heuristic guard against mistakes, not a classifier: names cannot be detected.
 */
export function findPiiLike(value: unknown, path = 'record', depth = 0): { path: string; looksLike: string } | null {
  if (depth > 64) return null; // canonicalJson refuses it anyway
  if (typeof value === 'string') {
    const k = piiKind(value);
    return k === null ? null : { path, looksLike: k };
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) < 1e10) return null;
    const k = piiKind(String(Math.abs(value)));
    return k === null ? null : { path, looksLike: k };
  }
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPiiLike(value[i], '', depth + 1);
      if (hit) return { path: `${path}[${i}]${hit.path}`, looksLike: hit.looksLike };
    }
    return null;
  }
  // for...in over own keys rather than Object.entries: this walks every audit record on the decision path, and the
  // path text is only built for a hit.
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const keyKind = piiKind(k);
    if (keyKind !== null) return { path: `${path} (a key)`, looksLike: keyKind };
    const hit = findPiiLike((value as Record<string, unknown>)[k], '', depth + 1);
    if (hit) return { path: `${path}.${k}${hit.path}`, looksLike: hit.looksLike };
  }
  return null;
}

/**
 * The in-memory head of the chain. One writer per database appends: the group-commit writer calls {@link next} for
 * each decision in commit order, persists the rows with {@link writeAuditRows} in the same transaction as the
 * decisions, and on a failed transaction calls {@link rollback} with the head it saw before, so the chain never
 * skips or reuses a seq. (With several service hosts on one PostgreSQL database, appends must be serialised, e.g. by
 * an advisory lock around the transaction and a reload of the head when the seq is taken: the seq primary key
 * refuses a second writer's entry rather than forking the chain.)
 */
export class AuditChain {
  private constructor(
    private headSeq: number,
    private headHash: string,
  ) {}

  /** Reads the head (last seq and hash) from the store; an empty log starts from genesis. */
  static async load(db: Knex | Knex.Transaction): Promise<AuditChain> {
    const row = (await db(AUDIT_TABLE).select('seq', 'hash').orderBy('seq', 'desc').first()) as Pick<AuditRow, 'hash'> & { seq: number | string } | undefined;
    return row ? new AuditChain(Number(row.seq), row.hash) : new AuditChain(0, GENESIS_HASH);
  }

  get head(): AuditHead {
    return { seq: this.headSeq, hash: this.headHash };
  }

  /**
   * The next entry: assigns its seq, builds the canonical envelope, links and hashes it, and advances the head.
   * Synchronous and pure apart from the head, so it can run inside the commit path. Refuses an unknown kind, a
   * record that cannot be canonical JSON, and a record that looks like it holds PII.
   */
  next(kind: AuditKind, record: AuditRecord, at: string): AuditRow {
    if (!(AUDIT_KINDS as readonly string[]).includes(kind)) {
      throw new FedriskError('INTERNAL', `unknown audit entry kind ${String(kind)}`, { field: 'kind' });
    }
    if (typeof at !== 'string' || at.length === 0) throw new FedriskError('INTERNAL', 'an audit entry needs its time', { field: 'at' });
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new FedriskError('INTERNAL', 'an audit record is a JSON object', { field: 'record' });
    }
    const pii = findPiiLike(record);
    if (pii) {
      throw new FedriskError('INTERNAL', `audit ${pii.path} looks like ${pii.looksLike}: the audit log holds digests and tokens, never PII`, {
        field: pii.path,
      });
    }
    const seq = this.headSeq + 1;
    let recordJson: string;
    try {
      recordJson = auditRecordJson(seq, at, kind, record);
    } catch (err) {
      throw new FedriskError('INTERNAL', `audit record is not JSON data: ${err instanceof Error ? err.message : String(err)}`, { field: 'record' }, { cause: err });
    }
    const row: AuditRow = { seq, at, kind, record_json: recordJson, prev_hash: this.headHash, hash: auditHash(this.headHash, recordJson) };
    this.headSeq = seq;
    this.headHash = row.hash;
    return row;
  }

  /**
   * Restores the head to where it was before a failed transaction (the rows it made were never stored). Only moves
   * backwards: rolling forward past the real head would leave a gap.
   */
  rollback(toHead: AuditHead): void {
    if (!Number.isInteger(toHead.seq) || toHead.seq < 0 || toHead.seq > this.headSeq) {
      throw new FedriskError('INTERNAL', `cannot roll the audit head back to seq ${toHead.seq} from ${this.headSeq}`);
    }
    this.headSeq = toHead.seq;
    this.headHash = toHead.hash;
  }
}

/** Rows per INSERT: 6 columns x 500 is well inside both databases' parameter limits. */
const INSERT_CHUNK = 500;

/** Stores entries made by {@link AuditChain.next}, in the caller's transaction (the one that stores the decisions). */
export async function writeAuditRows(db: Knex | Knex.Transaction, rows: readonly AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db<AuditRow>(AUDIT_TABLE).insert(rows.slice(i, i + INSERT_CHUNK));
  }
}
