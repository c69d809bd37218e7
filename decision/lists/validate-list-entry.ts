import { invalid } from '../../common/errors.js';
import { isPlainObject, describeValue as describe, ownValue as own } from '../../common/json-values.js';
import { DEVICE_ID_PATTERN } from '../device/device-assessment.js';
import { LISTABLE_KINDS, type ListableKind } from '../pipeline/decision-types.js';
import { LIST_NAMES, MAX_REASON, isListName, isListableKind, type ListName } from './list-store.js';

/**
 * Holds the body of "add a list entry" (`POST /v1/lists`) to its shape, naming the wrong field, before the HTTP
 * layer normalises the value for its kind, tokenises it and calls `ListStore.add`. Kind-specific checks of identity
 * numbers and phones (check digits, country rules) belong to the normaliser the applications use too, so a listed
 * value and a submitted one go through the same code; here only what is kind-independent is checked, plus the
 * device ID's format, which this service defines.
 */

export interface ListEntryInput {
  list: ListName;
  kind: ListableKind;
  /** The RAW identifier (trimmed): the caller normalises it per kind and tokenises it; it is never stored. */
  value: string;
  reason: string;
  /** Canonical ISO-8601 UTC, in the future; null = never expires. */
  expiresAt: string | null;
}

/** Longest raw identifier accepted. */
export const MAX_LIST_VALUE = 128;

const KEYS = ['list', 'kind', 'value', 'reason', 'expiresAt'] as const;

/** ISO-8601 date-time with an explicit zone (`Z` or an offset): a zone-less time would depend on the server's. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;




/** The expiry as canonical ISO-8601 UTC; INVALID_ARGUMENT (`expiresAt`) unless a valid time after `now`. */
export function parseExpiry(v: unknown, now: number, field = 'expiresAt'): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !ISO_DATE_TIME.test(v)) {
    throw invalid(field, `must be an ISO-8601 date-time with a time zone (e.g. 2027-01-31T00:00:00Z), got ${describe(v)}`);
  }
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || ms > Date.parse('9999-12-31T23:59:59.999Z')) throw invalid(field, `is not a valid date-time: ${describe(v)}`);
  // Date.parse rolls 2027-02-30 over into March; a date that does not exist is a typo, not a wish.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) {
    throw invalid(field, `is not a valid date: ${describe(v)}`);
  }
  if (ms <= now) throw invalid(field, 'must be in the future');
  return new Date(ms).toISOString();
}

/**
 * Validates the body of a new list entry. Rules: an object with exactly the known fields; `list` black | white;
 * `kind` one of idNumber, phone, bankCard, deviceId; `value` a non-empty string of at most 128 characters (a
 * device ID must look like `dev_` + 32 hex); `reason` 1..200 characters after trimming; `expiresAt` absent, null,
 * or an ISO-8601 time in the future. The first violation throws INVALID_ARGUMENT with `details.field`.
 */
export function validateListEntryInput(body: unknown, now: number = Date.now()): ListEntryInput {
  if (!isPlainObject(body)) throw invalid('body', `must be an object, got ${describe(body)}`);
  for (const key of Object.keys(body)) {
    if (!(KEYS as readonly string[]).includes(key)) throw invalid(key, `is not a known field (known: ${KEYS.join(', ')})`);
  }
  const list = own(body, 'list');
  if (!isListName(list)) throw invalid('list', `must be one of ${LIST_NAMES.join(', ')}, got ${describe(list)}`);
  const kind = own(body, 'kind');
  if (!isListableKind(kind)) throw invalid('kind', `must be one of ${LISTABLE_KINDS.join(', ')}, got ${describe(kind)}`);
  const rawValue = own(body, 'value');
  if (typeof rawValue !== 'string') throw invalid('value', `must be a string, got ${describe(rawValue)}`);
  const value = rawValue.trim();
  if (value === '') throw invalid('value', 'must not be empty');
  if (value.length > MAX_LIST_VALUE) throw invalid('value', `must be at most ${MAX_LIST_VALUE} characters`);
  if (kind === 'deviceId' && !DEVICE_ID_PATTERN.test(value)) {
    throw invalid('value', 'a device ID is "dev_" followed by 32 lower-case hex characters');
  }
  const rawReason = own(body, 'reason');
  if (typeof rawReason !== 'string') throw invalid('reason', `must be a string, got ${describe(rawReason)}`);
  const reason = rawReason.trim();
  if (reason.length < 1 || reason.length > MAX_REASON) throw invalid('reason', `must be 1..${MAX_REASON} characters`);
  const expiresAt = parseExpiry(own(body, 'expiresAt'), now);
  return { list, kind, value, reason, expiresAt };
}
