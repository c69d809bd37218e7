import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_TABLE,
  idempotencyKeyHash,
  validateIdempotencyKey,
  type IdempotencyRow,
} from './idempotency-row.js';

/** The error a reused key with a different request gets (422, naming the header). */
export function idempotencyConflictError(): FedriskError {
  return new FedriskError('UNPROCESSABLE', 'Idempotency-Key was used with a different request', { field: IDEMPOTENCY_HEADER });
}

/** Outcome of claiming a key. `new`: the caller owns it and must complete (or abandon) it. */
export type BeginResult =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: unknown; applicationId: string | null }
  | { kind: 'conflict'; error: FedriskError }
  | { kind: 'in_flight' };

/** What waiting on an in-flight key can end in: the first answer, a conflict, or ownership (the first gave up). */
export type SettledBeginResult = Exclude<BeginResult, { kind: 'in_flight' }>;

export interface IdempotencyStoreOptions {
  /** How long a completed response is replayable; default 24 h. */
  ttlMs?: number;
  /**
   * How long an `in_flight` claim blocks the key; after that another request may take it over (its owner died
   * before committing, so no decision exists). Decisions take milliseconds; default 60 s.
   */
  inFlightTtlMs?: number;
  now?: () => Date;
}

/**
 * Durable `Idempotency-Key` bookkeeping, usable across processes (PostgreSQL scale-out). Within one process the
 * {@link IdempotencyGate} coalesces duplicates in memory before they reach this store.
 */
export interface IdempotencyStore {
  /** Claims the key as `in_flight`, or reports what it already holds. Expired rows are treated as absent. */
  begin(apiKeyId: string, key: string, requestDigest: string, now: Date): Promise<BeginResult>;
  /** Like `begin` but read-only: absent or expired -> `new` without writing a claim. */
  lookup(apiKeyId: string, key: string, requestDigest: string, now: Date): Promise<BeginResult>;
  /** Stores the response of a request claimed with `begin`. NOT_FOUND if the claim is gone (purged or taken over). */
  complete(apiKeyId: string, key: string, status: number, body: unknown, options?: { applicationId?: string | null; now?: Date }): Promise<void>;
  /** Upserts a completed row (see `idempotencyRow`); for callers that did not write it in their own transaction. */
  save(row: IdempotencyRow): Promise<void>;
  /** Drops an `in_flight` claim whose request failed, so a retry is decided afresh. A `done` row is left alone. */
  abandon(apiKeyId: string, key: string): Promise<void>;
  /** Polls `begin` until the key is no longer in flight; FAILED_PRECONDITION (409) after `timeoutMs`. */
  awaitResult(apiKeyId: string, key: string, requestDigest: string, timeoutMs: number, pollMs?: number): Promise<SettledBeginResult>;
  /** Deletes expired rows; returns how many. */
  purgeExpired(now: Date): Promise<number>;
  /**
   * Deletes every `in_flight` claim. Only for a single-process deployment at start-up: any claim then belongs to a
   * process that died before committing its decision, so no decision exists and the key may be used afresh.
   */
  clearInFlight(): Promise<number>;
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

function classify(row: IdempotencyRow, requestDigest: string): BeginResult {
  if (row.request_digest !== requestDigest) return { kind: 'conflict', error: idempotencyConflictError() };
  if (row.status === 'done') {
    return {
      kind: 'replay',
      status: Number(row.response_status ?? 500),
      body: row.response_json === null ? null : (JSON.parse(row.response_json) as unknown),
      applicationId: row.application_id,
    };
  }
  return { kind: 'in_flight' };
}

function checkDuration(v: number, field: string): number {
  if (!Number.isFinite(v) || v <= 0) throw new FedriskError('INVALID_ARGUMENT', `${field} must be > 0`, { field });
  return v;
}

/** The knex implementation of {@link IdempotencyStore}. */
export function createIdempotencyStore(knex: Knex, options: IdempotencyStoreOptions = {}): IdempotencyStore {
  const ttlMs = checkDuration(options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS, 'ttlMs');
  const inFlightTtlMs = checkDuration(options.inFlightTtlMs ?? 60_000, 'inFlightTtlMs');
  const clock = options.now ?? (() => new Date());
  const table = () => knex<IdempotencyRow>(IDEMPOTENCY_TABLE);

  const read = async (keyHash: string): Promise<IdempotencyRow | undefined> => table().where({ key_hash: keyHash }).first();

  const store: IdempotencyStore = {
    async begin(apiKeyId, key, requestDigest, now) {
      validateIdempotencyKey(key);
      const keyHash = idempotencyKeyHash(apiKeyId, key);
      const at = now.toISOString();
      // A few rounds: an expired row is deleted and re-claimed; a racing claimer makes the insert fail and re-read.
      for (let round = 0; round < 4; round++) {
        const row = await read(keyHash);
        if (row) {
          if (row.expires_at > at) return classify(row, requestDigest);
          await table().where({ key_hash: keyHash }).andWhere('expires_at', '<=', at).delete();
          continue;
        }
        try {
          await table().insert({
            key_hash: keyHash,
            request_digest: requestDigest,
            application_id: null,
            status: 'in_flight',
            response_status: null,
            response_json: null,
            created_at: at,
            expires_at: new Date(now.getTime() + inFlightTtlMs).toISOString(),
          });
          return { kind: 'new' };
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      return { kind: 'in_flight' };
    },

    async lookup(apiKeyId, key, requestDigest, now) {
      validateIdempotencyKey(key);
      const row = await read(idempotencyKeyHash(apiKeyId, key));
      if (!row || row.expires_at <= now.toISOString()) return { kind: 'new' };
      return classify(row, requestDigest);
    },

    async complete(apiKeyId, key, status, body, opts = {}) {
      validateIdempotencyKey(key);
      const at = opts.now ?? clock();
      const updated = await table()
        .where({ key_hash: idempotencyKeyHash(apiKeyId, key) })
        .update({
          status: 'done',
          response_status: status,
          response_json: JSON.stringify(body ?? null),
          application_id: opts.applicationId ?? null,
          expires_at: new Date(at.getTime() + ttlMs).toISOString(),
        });
      if (updated !== 1) {
        throw new FedriskError('NOT_FOUND', 'no claim for this Idempotency-Key (expired or taken over)', { field: IDEMPOTENCY_HEADER });
      }
    },

    async save(row) {
      await table()
        .insert(row)
        .onConflict('key_hash')
        .merge(['request_digest', 'application_id', 'status', 'response_status', 'response_json', 'expires_at']);
    },

    async abandon(apiKeyId, key) {
      await table().where({ key_hash: idempotencyKeyHash(apiKeyId, key), status: 'in_flight' }).delete();
    },

    async awaitResult(apiKeyId, key, requestDigest, timeoutMs, pollMs = 20) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await store.begin(apiKeyId, key, requestDigest, clock());
        if (r.kind !== 'in_flight') return r;
        if (Date.now() >= deadline) {
          throw new FedriskError('FAILED_PRECONDITION', 'a request with this Idempotency-Key is still in progress; retry later', {
            field: IDEMPOTENCY_HEADER,
          });
        }
        await sleep(Math.max(1, Math.min(pollMs, deadline - Date.now())));
      }
    },

    async purgeExpired(now) {
      return table().where('expires_at', '<=', now.toISOString()).delete();
    },

    async clearInFlight() {
      return table().where({ status: 'in_flight' }).delete();
    },
  };
  return store;
}
