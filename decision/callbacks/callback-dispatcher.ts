import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FedriskError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signCallback } from './callback-signature.js';
import {
  callbackDeliveryFromRow,
  callbackDeliveryRow,
  type CallbackAttemptUpdate,
  type CallbackDelivery,
  type CallbackPayload,
  type CallbackStore,
} from './callback-store.js';
import { validateCallbackUrl } from './callback-url.js';

/** The part of `fetch` the dispatcher uses; `globalThis.fetch` fits, and tests may pass a fake. */
export type CallbackFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface CallbackDispatcherOptions {
  /** HMAC key shared with lenders; receivers check `X-Fedrisk-Signature` with it. */
  secret: Uint8Array;
  fetch?: CallbackFetch;
  /** Attempts in all, the first included; default 5. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time (with jitter), at most `maxDelayMs`. Default 500 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-attempt timeout; default 5 s. */
  timeoutMs?: number;
  log?: Logger;
  /** Durable outbox; without it deliveries live in memory only (lost on restart). */
  store?: CallbackStore;
  now?: () => Date;
}

/** 5xx, 408 and 429 are worth retrying; other statuses will not change by asking again. */
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** A short, PII-free description of a failed attempt: the error class and system code, never a URL or body. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return 'error';
  const cause = (err as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${err.name}: ${code}` : err.name;
}

/**
 * Delivers async-mode callbacks: a signed JSON POST per delivery, retried on network errors, timeouts and 5xx with
 * exponential backoff, abandoned (logged once, without PII) after `maxAttempts`. With a store, every delivery is
 * recorded before its first attempt and updated after each, so `resumePending` after a restart finishes the job.
 * The same delivery id is sent on every attempt, so receivers can drop duplicates.
 */
export class CallbackDispatcher {
  private readonly secret: Uint8Array;
  private readonly fetch: CallbackFetch;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly store: CallbackStore | undefined;
  private readonly clock: () => Date;
  private readonly jobs = new Set<Promise<void>>();
  private readonly active = new Set<string>();
  private readonly stopper = new AbortController();

  constructor(options: CallbackDispatcherOptions) {
    if (!(options.secret instanceof Uint8Array) || options.secret.length < 16) {
      throw new FedriskError('INVALID_ARGUMENT', 'callback secret must be at least 16 bytes', { field: 'secret' });
    }
    this.secret = options.secret;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxAttempts = Math.max(1, Math.trunc(options.maxAttempts ?? 5));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 500);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 60_000);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.log = options.log ?? silentLogger;
    this.store = options.store;
    this.clock = options.now ?? (() => new Date());
  }

  /** Deliveries being attempted or waiting for a retry in this process. */
  get pendingCount(): number {
    return this.active.size;
  }

  /**
   * Queues a callback; resolves with the delivery id once it is recorded (in the store, when there is one), not
   * when it is delivered. The URL is validated here (INVALID_ARGUMENT naming `callbackUrl`).
   */
  async enqueue(url: string, payload: CallbackPayload): Promise<string> {
    if (this.stopper.signal.aborted) throw new FedriskError('UNAVAILABLE', 'callback dispatcher is stopped');
    const row = callbackDeliveryRow(validateCallbackUrl(url), payload, this.clock(), randomUUID());
    if (this.store) await this.store.insert(row);
    this.dispatch(callbackDeliveryFromRow(row));
    return row.delivery_id;
  }

  /** Starts attempts for a delivery already recorded (e.g. written in the decision's transaction). */
  dispatch(delivery: CallbackDelivery): void {
    if (this.stopper.signal.aborted || delivery.status !== 'pending' || this.active.has(delivery.deliveryId)) return;
    this.active.add(delivery.deliveryId);
    const job = this.run(delivery).finally(() => {
      this.active.delete(delivery.deliveryId);
      this.jobs.delete(job);
    });
    this.jobs.add(job);
  }

  /** Picks up the store's pending deliveries (after a restart); returns how many were started. */
  async resumePending(): Promise<number> {
    if (!this.store) throw new FedriskError('FAILED_PRECONDITION', 'resumePending needs a callback store');
    let started = 0;
    for (const d of await this.store.listPending()) {
      if (this.active.has(d.deliveryId)) continue;
      this.dispatch(d);
      started++;
    }
    return started;
  }

  /** Resolves when every delivery has been delivered or given up (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }

  /**
   * Stops at once: aborts requests and backoff waits; unfinished deliveries stay `pending` in the store for
   * `resumePending` in the next process. Further `enqueue` calls are refused.
   */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.drain();
  }

  private async run(delivery: CallbackDelivery): Promise<void> {
    let attempts = delivery.attempts;
    const stop = this.stopper.signal;
    while (attempts < this.maxAttempts) {
      attempts++;
      const timestamp = Math.floor(this.clock().getTime() / 1000);
      let error: string;
      let retryable: boolean;
      try {
        const res = await this.fetch(delivery.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'fedrisk-callbacks/1',
            [SIGNATURE_HEADER]: signCallback(this.secret, timestamp, delivery.body),
            [TIMESTAMP_HEADER]: String(timestamp),
            [DELIVERY_HEADER]: delivery.deliveryId,
          },
          body: delivery.body,
          signal: AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]),
          redirect: 'manual',
        });
        await res.text().catch(() => ''); // release the connection
        if (res.status >= 200 && res.status < 300) {
          await this.record(delivery, { status: 'delivered', attempts, lastError: null });
          return;
        }
        error = `HTTP ${res.status}`;
        retryable = retryableStatus(res.status);
      } catch (err) {
        if (stop.aborted) return; // shutting down: this attempt does not count, the row stays pending
        error = describe(err);
        retryable = true;
      }
      const final = !retryable || attempts >= this.maxAttempts;
      await this.record(delivery, { status: final ? 'failed' : 'pending', attempts, lastError: error });
      if (final) {
        this.log.warn('callback delivery gave up', {
          deliveryId: delivery.deliveryId,
          applicationId: delivery.applicationId,
          attempts,
          lastError: error,
        });
        return;
      }
      this.log.debug('callback delivery will retry', { deliveryId: delivery.deliveryId, attempts, lastError: error });
      try {
        await sleep(this.backoff(attempts), undefined, { signal: stop });
      } catch {
        return; // stopped while waiting
      }
    }
    // Resumed with its attempts already used up (the process died before recording the final failure).
    await this.record(delivery, { status: 'failed', attempts, lastError: delivery.lastError ?? 'attempts exhausted' });
    this.log.warn('callback delivery gave up', { deliveryId: delivery.deliveryId, applicationId: delivery.applicationId, attempts });
  }

  /** base * 2^(n-1), capped, with "equal jitter" (half fixed, half random) so retries of many callbacks spread out. */
  private backoff(attempt: number): number {
    const full = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return full / 2 + Math.random() * (full / 2);
  }

  private async record(delivery: CallbackDelivery, u: Omit<CallbackAttemptUpdate, 'now'>): Promise<void> {
    if (!this.store) return;
    try {
      await this.store.update(delivery.deliveryId, { ...u, now: this.clock() });
    } catch (err) {
      // The delivery itself went ahead; a failed bookkeeping write at worst means a duplicate after a restart.
      this.log.error('callback delivery state not recorded', { deliveryId: delivery.deliveryId, error: describe(err) });
    }
  }
}
