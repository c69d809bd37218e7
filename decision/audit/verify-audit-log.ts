/**
 * Verification of the hash-chained decision log, for `fedrisk decision audit verify` and `GET /v1/audit/verify`.
 * Streams the log in seq order with keyset pagination (`seq > last ... limit batch`), so memory stays constant
 * however long the log is, and stops at the first broken entry, which it names with the reason:
 *
 * - a missing seq (a deleted entry)                       -> the first missing seq
 * - prev_hash not the previous entry's hash (reordered or inserted entries, an edited prev_hash) -> that entry
 * - hash not sha256(prev_hash + '\n' + record_json) (an edited record or hash) -> that entry
 * - the seq, at or kind column not the one inside the hashed record (an edited column) -> that entry
 *
 * Removing entries from the END leaves a valid shorter chain; only a head remembered elsewhere exposes it. Pass
 * `expectedHead` (the running service's AuditChain head, or one published earlier) to check that too.
 */
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { AUDIT_TABLE, GENESIS_HASH, auditHash, type AuditHead, type AuditRow } from './audit-chain.js';

export interface VerifyAuditOptions {
  /** Rows per read (default 5000). */
  batch?: number;
  /** A head known to be genuine: the log must contain it, with this hash. */
  expectedHead?: AuditHead;
}

export interface VerifyAuditResult {
  ok: boolean;
  /** Entries verified good (all of them when ok). */
  entries: number;
  firstBroken: { seq: number; reason: string } | null;
  /** Hash of the last entry verified good (GENESIS_HASH for an empty log). */
  head: string;
  /** Seq of that entry (0 for an empty log). */
  headSeq: number;
}

type StoredRow = Omit<AuditRow, 'seq'> & { seq: number | string };

/** What the canonical envelope of a row must start and end with, given its columns (keys sorted: at, kind, record, seq). */
function envelopeMatches(r: StoredRow, seq: number): boolean {
  const prefix = `{"at":${JSON.stringify(r.at)},"kind":${JSON.stringify(r.kind)},"record":`;
  return r.record_json.startsWith(prefix) && r.record_json.endsWith(`,"seq":${seq}}`);
}

/** Walks the whole log and reports the first broken entry, if any. */
export async function verifyAuditLog(knex: Knex, options: VerifyAuditOptions = {}): Promise<VerifyAuditResult> {
  const batch = options.batch ?? 5000;
  if (!Number.isInteger(batch) || batch < 1) throw new FedriskError('INVALID_ARGUMENT', 'batch must be a positive integer', { field: 'batch' });
  const expected = options.expectedHead;
  let prev = GENESIS_HASH;
  let expect = 1;
  let entries = 0;
  const result = (firstBroken: VerifyAuditResult['firstBroken']): VerifyAuditResult => ({
    ok: firstBroken === null,
    entries,
    firstBroken,
    head: prev,
    headSeq: expect - 1,
  });

  for (;;) {
    const rows = (await knex(AUDIT_TABLE)
      .select('seq', 'at', 'kind', 'record_json', 'prev_hash', 'hash')
      .where('seq', '>', expect - 1)
      .orderBy('seq')
      .limit(batch)) as StoredRow[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expect) {
        const missing = seq - 1 === expect ? `entry ${expect} is missing` : `entries ${expect}..${seq - 1} are missing`;
        return result({ seq: expect, reason: `${missing} (deleted): the next stored entry is ${seq}` });
      }
      if (r.prev_hash !== prev) {
        return result({ seq, reason: `prev_hash is not the hash of entry ${seq - 1}: entries reordered or inserted, or prev_hash edited` });
      }
      if (auditHash(r.prev_hash, r.record_json) !== r.hash) {
        return result({ seq, reason: 'hash does not match the record: record_json or hash edited' });
      }
      if (!envelopeMatches(r, seq)) {
        return result({ seq, reason: 'the seq, at or kind column differs from the hashed record: a column was edited' });
      }
      if (expected && seq === expected.seq && r.hash !== expected.hash) {
        return result({ seq, reason: 'entry differs from the expected head: the log was rewritten from here' });
      }
      prev = r.hash;
      expect++;
      entries++;
    }
    if (rows.length < batch) break;
  }
  if (expected && expected.seq > entries) {
    return result({ seq: entries + 1, reason: `the log ends at entry ${entries} but the expected head is entry ${expected.seq}: entries removed from the end` });
  }
  return result(null);
}
