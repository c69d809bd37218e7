/**
 * Group commit for the decision path: every decision's rows (applicant PII boxes, the application record, its
 * linkage row, a review, the idempotent response, a callback delivery) and its audit entry are written in ONE
 * transaction together with the other decisions that arrived meanwhile, and each answer waits for that commit. So a
 * decision is durable and chained in the audit log before its response leaves, while the fsync is shared by a batch.
 *
 * The audit chain is single-writer by construction: entries get their sequence numbers and hashes here, in commit
 * order. A failed batch restores the chain head and fails every decision in it (none was answered).
 */
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { APPLICANTS_TABLE, APPLICANT_MERGE_COLUMNS, writeApplicants, type ApplicantRow } from '../pii/index.js';
import { AUDIT_TABLE, writeAuditRows, type AuditChain, type AuditKind, type AuditRecord, type AuditRow } from '../audit/index.js';
import { writeApplications, type ApplicationRow } from '../store/application-store.js';
import { LINKS_TABLE, writeLinks, type LinkRow } from '../linkage/index.js';
import { REVIEWS_TABLE, writeReviews, type ReviewRow } from '../reviews/index.js';
import { IDEMPOTENCY_MERGE_COLUMNS, IDEMPOTENCY_TABLE, writeIdempotency, type IdempotencyRow } from '../idempotency/index.js';
import { CALLBACK_DELIVERIES_TABLE, writeCallbackDeliveries, type CallbackDeliveryRow } from '../callbacks/index.js';
import { insertStatement, type SqlRow } from './sqlite-batch-sql.js';

/** Everything one decision (or one audited admin action) writes. */
export interface WriteItem {
  audit: { kind: AuditKind; record: AuditRecord; at: string };
  applicant?: ApplicantRow;
  /** Built once the audit sequence number is known (the application row records it). */
  application?: (auditSeq: number) => ApplicationRow;
  link?: LinkRow;
  review?: ReviewRow;
  idempotency?: IdempotencyRow;
  callback?: CallbackDeliveryRow;
  /** Any further statement that must commit atomically with the audit entry (admin actions). */
  extra?: (trx: Knex.Transaction) => Promise<void>;
}

interface Pending {
  item: WriteItem;
  resolve: (row: AuditRow) => void;
  reject: (err: unknown) => void;
}

export interface DecisionWriterOptions {
  /** Most items per transaction. */
  maxBatch?: number;
  log: Logger;
  /** Called after each committed batch (metrics). */
  onCommit?: (size: number, ms: number) => void;
  /** Called after a batch failed (the service rebuilds its in-memory indexes from the store). */
  onFailure?: () => Promise<void>;
}

export class DecisionWriter {
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly sqlite: boolean;
  /** The SQLite connection kept between consecutive batches (see execSqlite); null when it is back in the pool. */
  private held: SqliteConnection | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly chain: AuditChain,
    private readonly options: DecisionWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.sqlite = (knex.client as unknown as { config: { client?: unknown } }).config.client === 'sqlite3';
  }

  /** The chain's head after everything committed so far (what `audit verify` must end on). */
  get head(): { seq: number; hash: string } {
    return this.chain.head;
  }

  /** Resolves with the item's audit row once it is committed; rejects if its batch failed. */
  submit(item: WriteItem): Promise<AuditRow> {
    if (this.closed) return Promise.reject(new FedriskError('UNAVAILABLE', 'the service is shutting down'));
    return new Promise<AuditRow>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the requests that are already parsed join this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Waits for every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * SQLite: the whole batch as one `exec` on the connection (one round trip); see sqlite-batch-sql.ts. The pool's
   * connection is kept from one batch to the next while more decisions are queued and nobody else is waiting for it
   * (an acquire costs an event-loop round trip, about 1 ms per batch under load); it goes back to the pool as soon as
   * the queue is empty or another query asks for it, so admin work is never starved.
   */
  private async execSqlite(rows: BatchRows): Promise<void> {
    const sql = [
      'BEGIN IMMEDIATE;',
      insertStatement(AUDIT_TABLE, rows.audits as unknown as SqlRow[]),
      insertStatement(APPLICANTS_TABLE, rows.applicants as unknown as SqlRow[], { target: 'token', merge: APPLICANT_MERGE_COLUMNS }),
      insertStatement('applications', rows.applications as unknown as SqlRow[]),
      insertStatement(LINKS_TABLE, rows.links as unknown as SqlRow[]),
      insertStatement(REVIEWS_TABLE, rows.reviews as unknown as SqlRow[]),
      insertStatement(IDEMPOTENCY_TABLE, rows.idempotency as unknown as SqlRow[], { target: 'key_hash', merge: IDEMPOTENCY_MERGE_COLUMNS }),
      insertStatement(CALLBACK_DELIVERIES_TABLE, rows.callbacks as unknown as SqlRow[]),
      'COMMIT;',
    ].join('\n');
    const conn = (this.held ??= await this.pool().acquireConnection());
    try {
      await new Promise<void>((resolve, reject) => conn.exec(sql, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      await new Promise<void>((resolve) => conn.exec('ROLLBACK;', () => resolve()));
      await this.releaseHeld();
      throw err;
    }
    if (this.pool().pool.numPendingAcquires() > 0) await this.releaseHeld();
  }

  private pool(): SqliteClient {
    return this.knex.client as unknown as SqliteClient;
  }

  private async releaseHeld(): Promise<void> {
    const conn = this.held;
    this.held = null;
    if (conn !== null) await this.pool().releaseConnection(conn);
  }

  /** Any backend: the same rows through the query builder, in one transaction. */
  private async writeWithKnex(rows: BatchRows, items: WriteItem[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await writeAuditRows(trx, rows.audits);
      if (rows.applicants.length > 0) await writeApplicants(trx, rows.applicants);
      if (rows.applications.length > 0) await writeApplications(trx, rows.applications);
      if (rows.links.length > 0) await writeLinks(trx, rows.links);
      if (rows.reviews.length > 0) await writeReviews(trx, rows.reviews);
      if (rows.idempotency.length > 0) await writeIdempotency(trx, rows.idempotency);
      if (rows.callbacks.length > 0) await writeCallbackDeliveries(trx, rows.callbacks);
      for (const i of items) if (i.extra) await i.extra(trx);
    });
  }

  private async flush(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        // Nothing left: give the connection back, then look again (decisions may have arrived meanwhile); stop only
        // with an empty queue and nothing held, in the same tick as `flushing` goes false.
        if (this.held === null) break;
        await this.releaseHeld();
        continue;
      }
      const batch = this.queue.splice(0, this.maxBatch);
      const started = Date.now();
      const mark = this.chain.head;
      try {
        const audits = batch.map((p) => this.chain.next(p.item.audit.kind, p.item.audit.record, p.item.audit.at));
        const rows = collect(batch.map((p) => p.item), audits);
        if (this.sqlite && !batch.some((p) => p.item.extra)) await this.execSqlite(rows);
        else {
          if (this.held !== null) await this.releaseHeld();
          await this.writeWithKnex(rows, batch.map((p) => p.item));
        }
        this.options.onCommit?.(batch.length, Date.now() - started);
        batch.forEach((p, k) => p.resolve(audits[k]!));
      } catch (err) {
        this.chain.rollback(mark);
        this.options.log.error('decision batch failed to commit', { size: batch.length, error: err instanceof Error ? err.message : String(err) });
        const fe = err instanceof FedriskError ? err : new FedriskError('UNAVAILABLE', 'the decision could not be stored; nothing was decided', {}, { cause: err });
        for (const p of batch) p.reject(fe);
        // The rebuild below queries through the pool: the connection must be back there first (it already is when
        // the batch's own statement failed; see execSqlite).
        if (this.held !== null) await this.releaseHeld().catch(() => undefined);
        await this.options.onFailure?.().catch((e: unknown) => this.options.log.error('index rebuild failed', { error: String(e) }));
      }
    }
    this.flushing = false;
  }
}

interface SqliteConnection {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

interface SqliteClient {
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(c: SqliteConnection): Promise<void>;
  pool: { numPendingAcquires(): number };
}

interface BatchRows {
  audits: AuditRow[];
  applicants: ApplicantRow[];
  applications: ApplicationRow[];
  links: LinkRow[];
  reviews: ReviewRow[];
  idempotency: IdempotencyRow[];
  callbacks: CallbackDeliveryRow[];
}

function collect(items: WriteItem[], audits: AuditRow[]): BatchRows {
  const applicants = new Map<string, ApplicantRow>();
  for (const i of items) if (i.applicant) applicants.set(i.applicant.token, i.applicant);
  return {
    audits,
    // One row per token (the last wins), as an upsert of the same key twice in one statement is refused by PostgreSQL.
    applicants: [...applicants.values()],
    applications: items.flatMap((i, k) => (i.application ? [i.application(audits[k]!.seq)] : [])),
    links: items.flatMap((i) => (i.link ? [i.link] : [])),
    reviews: items.flatMap((i) => (i.review ? [i.review] : [])),
    idempotency: items.flatMap((i) => (i.idempotency ? [i.idempotency] : [])),
    callbacks: items.flatMap((i) => (i.callback ? [i.callback] : [])),
  };
}
