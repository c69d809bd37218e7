import { silentLogger, type Logger } from '../../common/log.js';
import type { LogisticModel } from '../../common/model/logistic-model.js';
import { encodedWidth } from '../../common/schema/index.js';
import type { ModelStore } from '../store/model-store.js';

/** The active model plus what scoring needs precomputed, so the request path only encodes and takes a dot product. */
export interface ActiveModel {
  version: string;
  model: LogisticModel;
  /** Encoded row width of the model's own schema (= weights.length). */
  width: number;
  /**
   * A scratch row reused by every request: encode + predict run synchronously within one tick, so no two requests
   * can interleave on it, and the hot path allocates nothing per application.
   */
  scratch: Float64Array;
  /** When this model was loaded into the cache. */
  loadedAt: Date;
}

export interface ActiveModelCacheOptions {
  store: Pick<ModelStore, 'getActive' | 'getActiveVersion'>;
  /** How often `start()` polls the store for a new active version. Default 1000 ms. */
  refreshMs?: number;
  logger?: Logger;
}

/** Default poll interval: a new model is live within about a second, at the cost of one indexed read per second. */
export const DEFAULT_REFRESH_MS = 1000;

/**
 * Keeps the store's active model in memory. The node deploys by writing the store (possibly from another process),
 * so the service cannot be told; it polls the active *version* (a one-column read) and reloads the body only when
 * the version changes. A failed reload keeps the previous model serving and is logged once per failing version.
 */
export class ActiveModelCache {
  private readonly store: ActiveModelCacheOptions['store'];
  private readonly refreshMs: number;
  private readonly log: Logger;
  private active: ActiveModel | null = null;
  private inFlight: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFailure: string | null = null;

  constructor(options: ActiveModelCacheOptions) {
    this.store = options.store;
    this.refreshMs = Math.max(10, Math.trunc(options.refreshMs ?? DEFAULT_REFRESH_MS));
    this.log = options.logger ?? silentLogger;
  }

  /** The model to score with now, or null when none is active (the service then answers 503). */
  current(): ActiveModel | null {
    return this.active;
  }

  /**
   * Checks the store's active version and reloads on change; resolves true when the cached model changed.
   * Concurrent calls share one read, so a slow store never piles up polls.
   */
  refresh(): Promise<boolean> {
    if (!this.inFlight) {
      this.inFlight = this.doRefresh().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async doRefresh(): Promise<boolean> {
    const version = await this.store.getActiveVersion();
    if (version === (this.active?.version ?? null)) return false;
    if (version === null) {
      this.log.warn('no active model: scoring unavailable', { previousVersion: this.active?.version ?? null });
      this.active = null;
      return true;
    }
    const model = await this.store.getActive();
    if (!model) {
      this.active = null;
      return true;
    }
    const width = encodedWidth(model.schema);
    const previous = this.active?.version ?? null;
    this.active = { version: model.version, model, width, scratch: new Float64Array(width), loadedAt: new Date() };
    this.lastFailure = null;
    this.log.info('active model loaded', { modelVersion: model.version, previousVersion: previous });
    return true;
  }

  /** Starts polling (the timer is unref'd: it never keeps the process alive on its own). Idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastFailure) {
          this.lastFailure = message;
          this.log.error('active model refresh failed; keeping the previous model', {
            err,
            modelVersion: this.active?.version ?? null,
          });
        }
      });
    }, this.refreshMs);
    this.timer.unref();
  }

  /** Stops polling; waits for a poll in flight so a caller can close the store safely afterwards. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.inFlight) await this.inFlight.catch(() => undefined);
  }
}
