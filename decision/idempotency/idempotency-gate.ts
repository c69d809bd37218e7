import { FedriskError } from '../../common/errors.js';
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  idempotencyKeyHash,
  idempotencyRow,
  validateIdempotencyKey,
  type IdempotencyRow,
  type IdempotentResponse,
} from './idempotency-row.js';
import { idempotencyConflictError, type BeginResult, type IdempotencyStore } from './idempotency-store.js';

/** Identifies one idempotent request: who sent it, the key it chose, and what it asked. */
export interface IdempotentRequest {
  apiKeyId: string;
  key: string;
  requestDigest: string;
}

/** Given to the handler: builds the completed row to write in the decision's own transaction. */
export interface IdempotencyGateContext {
  now: Date;
  row(response: IdempotentResponse, applicationId?: string | null): IdempotencyRow;
}

/** The handler's answer. `stored: true` means it already wrote `ctx.row(...)` with `writeIdempotency` itself. */
export interface GatedResponse extends IdempotentResponse {
  applicationId?: string | null;
  stored?: boolean;
}

/** The answer to send, and whether it is a replay (the HTTP layer may add an `Idempotent-Replayed` header). */
export interface GateResult extends IdempotentResponse {
  replayed: boolean;
}

export interface IdempotencyGateOptions {
  store: IdempotencyStore;
  /** Replay window of completed responses; default 24 h. */
  ttlMs?: number;
  /** How long a duplicate waits for a request in flight in ANOTHER process; default 10 s. */
  awaitTimeoutMs?: number;
  pollMs?: number;
  /**
   * true (default): claim each key in the store (`begin`) before handling it, so duplicates in other processes
   * (PostgreSQL scale-out) wait instead of deciding twice. false: only read the store (`lookup`) and rely on the
   * in-memory map for concurrency, saving one write per request; correct only when this process is the store's
   * single writer of decisions (the default SQLite deployment), because nothing durable marks the key in flight.
   */
  durableInFlight?: boolean;
  now?: () => Date;
}

interface Pending {
  digest: string;
  promise: Promise<IdempotentResponse>;
}

/**
 * Runs a request at most once per (API key, Idempotency-Key). The decision service is one process on SQLite, so
 * concurrent duplicates usually arrive in the same process: a Map of in-flight keys makes them await the first
 * one's promise (no polling, no second decision) and the store is only consulted once per key. Across processes,
 * or after a restart, the store answers: `done` rows replay, `in_flight` rows are awaited by polling.
 *
 * A handler that throws leaves nothing behind (the claim is abandoned) and the same error reaches every coalesced
 * duplicate, so a failed request can simply be retried with the same key.
 */
export class IdempotencyGate {
  private readonly store: IdempotencyStore;
  private readonly ttlMs: number;
  private readonly awaitTimeoutMs: number;
  private readonly pollMs: number;
  private readonly durable: boolean;
  private readonly clock: () => Date;
  private readonly inFlight = new Map<string, Pending>();

  constructor(options: IdempotencyGateOptions) {
    this.store = options.store;
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.awaitTimeoutMs = options.awaitTimeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 20;
    this.durable = options.durableInFlight ?? true;
    this.clock = options.now ?? (() => new Date());
  }

  /** Keys currently being handled in this process. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async run(req: IdempotentRequest, handler: (ctx: IdempotencyGateContext) => Promise<GatedResponse>): Promise<GateResult> {
    validateIdempotencyKey(req.key);
    const keyHash = idempotencyKeyHash(req.apiKeyId, req.key);
    const existing = this.inFlight.get(keyHash);
    if (existing) {
      if (existing.digest !== req.requestDigest) throw idempotencyConflictError();
      return { ...(await existing.promise), replayed: true };
    }

    // Reserve the key synchronously (before any await) so duplicates arriving in the same tick coalesce.
    let resolve!: (r: IdempotentResponse) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<IdempotentResponse>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // no duplicate may be waiting: do not report an unhandled rejection
    this.inFlight.set(keyHash, { digest: req.requestDigest, promise });

    let owned = false;
    try {
      const now = this.clock();
      let found: BeginResult = this.durable
        ? await this.store.begin(req.apiKeyId, req.key, req.requestDigest, now)
        : await this.store.lookup(req.apiKeyId, req.key, req.requestDigest, now);
      let claimed = this.durable;
      if (found.kind === 'in_flight') {
        // Another process holds the key. awaitResult polls with `begin`, so a `new` from it is a claim we now own.
        found = await this.store.awaitResult(req.apiKeyId, req.key, req.requestDigest, this.awaitTimeoutMs, this.pollMs);
        claimed = true;
      }
      if (found.kind === 'conflict') throw found.error;
      if (found.kind === 'replay') {
        const replay: IdempotentResponse = { status: found.status, body: found.body };
        resolve(replay);
        return { ...replay, replayed: true };
      }
      owned = claimed;
      const ctx: IdempotencyGateContext = {
        now,
        row: (response, applicationId) =>
          idempotencyRow(req.apiKeyId, req.key, {
            requestDigest: req.requestDigest,
            response,
            applicationId: applicationId ?? null,
            now,
            ttlMs: this.ttlMs,
          }),
      };
      const answer = await handler(ctx);
      const response: IdempotentResponse = { status: answer.status, body: answer.body };
      if (answer.stored !== true) await this.store.save(ctx.row(response, answer.applicationId));
      resolve(response);
      return { ...response, replayed: false };
    } catch (err) {
      if (owned) {
        // Best effort: if this fails too, the claim expires after the store's in-flight TTL.
        await this.store.abandon(req.apiKeyId, req.key).catch(() => undefined);
      }
      reject(err);
      throw err instanceof Error ? err : new FedriskError('INTERNAL', String(err));
    } finally {
      this.inFlight.delete(keyHash);
    }
  }
}
