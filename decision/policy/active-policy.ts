import type { Logger } from '../../common/log.js';
import { ActiveDocument } from '../rules/active-document.js';
import type { ScoringPolicy } from '../scoring/score-card.js';
import { scoringPolicyOf, type Policy } from './policy.js';
import type { PolicyStore } from './policy-store.js';

/** The active policy as the pipeline uses it: the document and its scoring part in score-card.ts's shape. */
export interface LoadedPolicy {
  version: number;
  policy: Policy;
  scoring: ScoringPolicy;
}

/** Where the active policy comes from and how often to poll for other processes' changes. */
export interface ActivePolicyOptions {
  store: PolicyStore;
  /** Poll interval of `start()`, ms (default 1000). */
  refreshMs?: number;
  logger?: Logger;
}

/**
 * The active policy in memory, hot-reloaded like the rules: after `put`/`activate` the NEXT decision prices with
 * the new version, no restart.
 */
export class ActivePolicy extends ActiveDocument<PolicyStore, LoadedPolicy> {
  constructor(options: ActivePolicyOptions) {
    super(options.store, 'policy', options);
  }

  /** Creates the holder and loads the active version once (seed the store first for a fresh database). */
  static async open(options: ActivePolicyOptions): Promise<ActivePolicy> {
    const active = new ActivePolicy(options);
    await active.reload();
    return active;
  }

  protected async loadActive(): Promise<{ version: number; value: LoadedPolicy } | null> {
    const stored = await this.store.getActive();
    if (!stored) return null;
    const policy = stored.document;
    return { version: stored.version, value: { version: stored.version, policy, scoring: scoringPolicyOf(policy) } };
  }
}
