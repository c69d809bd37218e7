import { invalid } from '../../common/errors.js';
import { isPlainObject } from '../../common/json-values.js';
import { REVIEW_OUTCOMES, type ReviewOutcome } from './review-row.js';
import type { ReviewPage } from './review-store.js';

/** A reviewer's verdict, as validated: the optional overrides only make sense on approve. */
export interface ReviewDecisionInput {
  outcome: ReviewOutcome;
  /** Override of the proposed limit (approve only); >= 0 and finite. */
  creditLimit?: number | undefined;
  /** Override of the proposed APR (approve only), as a fraction (0.18 = 18%); capped, never refused for being high. */
  apr?: number | undefined;
  /** Free text for the file, at most {@link MAX_REVIEW_NOTE_CHARS} characters; only its digest reaches the audit log. */
  note?: string | undefined;
}

export const MAX_REVIEW_NOTE_CHARS = 1000;
/** Limits above this are absurd for a consumer credit line and refused as input errors rather than stored. */
export const MAX_CREDIT_LIMIT = 1_000_000_000;
export const DEFAULT_REVIEW_PAGE_LIMIT = 50;
export const MAX_REVIEW_PAGE_LIMIT = 500;

const DECISION_FIELDS = new Set(['outcome', 'creditLimit', 'apr', 'note']);

/** `null` counts as absent: JSON clients often send `"apr": null` for "no override". */
function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, 'must be a finite number');
  if (v < 0) throw invalid(field, 'must be >= 0');
  return v;
}

/**
 * Validates a review-decision body for the HTTP layer (and again inside `decide`, so a direct caller gets the same
 * checks). Refuses unknown fields, so a typo such as `creditlimit` cannot silently drop an override. Every error is
 * INVALID_ARGUMENT naming its field.
 */
export function validateReviewDecision(body: unknown): ReviewDecisionInput {
  if (!isPlainObject(body)) throw invalid('body', 'must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!DECISION_FIELDS.has(key)) throw invalid(key, 'unknown field');
  }
  const outcome = body['outcome'];
  if (typeof outcome !== 'string' || !(REVIEW_OUTCOMES as readonly string[]).includes(outcome)) {
    throw invalid('outcome', `must be one of ${REVIEW_OUTCOMES.join(', ')}`);
  }
  const creditLimit = optionalNumber(body, 'creditLimit');
  if (creditLimit !== undefined && creditLimit > MAX_CREDIT_LIMIT) throw invalid('creditLimit', `must be at most ${MAX_CREDIT_LIMIT}`);
  const apr = optionalNumber(body, 'apr');
  const rawNote = body['note'];
  let note: string | undefined;
  if (rawNote !== undefined && rawNote !== null) {
    if (typeof rawNote !== 'string') throw invalid('note', 'must be a string');
    // Count code points, not UTF-16 units, so a note in Chinese or with emoji gets the full allowance.
    if ([...rawNote].length > MAX_REVIEW_NOTE_CHARS) throw invalid('note', `must be at most ${MAX_REVIEW_NOTE_CHARS} characters`);
    note = rawNote;
  }
  if (outcome === 'reject') {
    if (creditLimit !== undefined) throw invalid('creditLimit', 'only allowed when outcome is approve');
    if (apr !== undefined) throw invalid('apr', 'only allowed when outcome is approve');
  }
  const out: ReviewDecisionInput = { outcome: outcome as ReviewOutcome };
  if (creditLimit !== undefined) out.creditLimit = creditLimit;
  if (apr !== undefined) out.apr = apr;
  if (note !== undefined) out.note = note;
  return out;
}

function pageNumber(v: unknown, field: string, fallback: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(field, 'must be an integer');
  if (n < min || n > max) throw invalid(field, `must be between ${min} and ${max}`);
  return n;
}

/**
 * Validates paging for the queue listing; accepts numbers or decimal strings (query parameters arrive as text).
 * Defaults: limit {@link DEFAULT_REVIEW_PAGE_LIMIT}, offset 0.
 */
export function validateReviewPage(query: unknown): ReviewPage {
  const q = isPlainObject(query) ? query : {};
  return {
    limit: pageNumber(q['limit'], 'limit', DEFAULT_REVIEW_PAGE_LIMIT, 1, MAX_REVIEW_PAGE_LIMIT),
    offset: pageNumber(q['offset'], 'offset', 0, 0, 1_000_000_000),
  };
}

/** Identifiers handed to handlers (application id from the path, reviewer id from the authenticated key). */
export function validateId(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw invalid(field, `must be a string of 1..${maxLength} characters`);
  }
  return value;
}
