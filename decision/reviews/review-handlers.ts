import { createHash } from 'node:crypto';
import { FedriskError } from '../../common/errors.js';
import { capApr, type AprCap } from '../policy/apr-cap.js';
import { validateId, validateReviewDecision, validateReviewPage, type ReviewDecisionInput } from './review-decision.js';
import type { ReviewOutcome, ReviewRecord } from './review-row.js';
import type { ReviewChange, ReviewList, ReviewPage, ReviewStore } from './review-store.js';

/** A claim older than this may be taken over by another reviewer (someone went home with a case open). */
export const DEFAULT_CLAIM_LEASE_MS = 30 * 60 * 1000;

export interface ReviewHandlerOptions {
  /** How long a claim protects a case from other reviewers; default {@link DEFAULT_CLAIM_LEASE_MS}. */
  leaseMs?: number;
  now?: () => Date;
}

/**
 * What the integrator appends to the hash-chained audit log for a review decision. No PII and no free text: the
 * note is represented by its SHA-256, so the log proves what was written without becoming a copy of it.
 */
export interface ReviewAuditRecord {
  type: 'review-decision';
  applicationId: string;
  reviewerId: string;
  outcome: ReviewOutcome;
  apr: number | null;
  creditLimit: number | null;
  /** True when the reviewer's (or the proposed) APR was above the cap and the cap was applied instead. */
  aprCapped: boolean;
  noteDigest: string | null;
  decidedAt: string;
}

/** What a decision actually applied, so the caller can tell the reviewer that an override was capped. */
export interface AppliedReviewDecision {
  outcome: ReviewOutcome;
  apr: number | null;
  creditLimit: number | null;
  /** The APR asked for (override, else proposed) before capping; null on reject. */
  requestedApr: number | null;
  aprCapped: boolean;
}

export interface ReviewDecisionResult {
  review: ReviewRecord;
  applied: AppliedReviewDecision;
  auditRecord: ReviewAuditRecord;
}

/**
 * Transport-neutral handlers of the manual-review queue (L3). The HTTP layer validates bodies with
 * `validateReviewDecision`, takes the reviewer id from the authenticated key, and maps FedriskError codes.
 */
export interface ReviewHandlers {
  listPending(page?: Partial<ReviewPage>): Promise<ReviewList>;
  get(applicationId: string): Promise<ReviewRecord>;
  /** pending -> claimed by `reviewerId`; renews the reviewer's own claim; takes over a claim whose lease ran out. */
  claim(applicationId: string, reviewerId: string): Promise<ReviewRecord>;
  /** Gives a claimed case back to the queue (only its holder may). */
  release(applicationId: string, reviewerId: string): Promise<ReviewRecord>;
  /**
   * claimed (by `reviewerId`) -> decided. The APR goes through `capApr(apr, aprCap)` (the cap from `resolveAprCap`,
   * i.e. the integrator's configured value), the one place the cap is enforced: an override above the cap is applied
   * at the cap and reported (`applied.aprCapped`), never refused or passed through. Atomic: of two concurrent decides
   * exactly one wins, the other gets FAILED_PRECONDITION.
   */
  decide(applicationId: string, reviewerId: string, input: ReviewDecisionInput, options: { aprCap: AprCap }): Promise<ReviewDecisionResult>;
}

/** Compare-and-set rounds before giving up on a case that keeps changing under us (practically never reached). */
const CAS_ROUNDS = 5;

function notFound(applicationId: string): FedriskError {
  return new FedriskError('NOT_FOUND', `no review for application ${applicationId}`, { field: 'applicationId' });
}

function alreadyDecided(r: ReviewRecord): FedriskError {
  return new FedriskError('FAILED_PRECONDITION', `review of application ${r.applicationId} was already decided by ${r.decidedBy ?? 'unknown'}`, {
    field: 'applicationId',
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
  });
}

function raced(applicationId: string): FedriskError {
  return new FedriskError('FAILED_PRECONDITION', `review of application ${applicationId} changed concurrently; retry`, { field: 'applicationId' });
}

/** Builds the handlers over a store; the lease and clock are injectable for tests. */
export function createReviewHandlers(store: ReviewStore, options: ReviewHandlerOptions = {}): ReviewHandlers {
  const leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new FedriskError('INVALID_ARGUMENT', 'leaseMs must be > 0', { field: 'leaseMs' });
  const now = options.now ?? (() => new Date());

  const load = async (applicationId: string): Promise<ReviewRecord> => (await store.get(applicationId)) ?? Promise.reject(notFound(applicationId));

  const leaseExpiry = (r: ReviewRecord): number => (r.claimedAt ? Date.parse(r.claimedAt) + leaseMs : 0);

  return {
    async listPending(page = {}) {
      return store.listOpen(validateReviewPage(page));
    },

    async get(applicationId) {
      return load(validateId(applicationId, 'applicationId', 64));
    },

    async claim(applicationId, reviewerId) {
      validateId(applicationId, 'applicationId', 64);
      validateId(reviewerId, 'reviewerId', 200);
      for (let round = 0; round < CAS_ROUNDS; round++) {
        const r = await load(applicationId);
        const at = now();
        if (r.status === 'decided') throw alreadyDecided(r);
        if (r.status === 'claimed' && r.claimedBy !== reviewerId && leaseExpiry(r) > at.getTime()) {
          throw new FedriskError('FAILED_PRECONDITION', `review of application ${applicationId} is claimed by ${r.claimedBy ?? 'unknown'}`, {
            field: 'applicationId',
            claimedBy: r.claimedBy,
            claimedAt: r.claimedAt,
            leaseExpiresAt: new Date(leaseExpiry(r)).toISOString(),
          });
        }
        const change: ReviewChange = { status: 'claimed', claimedBy: reviewerId, claimedAt: at.toISOString() };
        const updated = await store.transition(applicationId, r.version, change);
        if (updated) return updated;
      }
      throw raced(applicationId);
    },

    async release(applicationId, reviewerId) {
      validateId(applicationId, 'applicationId', 64);
      validateId(reviewerId, 'reviewerId', 200);
      for (let round = 0; round < CAS_ROUNDS; round++) {
        const r = await load(applicationId);
        if (r.status === 'decided') throw alreadyDecided(r);
        if (r.status === 'pending') return r;
        if (r.claimedBy !== reviewerId) {
          throw new FedriskError('FAILED_PRECONDITION', `review of application ${applicationId} is claimed by ${r.claimedBy ?? 'unknown'}`, {
            field: 'applicationId',
            claimedBy: r.claimedBy,
          });
        }
        const updated = await store.transition(applicationId, r.version, { status: 'pending', claimedBy: null, claimedAt: null });
        if (updated) return updated;
      }
      throw raced(applicationId);
    },

    async decide(applicationId, reviewerId, input, { aprCap }) {
      validateId(applicationId, 'applicationId', 64);
      validateId(reviewerId, 'reviewerId', 200);
      const verdict = validateReviewDecision(input);
      for (let round = 0; round < CAS_ROUNDS; round++) {
        const r = await load(applicationId);
        if (r.status === 'decided') throw alreadyDecided(r);
        if (r.status === 'pending') {
          throw new FedriskError('FAILED_PRECONDITION', `review of application ${applicationId} must be claimed before it is decided`, {
            field: 'applicationId',
          });
        }
        if (r.claimedBy !== reviewerId) {
          throw new FedriskError('FAILED_PRECONDITION', `review of application ${applicationId} is claimed by ${r.claimedBy ?? 'unknown'}`, {
            field: 'applicationId',
            claimedBy: r.claimedBy,
          });
        }
        const applied = applyVerdict(r, verdict, aprCap);
        const decidedAt = now().toISOString();
        const updated = await store.transition(applicationId, r.version, {
          status: 'decided',
          decidedBy: reviewerId,
          decidedAt,
          outcome: applied.outcome,
          finalApr: applied.apr,
          finalLimit: applied.creditLimit,
          note: verdict.note ?? null,
        });
        // Lost the compare-and-set: the next round re-reads and reports the winner's state (normally "decided").
        if (!updated) continue;
        const auditRecord: ReviewAuditRecord = {
          type: 'review-decision',
          applicationId,
          reviewerId,
          outcome: applied.outcome,
          apr: applied.apr,
          creditLimit: applied.creditLimit,
          aprCapped: applied.aprCapped,
          noteDigest: verdict.note === undefined ? null : createHash('sha256').update(verdict.note, 'utf8').digest('hex'),
          decidedAt,
        };
        return { review: updated, applied, auditRecord };
      }
      throw raced(applicationId);
    },
  };
}

/**
 * Approve: override or proposal, APR through the cap. Reject: no price, no limit. An approve with neither an
 * override nor a proposal has nothing to apply and is refused naming the missing field.
 */
function applyVerdict(r: ReviewRecord, v: ReviewDecisionInput, aprCap: AprCap): AppliedReviewDecision {
  if (v.outcome === 'reject') return { outcome: 'reject', apr: null, creditLimit: null, requestedApr: null, aprCapped: false };
  const creditLimit = v.creditLimit ?? r.proposedLimit;
  if (creditLimit === null) {
    throw new FedriskError('INVALID_ARGUMENT', 'creditLimit: required, the review has no proposed limit', { field: 'creditLimit' });
  }
  const requestedApr = v.apr ?? r.proposedApr;
  if (requestedApr === null) throw new FedriskError('INVALID_ARGUMENT', 'apr: required, the review has no proposed APR', { field: 'apr' });
  // The proposal went through the cap when it was priced, but the cap may have been lowered since: cap it again.
  const apr = capApr(requestedApr, aprCap);
  return { outcome: 'approve', apr, creditLimit, requestedApr, aprCapped: apr < requestedApr };
}
