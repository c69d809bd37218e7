import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { FedriskError, invalid } from '../../common/errors.js';
import { canonicalDigest } from '../canonical-json.js';

/** The table this folder owns. */
export const IDEMPOTENCY_TABLE = 'idempotency_keys';

/** The header a client sends; also the `field` of every error about it. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** How long a completed response can be replayed (a client's retries come within minutes; a day is generous). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

export type IdempotencyStatus = 'in_flight' | 'done';

/** One row of `idempotency_keys`, as stored. */
export interface IdempotencyRow {
  key_hash: string;
  request_digest: string;
  application_id: string | null;
  status: IdempotencyStatus;
  response_status: number | null;
  response_json: string | null;
  created_at: string;
  expires_at: string;
}

/** A response as it is stored and replayed: the HTTP status and the JSON body. */
export interface IdempotentResponse {
  status: number;
  body: unknown;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** Validates a key: 1..128 printable ASCII characters. Errors name the field `Idempotency-Key`. */
export function validateIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw invalid(IDEMPOTENCY_HEADER, 'must be a non-empty string');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw invalid(IDEMPOTENCY_HEADER, `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (!PRINTABLE_ASCII.test(key)) throw invalid(IDEMPOTENCY_HEADER, 'must be printable ASCII');
  return key;
}

/**
 * Reads the header as node/express deliver it (`string | string[] | undefined`): absent -> null (the request is
 * simply not idempotent), repeated or malformed -> INVALID_ARGUMENT.
 */
export function parseIdempotencyKeyHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) throw invalid(IDEMPOTENCY_HEADER, 'must be sent once');
  return validateIdempotencyKey(value);
}

/** sha256(apiKeyId NUL key), hex: keys are scoped per API key and never stored in clear. */
export function idempotencyKeyHash(apiKeyId: string, key: string): string {
  return createHash('sha256').update(`${apiKeyId}\u0000${key}`, 'utf8').digest('hex');
}

/**
 * Digest identifying "the same request": canonical JSON of whatever defines it (typically method, path, mode and
 * body), so key order and whitespace on the wire do not matter.
 */
export function idempotencyRequestDigest(request: unknown): string {
  return canonicalDigest(request);
}

export interface CompletedIdempotencyInput {
  requestDigest: string;
  response: IdempotentResponse;
  applicationId?: string | null;
  now: Date;
  ttlMs?: number;
}

/**
 * Builds a completed (`done`) row. The group-commit writer passes it to {@link writeIdempotency} in the SAME
 * transaction as the decision: after a crash either both exist (a retry replays) or neither (a retry decides anew),
 * so a replay never re-decides and a decision is never stored twice.
 */
export function idempotencyRow(apiKeyId: string, key: string, input: CompletedIdempotencyInput): IdempotencyRow {
  validateIdempotencyKey(key);
  const ttl = input.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  if (!Number.isInteger(input.response.status) || input.response.status < 100 || input.response.status > 599) {
    throw new FedriskError('INVALID_ARGUMENT', 'response.status must be an HTTP status', { field: 'response.status' });
  }
  const json = JSON.stringify(input.response.body ?? null);
  return {
    key_hash: idempotencyKeyHash(apiKeyId, key),
    request_digest: input.requestDigest,
    application_id: input.applicationId ?? null,
    status: 'done',
    response_status: input.response.status,
    response_json: json,
    created_at: input.now.toISOString(),
    expires_at: new Date(input.now.getTime() + ttl).toISOString(),
  };
}

const CHUNK = 100;

/**
 * Upserts completed rows inside the caller's transaction. An upsert because `begin` may already have inserted the
 * key as `in_flight`; the original `created_at` is kept.
 */
/** Columns a repeated key's upsert replaces (the completed response). */
export const IDEMPOTENCY_MERGE_COLUMNS = ['request_digest', 'application_id', 'status', 'response_status', 'response_json', 'expires_at'] as const;

export async function writeIdempotency(trx: Knex | Knex.Transaction, rows: readonly IdempotencyRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx<IdempotencyRow>(IDEMPOTENCY_TABLE)
      .insert(rows.slice(i, i + CHUNK) as IdempotencyRow[])
      .onConflict('key_hash')
      .merge([...IDEMPOTENCY_MERGE_COLUMNS]);
  }
}
