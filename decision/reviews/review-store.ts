import type { Knex } from 'knex';
import {
  REVIEWS_TABLE,
  reviewFromRow,
  writeReviews,
  type ReviewOutcome,
  type ReviewRecord,
  type ReviewRow,
  type ReviewStatus,
} from './review-row.js';

/** A page of the queue: `limit` rows after skipping `offset`. */
export interface ReviewPage {
  limit: number;
  offset: number;
}

/** Open reviews (pending or claimed), oldest first, and how many there are in all. */
export interface ReviewList {
  items: ReviewRecord[];
  total: number;
  limit: number;
  offset: number;
}

/** The columns a transition may set; `version` is bumped by the store itself. */
export interface ReviewChange {
  status: ReviewStatus;
  claimedBy?: string | null;
  claimedAt?: string | null;
  decidedBy?: string | null;
  decidedAt?: string | null;
  outcome?: ReviewOutcome | null;
  finalApr?: number | null;
  finalLimit?: number | null;
  note?: string | null;
}

/**
 * Where reviews are kept. Every state change goes through {@link ReviewStore.transition}, a compare-and-set on
 * `version`: of two concurrent writers that read the same version, exactly one succeeds, on SQLite and PostgreSQL
 * alike, without holding locks while a reviewer thinks.
 */
export interface ReviewStore {
  /** Inserts pending rows outside a pipeline transaction (tests, backfills); the pipeline uses `writeReviews`. */
  insert(rows: readonly ReviewRow[]): Promise<void>;
  get(applicationId: string): Promise<ReviewRecord | null>;
  /** Open reviews (pending and claimed), oldest first. */
  listOpen(page: ReviewPage): Promise<ReviewList>;
  /** Applies `change` only if the row is still at `expectedVersion`; the updated record, or null if it moved on. */
  transition(applicationId: string, expectedVersion: number, change: ReviewChange): Promise<ReviewRecord | null>;
}

type RowPatch = Partial<Omit<ReviewRow, 'application_id' | 'version' | 'created_at' | 'reason_codes_json'>>;

function toPatch(change: ReviewChange): RowPatch {
  const patch: RowPatch = { status: change.status };
  if (change.claimedBy !== undefined) patch.claimed_by = change.claimedBy;
  if (change.claimedAt !== undefined) patch.claimed_at = change.claimedAt;
  if (change.decidedBy !== undefined) patch.decided_by = change.decidedBy;
  if (change.decidedAt !== undefined) patch.decided_at = change.decidedAt;
  if (change.outcome !== undefined) patch.outcome = change.outcome;
  if (change.finalApr !== undefined) patch.final_apr = change.finalApr;
  if (change.finalLimit !== undefined) patch.final_limit = change.finalLimit;
  if (change.note !== undefined) patch.note = change.note;
  return patch;
}

const OPEN: ReviewStatus[] = ['pending', 'claimed'];

/**
 * The applicant tokens of open reviews (pending or claimed), as a subquery: the applicants the retention purge must
 * spare (`ApplicantStore.purgeOlderThan(..., { pendingTokens })`). `applications.id` is a uuid column on PostgreSQL
 * and `reviews.application_id` text, and PostgreSQL has no uuid = text operator, so the join compares the id as text.
 */
export function openReviewApplicantTokens(knex: Knex): Knex.QueryBuilder {
  return knex(REVIEWS_TABLE)
    .whereIn(`${REVIEWS_TABLE}.status`, OPEN)
    .join('applications', (j) => {
      j.on(`${REVIEWS_TABLE}.application_id`, knex.raw('cast(?? as varchar(64))', ['applications.id']));
    })
    .select('applications.applicant_token');
}

/** The knex implementation of {@link ReviewStore} (SQLite by default, PostgreSQL for scale-out). */
export function createReviewStore(knex: Knex): ReviewStore {
  return {
    async insert(rows) {
      await knex.transaction((trx) => writeReviews(trx, rows));
    },

    async get(applicationId) {
      const row = await knex<ReviewRow>(REVIEWS_TABLE).where({ application_id: applicationId }).first();
      return row ? reviewFromRow(row) : null;
    },

    async listOpen(page) {
      const rows = (await knex<ReviewRow>(REVIEWS_TABLE)
        .whereIn('status', OPEN)
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'application_id', order: 'asc' },
        ])
        .limit(page.limit)
        .offset(page.offset)) as ReviewRow[];
      const counted = (await knex(REVIEWS_TABLE).whereIn('status', OPEN).count({ n: '*' })) as { n: number | string }[];
      return { items: rows.map(reviewFromRow), total: Number(counted[0]?.n ?? 0), limit: page.limit, offset: page.offset };
    },

    async transition(applicationId, expectedVersion, change) {
      return knex.transaction(async (trx) => {
        const updated = await trx<ReviewRow>(REVIEWS_TABLE)
          .where({ application_id: applicationId, version: expectedVersion })
          .update({ ...toPatch(change), version: expectedVersion + 1 });
        if (updated !== 1) return null;
        // Same transaction: on PostgreSQL the row lock taken by the update guarantees we read our own write.
        const row = await trx<ReviewRow>(REVIEWS_TABLE).where({ application_id: applicationId }).first();
        return row ? reviewFromRow(row) : null;
      });
    },
  };
}
