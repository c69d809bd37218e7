import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every callback request. */
export const SIGNATURE_HEADER = 'X-Fedrisk-Signature';
export const TIMESTAMP_HEADER = 'X-Fedrisk-Timestamp';
export const DELIVERY_HEADER = 'X-Fedrisk-Delivery';

/** How far a callback's timestamp may be from the receiver's clock before it is refused as a possible replay. */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

function hmacHex(secret: Uint8Array, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * Signs a callback body: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The timestamp (Unix seconds) is
 * inside the MAC, so a captured request cannot be replayed later with a fresh timestamp header.
 */
export function signCallback(secret: Uint8Array, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be a non-negative integer (Unix seconds)');
  return `sha256=${hmacHex(secret, timestamp, body)}`;
}

/** Why a callback was refused; `ok: true` when it is authentic and fresh. */
export type CallbackVerification =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

type HeaderValue = string | string[] | undefined;

/**
 * Verifies a received callback, for lender apps and tests. `body` must be the raw request body exactly as received
 * (re-serialised JSON would not match). `now` is Unix seconds or a Date. The comparison is timing-safe, and a
 * timestamp more than `toleranceS` seconds away from `now` (either way) is refused.
 */
export function verifyCallbackSignature(
  secret: Uint8Array,
  header: HeaderValue,
  timestampHeader: HeaderValue,
  body: string,
  now: number | Date,
  toleranceS = DEFAULT_SIGNATURE_TOLERANCE_S,
): CallbackVerification {
  if (header === undefined || timestampHeader === undefined) return { ok: false, reason: 'missing' };
  if (typeof header !== 'string' || typeof timestampHeader !== 'string') return { ok: false, reason: 'malformed' };
  if (!TIMESTAMP_FORMAT.test(timestampHeader)) return { ok: false, reason: 'malformed' };
  const given = SIGNATURE_FORMAT.exec(header);
  if (!given) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampHeader);
  const nowS = now instanceof Date ? Math.floor(now.getTime() / 1000) : Math.floor(now);
  if (!Number.isFinite(nowS) || Math.abs(nowS - timestamp) > toleranceS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const actual = Buffer.from(given[1]!, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
