/**
 * The manual-review queue (L3): pending rows written by the pipeline in the decision's own transaction, claimed
 * and decided by reviewers through transport-neutral handlers; every APR a reviewer applies goes through the cap.
 */
export { REVIEWS_MIGRATIONS } from './reviews-migrations.js';
export {
  reviewRow,
  writeReviews,
  reviewFromRow,
  REVIEWS_TABLE,
  REVIEW_STATUSES,
  REVIEW_OUTCOMES,
  type ReviewRow,
  type ReviewRecord,
  type ReviewProposal,
  type ReviewStatus,
  type ReviewOutcome,
} from './review-row.js';
export { createReviewStore, openReviewApplicantTokens, type ReviewStore, type ReviewPage, type ReviewList, type ReviewChange } from './review-store.js';
export {
  validateReviewDecision,
  validateReviewPage,
  MAX_REVIEW_NOTE_CHARS,
  MAX_CREDIT_LIMIT,
  DEFAULT_REVIEW_PAGE_LIMIT,
  MAX_REVIEW_PAGE_LIMIT,
  type ReviewDecisionInput,
} from './review-decision.js';
export {
  createReviewHandlers,
  DEFAULT_CLAIM_LEASE_MS,
  type ReviewHandlers,
  type ReviewHandlerOptions,
  type ReviewDecisionResult,
  type AppliedReviewDecision,
  type ReviewAuditRecord,
} from './review-handlers.js';
