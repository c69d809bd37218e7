import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { ActiveVersion } from '../rules/active-version.js';
import type { PutOptions } from '../rules/versioned-document-store.js';
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
 * the new version, no restart; `refresh()` notices another process's change with a one-column read.
 */
export class ActivePolicy {
  private readonly store: PolicyStore;
  private readonly holder: ActiveVersion<LoadedPolicy>;

  constructor(options: ActivePolicyOptions) {
    this.store = options.store;
    this.holder = new ActiveVersion<LoadedPolicy>({
      label: 'policy',
      peek: () => this.store.getActiveVersion(),
      load: async () => {
        const stored = await this.store.getActive();
        if (!stored) return null;
        const policy = stored.document;
        return { version: stored.version, value: { version: stored.version, policy, scoring: scoringPolicyOf(policy) } };
      },
      ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Creates the holder and loads the active version once (seed the store first for a fresh database). */
  static async open(options: ActivePolicyOptions): Promise<ActivePolicy> {
    const active = new ActivePolicy(options);
    await active.reload();
    return active;
  }

  currentOrNull(): LoadedPolicy | null {
    return this.holder.current()?.value ?? null;
  }

  /** The policy to price with now; UNAVAILABLE while none is loaded (never a silent built-in fallback). */
  current(): LoadedPolicy {
    const p = this.currentOrNull();
    if (!p) throw new FedriskError('UNAVAILABLE', 'no active policy is loaded');
    return p;
  }

  get version(): number | null {
    return this.holder.current()?.version ?? null;
  }

  async reload(): Promise<LoadedPolicy | null> {
    return (await this.holder.reload())?.value ?? null;
  }

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
