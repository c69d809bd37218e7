import { invalid } from '../../common/errors.js';
import type { Outcome, RuleHit, RulesContext, RulesResult } from '../pipeline/decision-types.js';
import { decisionFor, DEFAULT_DECISION_THRESHOLDS, type DecisionThresholds } from '../scoring/score-card.js';
import type { CompiledRules } from './rules-engine.js';

/** A stored application as a dry run needs it: its rules context and the outcome recorded for it. */
export interface DryRunSample {
  applicationId: string;
  context: RulesContext;
  outcome: Outcome;
}

/** How the pipeline turns a rules result plus the model's view (in the context) into an outcome. */
export type CombineOutcome = (rules: RulesResult, ctx: RulesContext) => Outcome;

/** An outcome change `from->to` (the three unchanged pairs are not transitions). */
export type TransitionKey = Exclude<`${Outcome}->${Outcome}`, 'approve->approve' | 'review->review' | 'reject->reject'>;

/** Every transition, so a report always lists all six counts (zeros included). */
export const TRANSITION_KEYS: readonly TransitionKey[] = [
  'approve->review',
  'approve->reject',
  'review->approve',
  'review->reject',
  'reject->approve',
  'reject->review',
];

/** One application whose outcome the candidate would change, with the hits that explain it. */
export interface DryRunExample {
  applicationId: string;
  from: Outcome;
  to: Outcome;
  /** Hits the candidate produces that the current rules did not (by ruleId + action). */
  newHits: RuleHit[];
  /** Hits of the current rules the candidate no longer produces. */
  droppedHits: RuleHit[];
}

/** What a dry run tells the operator before activating a candidate rule set. */
export interface DryRunReport {
  candidateVersion: number;
  currentVersion: number;
  evaluated: number;
  changed: number;
  transitions: Record<TransitionKey, number>;
  /** At most {@link MAX_DRY_RUN_EXAMPLES} changed applications, in sample order. */
  examples: DryRunExample[];
  /**
   * Samples whose recorded outcome differs from what the current rules give today (decided under older rules,
   * or changed by a reviewer): a sign that the baseline has drifted, reported rather than hidden.
   */
  recordedDiffers: number;
  /** Hits per ruleId under the candidate: how often each rule would fire on these samples. */
  candidateHitCounts: Record<string, number>;
}

/** Examples are for reading, not for export: a reviewer looks at a few, the counts say the rest. */
export const MAX_DRY_RUN_EXAMPLES = 20;

/**
 * The pipeline's default layering: a rules reject rejects; else a rules review sends to review; else the model decides
 * from the probability of default (approve below `approveBelow`, reject at or above `rejectAtOrAbove`, review
 * between). Flags alone never change the outcome.
 */
export function combineOutcome(
  rules: RulesResult,
  ctx: RulesContext,
  thresholds: DecisionThresholds = DEFAULT_DECISION_THRESHOLDS,
): Outcome {
  if (rules.action === 'reject') return 'reject';
  if (rules.action === 'review') return 'review';
  return decisionFor(ctx.model.probabilityOfDefault, thresholds);
}

const hitKey = (h: RuleHit): string => `${h.ruleId}\u0000${h.action}`;

/**
 * Replays stored applications through a candidate rule set and the current one, and reports how outcomes would
 * change before an operator activates it. Both sides are evaluated now on the same stored contexts with the same
 * `combine`, so every counted change is due to the rules alone (not to a model swap or a reviewer's decision since);
 * the recorded outcomes are only compared to flag drift ({@link DryRunReport.recordedDiffers}).
 */
export async function dryRunRules(
  candidate: CompiledRules,
  current: CompiledRules,
  samples: readonly DryRunSample[],
  combine: CombineOutcome,
): Promise<DryRunReport> {
  if (!Array.isArray(samples)) throw invalid('samples', 'must be an array');
  const transitions = Object.fromEntries(TRANSITION_KEYS.map((k) => [k, 0])) as Record<TransitionKey, number>;
  const examples: DryRunExample[] = [];
  const candidateHitCounts: Record<string, number> = {};
  let changed = 0;
  let recordedDiffers = 0;
  for (const sample of samples) {
    const [now, next] = await Promise.all([current.evaluate(sample.context), candidate.evaluate(sample.context)]);
    const from = combine(now, sample.context);
    const to = combine(next, sample.context);
    for (const h of next.hits) candidateHitCounts[h.ruleId] = (candidateHitCounts[h.ruleId] ?? 0) + 1;
    if (from !== sample.outcome) recordedDiffers++;
    if (from === to) continue;
    changed++;
    transitions[`${from}->${to}` as TransitionKey]++;
    if (examples.length < MAX_DRY_RUN_EXAMPLES) {
      const before = new Set(now.hits.map(hitKey));
      const after = new Set(next.hits.map(hitKey));
      examples.push({
        applicationId: sample.applicationId,
        from,
        to,
        newHits: next.hits.filter((h) => !before.has(hitKey(h))),
        droppedHits: now.hits.filter((h) => !after.has(hitKey(h))),
      });
    }
  }
  return {
    candidateVersion: candidate.version,
    currentVersion: current.version,
    evaluated: samples.length,
    changed,
    transitions,
    examples,
    recordedDiffers,
    candidateHitCounts,
  };
}
