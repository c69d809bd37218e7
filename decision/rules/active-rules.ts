import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { RulesContext, RulesResult } from '../pipeline/decision-types.js';
import { ActiveVersion } from './active-version.js';
import { RulesEngine, type CompiledRules } from './rules-engine.js';
import type { RulesStore } from './rules-store.js';
import type { PutOptions } from './versioned-document-store.js';

/** Where the active rules come from and how often to poll for other processes' changes. */
export interface ActiveRulesOptions {
  store: RulesStore;
  /** Poll interval of `start()` for versions activated by another process, ms (default 1000). */
  refreshMs?: number;
  /** Compiled versions kept for a fast rollback (default 8). */
  cacheSize?: number;
  logger?: Logger;
}

/**
 * The compiled active rule set, in memory. After `put`/`activate` (here or through {@link reload}) the NEXT
 * evaluation uses the new version, with no restart; an evaluation already running keeps the version it started with.
 * Other processes' changes are picked up by `refresh()` (a one-column read; `start()` polls it). Recently used
 * versions stay compiled, so rolling back is a swap, not a compile.
 */
export class ActiveRules {
  private readonly store: RulesStore;
  private readonly holder: ActiveVersion<CompiledRules>;
  private readonly compiled = new Map<number, CompiledRules>();
  private readonly cacheSize: number;

  constructor(options: ActiveRulesOptions) {
    this.store = options.store;
    this.cacheSize = Math.max(1, Math.trunc(options.cacheSize ?? 8));
    this.holder = new ActiveVersion<CompiledRules>({
      label: 'rules',
      peek: () => this.store.getActiveVersion(),
      load: () => this.loadActive(),
      ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Creates the holder and loads the active version once (seed the store first for a fresh database). */
  static async open(options: ActiveRulesOptions): Promise<ActiveRules> {
    const rules = new ActiveRules(options);
    await rules.reload();
    return rules;
  }

  private async loadActive(): Promise<{ version: number; value: CompiledRules } | null> {
    const stored = await this.store.getActive();
    if (!stored) return null;
    const cached = this.compiled.get(stored.version);
    if (cached && cached.digest === stored.digest) return { version: stored.version, value: cached };
    const value = await RulesEngine.compile(stored.version, stored.document);
    this.compiled.delete(stored.version);
    this.compiled.set(stored.version, value);
    while (this.compiled.size > this.cacheSize) {
      const oldest = this.compiled.keys().next().value;
      if (oldest === undefined) break;
      this.compiled.delete(oldest);
    }
    return { version: stored.version, value };
  }

  /** The rules to decide with now, or null while none is active. */
  currentOrNull(): CompiledRules | null {
    return this.holder.current()?.value ?? null;
  }

  /** The rules to decide with now; UNAVAILABLE while none is loaded (the service answers 503, never decides without rules). */
  current(): CompiledRules {
    const rules = this.currentOrNull();
    if (!rules) throw new FedriskError('UNAVAILABLE', 'no active rule set is loaded');
    return rules;
  }

  /** Version of the rules in memory, or null. */
  get version(): number | null {
    return this.holder.current()?.version ?? null;
  }

  /** Evaluates with the rules active at the time of the call. */
  evaluate(ctx: RulesContext): Promise<RulesResult> {
    return this.current().evaluate(ctx);
  }

  /** Loads the store's active version now (after a put or activate by anyone). */
  async reload(): Promise<CompiledRules | null> {
    return (await this.holder.reload())?.value ?? null;
  }

  /** Reloads only if the store's active version changed; true when it did. */
  refresh(): Promise<boolean> {
    return this.holder.refresh();
  }

  /** Stores a new version (validated) and, when it is activated (the default), makes it live for the next decision. */
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
