import type { Knex } from 'knex';
import { FedriskError, invalid } from '../../common/errors.js';

/** Where a review stands: waiting, being worked on by one reviewer, or settled. */
export const REVIEW_STATUSES = ['pending', 'claimed', 'decided'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** What a reviewer may conclude; `review` itself is not a final outcome. */
export const REVIEW_OUTCOMES = ['approve', 'reject'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** The table this folder owns. */
export const REVIEWS_TABLE = 'reviews';

/** One row of `reviews`, as stored (snake_case, JSON as text, timestamps as ISO-8601 UTC text). */
export interface ReviewRow {
  application_id: string;
  status: ReviewStatus;
  created_at: string;
  reason_codes_json: string;
  proposed_apr: number | null;
  proposed_limit: number | null;
  claimed_by: string | null;
  claimed_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  outcome: ReviewOutcome | null;
  final_apr: number | null;
  final_limit: number | null;
  note: string | null;
  version: number;
}

/** A review as handlers and the HTTP layer see it. Reason codes are internal: for reviewers, never for applicants. */
export interface ReviewRecord {
  applicationId: string;
  status: ReviewStatus;
  createdAt: string;
  reasonCodes: string[];
  proposedApr: number | null;
  proposedLimit: number | null;
  claimedBy: string | null;
  claimedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  outcome: ReviewOutcome | null;
  finalApr: number | null;
  finalLimit: number | null;
  note: string | null;
  version: number;
}

/** What the pipeline knows when it sends an application to review. */
export interface ReviewProposal {
  /** Internal reason codes (rule hits, grey-zone grade, ...). */
  reasonCodes: readonly string[];
  /** The APR the pipeline priced (already capped), or null when it priced nothing. */
  proposedApr: number | null;
  /** The limit the pipeline computed, or null when it computed none. */
  proposedLimit: number | null;
}

const MAX_REASON_CODES = 64;

/**
 * Builds the pending row for an application sent to review. The pipeline's group-commit writer passes it to
 * {@link writeReviews} in the same transaction as the decision, so a `review` answer always has its queue entry.
 * Throws INVALID_ARGUMENT on a malformed proposal (a programming error upstream, caught before anything is written).
 */
export function reviewRow(applicationId: string, proposal: ReviewProposal, now: Date): ReviewRow {
  if (typeof applicationId !== 'string' || applicationId.length === 0 || applicationId.length > 64) {
    throw invalid('applicationId', 'must be a string of 1..64 characters');
  }
  const codes = proposal.reasonCodes;
  if (!Array.isArray(codes) || codes.length > MAX_REASON_CODES || !codes.every((c) => typeof c === 'string' && c.length > 0 && c.length <= 200)) {
    throw invalid('reasonCodes', `must be at most ${MAX_REASON_CODES} non-empty strings`);
  }
  const apr = proposal.proposedApr;
  if (apr !== null && !(typeof apr === 'number' && Number.isFinite(apr) && apr >= 0)) {
    throw invalid('proposedApr', 'must be a finite number >= 0 or null');
  }
  const limit = proposal.proposedLimit;
  if (limit !== null && !(typeof limit === 'number' && Number.isFinite(limit) && limit >= 0)) {
    throw invalid('proposedLimit', 'must be a finite number >= 0 or null');
  }
  return {
    application_id: applicationId,
    status: 'pending',
    created_at: now.toISOString(),
    reason_codes_json: JSON.stringify(codes),
    proposed_apr: apr,
    proposed_limit: limit,
    claimed_by: null,
    claimed_at: null,
    decided_by: null,
    decided_at: null,
    outcome: null,
    final_apr: null,
    final_limit: null,
    note: null,
    version: 0,
  };
}

/** Rows per INSERT: 15 columns x 50 rows stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 50;

/**
 * Inserts review rows inside the caller's transaction (the group-commit writer's), so the queue entry commits or
 * rolls back together with the decision it belongs to. A second row for the same application fails the transaction
 * (primary key): an application is reviewed once.
 */
export async function writeReviews(trx: Knex | Knex.Transaction, rows: readonly ReviewRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx<ReviewRow>(REVIEWS_TABLE).insert(rows.slice(i, i + CHUNK) as ReviewRow[]);
  }
}

function isStatus(v: unknown): v is ReviewStatus {
  return typeof v === 'string' && (REVIEW_STATUSES as readonly string[]).includes(v);
}

function isOutcome(v: unknown): v is ReviewOutcome {
  return typeof v === 'string' && (REVIEW_OUTCOMES as readonly string[]).includes(v);
}

function num(v: number | string | null): number | null {
  // PostgreSQL returns double precision as number, but be tolerant of drivers that return numeric text.
  return v === null ? null : Number(v);
}

function parseCodes(json: string, id: string): string[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((c): c is string => typeof c === 'string')) {
    throw new FedriskError('INTERNAL', `review ${id} has malformed reason codes in the store`);
  }
  return parsed;
}

/** Row -> record; refuses rows the code does not understand rather than guessing. */
export function reviewFromRow(r: ReviewRow): ReviewRecord {
  if (!isStatus(r.status) || (r.outcome !== null && !isOutcome(r.outcome))) {
    throw new FedriskError('INTERNAL', `review ${r.application_id} has an unknown status or outcome in the store`);
  }
  return {
    applicationId: r.application_id,
    status: r.status,
    createdAt: r.created_at,
    reasonCodes: parseCodes(r.reason_codes_json, r.application_id),
    proposedApr: num(r.proposed_apr),
    proposedLimit: num(r.proposed_limit),
    claimedBy: r.claimed_by,
    claimedAt: r.claimed_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    outcome: r.outcome,
    finalApr: num(r.final_apr),
    finalLimit: num(r.final_limit),
    note: r.note,
    version: Number(r.version),
  };
}
