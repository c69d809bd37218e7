/**
 * What ActiveRules and ActivePolicy share: a versioned document store plus the in-memory active value built from it
 * (compiled rules, a parsed policy). `put`/`activate` go through here so the NEXT decision uses the new version with
 * no restart; `refresh()` notices another process's change with a one-column read.
 */
import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { ActiveVersion } from './active-version.js';
import type { PutOptions } from './versioned-document-store.js';

/** The store operations the holder needs (RulesStore and PolicyStore both have them). */
export interface DocumentVersionStore {
  put(doc: unknown, createdBy: string, note: string, opts?: PutOptions): Promise<number>;
  activate(version: number): Promise<void>;
  getActiveVersion(): Promise<number | null>;
}

export interface ActiveDocumentOptions {
  /** Poll interval of `start()` for versions activated by another process, ms (default 1000). */
  refreshMs?: number;
  logger?: Logger;
}

export abstract class ActiveDocument<S extends DocumentVersionStore, V> {
  protected readonly holder: ActiveVersion<V>;

  protected constructor(
    protected readonly store: S,
    private readonly label: string,
    options: ActiveDocumentOptions,
  ) {
    this.holder = new ActiveVersion<V>({
      label,
      peek: () => this.store.getActiveVersion(),
      load: () => this.loadActive(),
      ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Builds the in-memory value of the store's active version (null when none is active). */
  protected abstract loadActive(): Promise<{ version: number; value: V } | null>;

  currentOrNull(): V | null {
    return this.holder.current()?.value ?? null;
  }

  /** The value to decide with now; UNAVAILABLE while none is loaded (never a silent built-in fallback). */
  current(): V {
    const v = this.currentOrNull();
    if (v === null) throw new FedriskError('UNAVAILABLE', `no active ${this.label} is loaded`);
    return v;
  }

  /** Version in memory, or null. */
  get version(): number | null {
    return this.holder.current()?.version ?? null;
  }

  /** Loads the store's active version now (after a put or activate by anyone). */
  async reload(): Promise<V | null> {
    return (await this.holder.reload())?.value ?? null;
  }

  /** Reloads only if the store's active version changed; true when it did. */
  refresh(): Promise<boolean> {
    return this.holder.refresh();
  }

  /** Stores a new version (validated) and, when activated (the default), makes it live for the next decision. */
  async put(doc: unknown, createdBy: string, note: string, opts?: PutOptions): Promise<number> {
    const version = await this.store.put(doc, createdBy, note, opts);
    await this.reload();
    return version;
  }

  /** Activates a stored version (rollback) and makes it live for the next decision. */
  async activate(version: number): Promise<void> {
    await this.store.activate(version);
    await this.reload();
  }

  start(): void {
    this.holder.start();
  }

  stop(): Promise<void> {
    return this.holder.stop();
  }
}
