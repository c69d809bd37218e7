import { FedriskError } from '../../common/errors.js';

/**
 * Points-to-double-odds scaling: a score of `baseScore` means good:bad odds of `baseOdds`:1, and every `pdo` points
 * double the odds. Risk teams and regulators read scores, not probabilities, and this scaling keeps scores comparable
 * across model versions (a new model changes the probabilities, not the meaning of 600).
 */
export interface ScoreCardParams {
  baseScore: number;
  baseOdds: number;
  pdo: number;
}

/** 600 points at 50:1 good:bad odds (pd = 1/51, about 2%), 20 points to double the odds. */
export const DEFAULT_SCORE_CARD: Readonly<ScoreCardParams> = Object.freeze({ baseScore: 600, baseOdds: 50, pdo: 20 });

/** Probabilities are clamped into [PD_MIN, 1 - PD_MIN] so the log-odds, hence the score, stay finite. */
export const PD_MIN = 1e-9;

export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
/** Risk grade: A is the safest. Pricing and limits key off the grade, not the raw score. */
export type Grade = (typeof GRADES)[number];

/** Minimum (inclusive) score for each grade; anything below `D` is E. Must be strictly decreasing A > B > C > D. */
export interface GradeCutoffs {
  A: number;
  B: number;
  C: number;
  D: number;
}

/**
 * Default cut-offs on the default score card (pd is the probability of default at the cut):
 *
 * | grade | score     | pd at the cut      |
 * |-------|-----------|--------------------|
 * | A     | >= 600    | <= 1.96% (50:1)    |
 * | B     | 580-599   | <= 3.85% (25:1)    |
 * | C     | 560-579   | <= 7.41% (12.5:1)  |
 * | D     | 530-559   | <= 18.5% (4.4:1)   |
 * | E     | < 530     | > 18.5%            |
 *
 * D ends near the default approval threshold (pd 0.2 is ~528 points), so an automatically approved applicant is
 * graded A-D and E is the review/reject zone.
 */
export const DEFAULT_GRADE_CUTOFFS: Readonly<GradeCutoffs> = Object.freeze({ A: 600, B: 580, C: 560, D: 530 });

export const DECISIONS = ['approve', 'review', 'reject'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Decision by probability of default: below `approveBelow` approve, at or above `rejectAtOrAbove` reject, else review. */
export interface DecisionThresholds {
  approveBelow: number;
  rejectAtOrAbove: number;
}

/** pd < 0.2 approve; pd >= 0.5 reject; the grey zone between goes to manual review (the L3 layer). */
export const DEFAULT_DECISION_THRESHOLDS: Readonly<DecisionThresholds> = Object.freeze({
  approveBelow: 0.2,
  rejectAtOrAbove: 0.5,
});

/** Everything that turns a probability into score, grade and decision; one object so it is configured in one place. */
export interface ScoringPolicy {
  scoreCard: ScoreCardParams;
  gradeCutoffs: GradeCutoffs;
  thresholds: DecisionThresholds;
}

function finite(x: number): boolean {
  return typeof x === 'number' && Number.isFinite(x);
}

function policyError(field: string, message: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `scoring policy ${field}: ${message}`, { field: `scoring.${field}` });
}

/** Score for a probability of default. Monotone decreasing in pd; pd = 1/(1+baseOdds) gives exactly baseScore. */
export function scoreCard(pd: number, params: Partial<ScoreCardParams> = {}): number {
  const { baseScore, baseOdds, pdo } = { ...DEFAULT_SCORE_CARD, ...params };
  if (!finite(pd)) throw new FedriskError('OUT_OF_RANGE', 'probability of default must be a finite number');
  if (!finite(baseScore) || !finite(baseOdds) || baseOdds <= 0 || !finite(pdo) || pdo <= 0) {
    throw policyError('scoreCard', 'baseScore must be finite, baseOdds and pdo positive');
  }
  const p = Math.min(1 - PD_MIN, Math.max(PD_MIN, pd));
  const factor = pdo / Math.LN2;
  const offset = baseScore - factor * Math.log(baseOdds);
  return offset + factor * Math.log((1 - p) / p);
}

/** Grade for a score under the given cut-offs (inclusive lower bounds). */
export function gradeFor(score: number, cutoffs: GradeCutoffs = DEFAULT_GRADE_CUTOFFS): Grade {
  if (score >= cutoffs.A) return 'A';
  if (score >= cutoffs.B) return 'B';
  if (score >= cutoffs.C) return 'C';
  if (score >= cutoffs.D) return 'D';
  return 'E';
}

/** Automatic decision from the probability of default. */
export function decisionFor(pd: number, thresholds: DecisionThresholds = DEFAULT_DECISION_THRESHOLDS): Decision {
  if (pd < thresholds.approveBelow) return 'approve';
  if (pd >= thresholds.rejectAtOrAbove) return 'reject';
  return 'review';
}

/** Fills in defaults and refuses an inconsistent policy at start-up rather than mis-deciding at run time. */
export function resolveScoringPolicy(partial: {
  scoreCard?: Partial<ScoreCardParams>;
  gradeCutoffs?: Partial<GradeCutoffs>;
  thresholds?: Partial<DecisionThresholds>;
} = {}): ScoringPolicy {
  const policy: ScoringPolicy = {
    scoreCard: { ...DEFAULT_SCORE_CARD, ...partial.scoreCard },
    gradeCutoffs: { ...DEFAULT_GRADE_CUTOFFS, ...partial.gradeCutoffs },
    thresholds: { ...DEFAULT_DECISION_THRESHOLDS, ...partial.thresholds },
  };
  scoreCard(0.5, policy.scoreCard);
  const c = policy.gradeCutoffs;
  if (![c.A, c.B, c.C, c.D].every(finite) || !(c.A > c.B && c.B > c.C && c.C > c.D)) {
    throw policyError('gradeCutoffs', 'must be finite and strictly decreasing A > B > C > D');
  }
  const t = policy.thresholds;
  if (!finite(t.approveBelow) || !finite(t.rejectAtOrAbove) || !(t.approveBelow > 0 && t.approveBelow <= t.rejectAtOrAbove && t.rejectAtOrAbove <= 1)) {
    throw policyError('thresholds', 'need 0 < approveBelow <= rejectAtOrAbove <= 1');
  }
  return policy;
}

/** What the model layer adds to a decision. */
export interface ScoredProbability {
  /** Whole points: what people read, and what the grade is taken from, so the two never disagree. */
  score: number;
  grade: Grade;
  decision: Decision;
}

/** Score, grade and decision for one probability of default under a policy. */
export function scoreProbability(pd: number, policy: ScoringPolicy): ScoredProbability {
  const score = Math.round(scoreCard(pd, policy.scoreCard));
  return { score, grade: gradeFor(score, policy.gradeCutoffs), decision: decisionFor(pd, policy.thresholds) };
}
