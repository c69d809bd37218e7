import type { Logger } from '../../common/log.js';
import type { RulesContext, RulesResult } from '../pipeline/decision-types.js';
import { ActiveDocument } from './active-document.js';
import { RulesEngine, type CompiledRules } from './rules-engine.js';
import type { RulesStore } from './rules-store.js';

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
export class ActiveRules extends ActiveDocument<RulesStore, CompiledRules> {
  private readonly compiled = new Map<number, CompiledRules>();
  private readonly cacheSize: number;
  private readonly logger: Logger | undefined;

  constructor(options: ActiveRulesOptions) {
    super(options.store, 'rule set', options);
    this.logger = options.logger;
    this.cacheSize = Math.max(1, Math.trunc(options.cacheSize ?? 8));
  }

  /** Creates the holder and loads the active version once (seed the store first for a fresh database). */
  static async open(options: ActiveRulesOptions): Promise<ActiveRules> {
    const rules = new ActiveRules(options);
    await rules.reload();
    return rules;
  }

  protected async loadActive(): Promise<{ version: number; value: CompiledRules } | null> {
    const stored = await this.store.getActive();
    if (!stored) return null;
    const cached = this.compiled.get(stored.version);
    if (cached && cached.digest === stored.digest) return { version: stored.version, value: cached };
    const value = await RulesEngine.compile(stored.version, stored.document);
    if (value.engineNote !== null) this.logger?.warn('rules run on zen-engine, not compiled', { version: stored.version, why: value.engineNote });
    this.compiled.delete(stored.version);
    this.compiled.set(stored.version, value);
    while (this.compiled.size > this.cacheSize) {
      const oldest = this.compiled.keys().next().value;
      if (oldest === undefined) break;
      this.compiled.delete(oldest);
    }
    return { version: stored.version, value };
  }

  /** Evaluates with the rules active at the time of the call. */
  evaluate(ctx: RulesContext): Promise<RulesResult> {
    return this.current().evaluate(ctx);
  }
}
