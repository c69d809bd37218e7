import { silentLogger, type Logger } from '../../common/log.js';

/** A version loaded into memory. */
export interface LoadedVersion<T> {
  version: number;
  value: T;
  loadedAt: Date;
}

/** How an {@link ActiveVersion} reads its store. */
export interface ActiveVersionOptions<T> {
  /** Names the thing in logs (`rules`, `policy`). */
  label: string;
  /** The store's active version number: one indexed read, polled by {@link ActiveVersion.refresh}. */
  peek(): Promise<number | null>;
  /** Reads and prepares (compiles, validates) the store's active version; null when none is active. */
  load(): Promise<{ version: number; value: T } | null>;
  /** Poll interval of `start()`, ms (default 1000). */
  refreshMs?: number;
  logger?: Logger;
}

/**
 * Holds the active version of a versioned document in memory, swapped atomically: a decision reads `current()` once
 * and keeps that version to its end, while the next decision already sees a reload. `reload()` is what a process
 * calls right after its own put/activate (hot reload, no restart); `refresh()` is the cheap check for changes made
 * by another process (a version-number read; the document is only loaded when the number changed). Loads run one
 * at a time, in call order, so an older read can never overwrite a newer one.
 */
export class ActiveVersion<T> {
  private active: LoadedVersion<T> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private refreshing: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFailure: string | null = null;
  private readonly log: Logger;
  private readonly refreshMs: number;

  constructor(private readonly options: ActiveVersionOptions<T>) {
    this.log = options.logger ?? silentLogger;
    this.refreshMs = Math.max(10, Math.trunc(options.refreshMs ?? 1000));
  }

  /** What to decide with now; null until loaded or while the store has no active version. */
  current(): LoadedVersion<T> | null {
    return this.active;
  }

  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<LoadedVersion<T> | null> {
    const next = await this.options.load();
    const previous = this.active?.version ?? null;
    this.active = next ? { version: next.version, value: next.value, loadedAt: new Date() } : null;
    this.lastFailure = null;
    if ((next?.version ?? null) !== previous) {
      this.log.info(`active ${this.options.label} loaded`, { version: next?.version ?? null, previousVersion: previous });
    }
    return this.active;
  }

  /** Loads the store's active version now. A failure keeps the previous version serving and is thrown. */
  reload(): Promise<LoadedVersion<T> | null> {
    return this.enqueue(() => this.load());
  }

  /** Reloads only if the store's active version differs from the one held; true when it changed. Calls share one read. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.enqueue(async () => {
        const version = await this.options.peek();
        if (version === (this.active?.version ?? null)) return false;
        await this.load();
        return true;
      }).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** Polls with `refresh()` (unref'd timer); a failing poll is logged once per distinct error and keeps the old version. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (message === this.lastFailure) return;
        this.lastFailure = message;
        this.log.error(`active ${this.options.label} refresh failed; keeping the previous version`, {
          err,
          version: this.active?.version ?? null,
        });
      });
    }, this.refreshMs);
    this.timer.unref();
  }

  /** Stops polling and waits for a load in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue;
  }
}
