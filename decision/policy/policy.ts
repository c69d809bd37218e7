import { z } from 'zod';
import { FedriskError } from '../../common/errors.js';
import {
  DEFAULT_DECISION_THRESHOLDS,
  DEFAULT_GRADE_CUTOFFS,
  DEFAULT_SCORE_CARD,
  GRADES,
  resolveScoringPolicy,
  type DecisionThresholds,
  type Grade,
  type GradeCutoffs,
  type ScoreCardParams,
  type ScoringPolicy,
} from '../scoring/score-card.js';
import { resolveAprCap, type AprCap } from './apr-cap.js';

/** One value per risk grade A-E. */
export type PerGrade<T> = Record<Grade, T>;

/**
 * How affordability is read from an application's features. Income is taken from `incomeFeature` (monthly, or
 * annual when `incomeIsMonthly` is false); existing debt from `debtFeature`, read as an OUTSTANDING BALANCE (a
 * stock, as in credit_data's `Debt`), whose monthly service is assumed to be the balance repaid in equal instalments
 * over `debtRepaymentMonths` (default 36) — a simple, stated assumption because the data carries no schedule.
 */
export interface LimitPolicy {
  /** Highest credit line per grade, in the currency unit of the amounts. */
  perGradeMax: PerGrade<number>;
  /** A computed line below this is not worth granting: the limit becomes 0. */
  minLimit: number;
  /** Share of monthly income all debt payments (existing + the new loan's) may take, e.g. 0.4. */
  maxDebtToIncome: number;
  /** Feature holding income; null: no income check, the grade maximum alone applies. */
  incomeFeature: string | null;
  /** Feature holding the outstanding existing debt; null or missing value: no existing debt assumed. */
  debtFeature: string | null;
  incomeIsMonthly: boolean;
  /** Months over which existing debt is assumed to be repaid (default 36). */
  debtRepaymentMonths?: number;
}

/**
 * Everything that turns a probability of default into an offer: score card, grade cut-offs and decision thresholds
 * (the {@link ScoringPolicy} of score-card.ts, subsumed), the annual rate per grade, and the credit-line policy.
 * Versioned and stored like rules, so pricing changes are auditable and reversible.
 */
export interface Policy {
  gradeCutoffs: GradeCutoffs;
  decisionThresholds: DecisionThresholds;
  scoreCard: ScoreCardParams;
  /** Annual rate per grade as a fraction (0.12 = 12%); never above the APR cap (refused at validation). */
  pricing: PerGrade<number>;
  limits: LimitPolicy;
  /** Factor (0, 1] applied to the line of an application sent to review; absent: 1. */
  reviewLimitFactor?: number;
}

const finite = z.number().finite();
const nonNegative = finite.min(0);
const perGrade = (item: z.ZodNumber) => z.object({ A: item, B: item, C: item, D: item, E: item }).strict();
const featureName = z.string().min(1).max(100).nullable();

const baseSchema = z
  .object({
    gradeCutoffs: z.object({ A: finite, B: finite, C: finite, D: finite }).strict(),
    decisionThresholds: z.object({ approveBelow: finite.gt(0).max(1), rejectAtOrAbove: finite.gt(0).max(1) }).strict(),
    scoreCard: z.object({ baseScore: finite, baseOdds: finite.gt(0), pdo: finite.gt(0) }).strict(),
    pricing: perGrade(nonNegative),
    limits: z
      .object({
        perGradeMax: perGrade(nonNegative),
        minLimit: nonNegative,
        maxDebtToIncome: finite.gt(0).max(1),
        incomeFeature: featureName,
        debtFeature: featureName,
        incomeIsMonthly: z.boolean(),
        debtRepaymentMonths: z.number().int().min(1).max(600).optional(),
      })
      .strict(),
    reviewLimitFactor: finite.gt(0).max(1).optional(),
  })
  .strict();

function schemaFor(cap: AprCap) {
  return baseSchema.superRefine((p, ctx) => {
    const c = p.gradeCutoffs;
    const order = ['A', 'B', 'C', 'D'] as const;
    for (let i = 1; i < order.length; i++) {
      if (!(c[order[i - 1]!] > c[order[i]!])) {
        ctx.addIssue({ code: 'custom', path: ['gradeCutoffs', order[i]!], message: `must be below ${order[i - 1]} (strictly decreasing A > B > C > D)` });
        break;
      }
    }
    if (p.decisionThresholds.approveBelow > p.decisionThresholds.rejectAtOrAbove) {
      ctx.addIssue({ code: 'custom', path: ['decisionThresholds', 'rejectAtOrAbove'], message: 'must be at least approveBelow' });
    }
    for (let i = 0; i < GRADES.length; i++) {
      const g = GRADES[i]!;
      const apr = p.pricing[g];
      if (apr > cap) {
        ctx.addIssue({ code: 'custom', path: ['pricing', g], message: `${apr} is above the APR cap ${cap}` });
      } else if (i > 0 && apr < p.pricing[GRADES[i - 1]!]) {
        ctx.addIssue({ code: 'custom', path: ['pricing', g], message: `must not be below grade ${GRADES[i - 1]}'s rate: riskier grades never price lower` });
      }
    }
  });
}

function fieldOf(issue: z.ZodIssue): string {
  const parts = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`));
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) parts.push(`.${issue.keys[0]}`);
  return `policy${parts.join('')}`;
}

/**
 * Validates a policy document (unknown fields refused) against the cap in force (default: the legal ceiling).
 * INVALID_ARGUMENT names the first offending field (`policy.pricing.B`); `details.issues` lists all of them (one per field).
 * A price above the cap is REFUSED here, so an operator learns at once; pricing still caps as the last line of
 * defence ({@link capApr}), e.g. for a stored policy when the configured cap was lowered later.
 */
export function validatePolicy(input: unknown, cap: AprCap = resolveAprCap()): Policy {
  const parsed = schemaFor(cap).safeParse(input);
  if (!parsed.success) {
    const issues: { field: string; message: string }[] = [];
    for (const i of parsed.error.issues) {
      const field = fieldOf(i);
      if (!issues.some((x) => x.field === field)) issues.push({ field, message: i.message });
    }
    const first = issues[0]!;
    throw new FedriskError('INVALID_ARGUMENT', `${first.field}: ${first.message}`, { field: first.field, issues });
  }
  const policy: Policy = parsed.data;
  try {
    resolveScoringPolicy(scoringPolicyOf(policy));
  } catch (err) {
    throw new FedriskError('INVALID_ARGUMENT', `policy: ${err instanceof Error ? err.message : String(err)}`, { field: 'policy' });
  }
  return policy;
}

/** The score card, cut-offs and thresholds as score-card.ts consumes them (`scoreProbability(pd, scoringPolicyOf(p))`). */
export function scoringPolicyOf(policy: Policy): ScoringPolicy {
  return {
    scoreCard: { ...policy.scoreCard },
    gradeCutoffs: { ...policy.gradeCutoffs },
    thresholds: { ...policy.decisionThresholds },
  };
}

/**
 * The default policy, for credit_data (amounts, income and debt in the data set's currency unit; `Income` is monthly
 * income, median ~125; `Debt` an outstanding balance, mostly 0; requested `Amount` 100-5000, median 1000):
 * - scoring: 600 points at 50:1, PDO 20; cut-offs A 600 / B 580 / C 560 / D 530; approve below pd 0.2, reject from 0.5;
 * - rates rise with risk: A 10%, B 14%, C 18% (the source documents' example rate), D 24%, E 30% — all under the
 *   36% cap, with headroom for a reviewer's override;
 * - lines: at most 5000 / 4000 / 3000 / 2000 / 1000 by grade, all debt payments within 40% of monthly income, no line
 *   under 100; a grey-zone (review) application is offered 80% of its computed line.
 */
export const DEFAULT_POLICY: Readonly<Policy> = deepFreeze({
  gradeCutoffs: { ...DEFAULT_GRADE_CUTOFFS },
  decisionThresholds: { ...DEFAULT_DECISION_THRESHOLDS },
  scoreCard: { ...DEFAULT_SCORE_CARD },
  pricing: { A: 0.1, B: 0.14, C: 0.18, D: 0.24, E: 0.3 },
  limits: {
    perGradeMax: { A: 5000, B: 4000, C: 3000, D: 2000, E: 1000 },
    minLimit: 100,
    maxDebtToIncome: 0.4,
    incomeFeature: 'Income',
    debtFeature: 'Debt',
    incomeIsMonthly: true,
    debtRepaymentMonths: 36,
  },
  reviewLimitFactor: 0.8,
});

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(value);
}

/** A mutable deep copy (of the default, typically) to edit and validate. */
export function clonePolicy(policy: Readonly<Policy> = DEFAULT_POLICY): Policy {
  return JSON.parse(JSON.stringify(policy)) as Policy;
}

/** The default assumption for {@link LimitPolicy.debtRepaymentMonths}. */
export const DEFAULT_DEBT_REPAYMENT_MONTHS = 36;

