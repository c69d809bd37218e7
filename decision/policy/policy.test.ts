import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import {
  DEFAULT_DECISION_THRESHOLDS,
  DEFAULT_GRADE_CUTOFFS,
  DEFAULT_SCORE_CARD,
  resolveScoringPolicy,
  scoreProbability,
} from '../scoring/score-card.js';
import { resolveAprCap } from './apr-cap.js';
import { clonePolicy, DEFAULT_POLICY, scoringPolicyOf, validatePolicy, type Policy } from './policy.js';

function refusedAt(input: unknown, field: string, message?: RegExp, cap = resolveAprCap()): void {
  assert.throws(
    () => validatePolicy(input, cap),
    (err: unknown) => {
      assert.ok(err instanceof FedriskError, String(err));
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.details.field, field, err.message);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

function edited(edit: (p: Policy) => void): Policy {
  const p = clonePolicy();
  edit(p);
  return p;
}

test('the default policy validates and subsumes the score card defaults', () => {
  const p = validatePolicy(clonePolicy());
  assert.deepEqual(p, DEFAULT_POLICY);
  assert.ok(Object.isFrozen(DEFAULT_POLICY) && Object.isFrozen(DEFAULT_POLICY.limits.perGradeMax));
  const scoring = scoringPolicyOf(p);
  assert.deepEqual(scoring, resolveScoringPolicy());
  assert.deepEqual(scoring.gradeCutoffs, DEFAULT_GRADE_CUTOFFS);
  assert.deepEqual(scoring.thresholds, DEFAULT_DECISION_THRESHOLDS);
  assert.deepEqual(scoring.scoreCard, DEFAULT_SCORE_CARD);
  // The scoring core runs unchanged on the policy's part.
  assert.deepEqual(scoreProbability(1 / 51, scoring), { score: 600, grade: 'A', decision: 'approve' });
});

test('a policy with scoring changes drives scoreProbability', () => {
  const p = validatePolicy(edited((x) => {
    x.scoreCard.baseScore = 700;
    x.gradeCutoffs = { A: 700, B: 680, C: 660, D: 630 };
    x.decisionThresholds = { approveBelow: 0.1, rejectAtOrAbove: 0.3 };
  }));
  assert.deepEqual(scoreProbability(1 / 51, scoringPolicyOf(p)), { score: 700, grade: 'A', decision: 'approve' });
  assert.equal(scoreProbability(0.15, scoringPolicyOf(p)).decision, 'review');
});

test('validation errors name the offending field', () => {
  refusedAt(null, 'policy', /object/i);
  refusedAt([], 'policy');
  refusedAt(edited((p) => (p.pricing.B = 0.4)), 'policy.pricing.B', /above the APR cap 0.36/);
  refusedAt(edited((p) => (p.pricing.E = 0.3)), 'policy.pricing.E', /above the APR cap 0.25/, resolveAprCap(0.25));
  refusedAt(edited((p) => (p.pricing.C = 0.12)), 'policy.pricing.C', /riskier grades never price lower/);
  refusedAt(edited((p) => (p.pricing.A = -0.01)), 'policy.pricing.A');
  refusedAt(edited((p) => (p.pricing.D = Number.NaN)), 'policy.pricing.D');
  refusedAt(edited((p) => delete (p.pricing as Partial<Policy['pricing']>).E), 'policy.pricing.E', /Required/);
  refusedAt(edited((p) => (p.gradeCutoffs.C = 590)), 'policy.gradeCutoffs.C', /strictly decreasing/);
  refusedAt(edited((p) => (p.decisionThresholds.rejectAtOrAbove = 0.1)), 'policy.decisionThresholds.rejectAtOrAbove');
  refusedAt(edited((p) => (p.decisionThresholds.approveBelow = 0)), 'policy.decisionThresholds.approveBelow');
  refusedAt(edited((p) => (p.scoreCard.pdo = 0)), 'policy.scoreCard.pdo');
  refusedAt(edited((p) => (p.limits.maxDebtToIncome = 1.5)), 'policy.limits.maxDebtToIncome');
  refusedAt(edited((p) => (p.limits.perGradeMax.D = Number.POSITIVE_INFINITY)), 'policy.limits.perGradeMax.D');
  refusedAt(edited((p) => (p.limits.incomeFeature = '')), 'policy.limits.incomeFeature');
  refusedAt(edited((p) => (p.limits.debtRepaymentMonths = 2.5)), 'policy.limits.debtRepaymentMonths');
  refusedAt(edited((p) => (p.reviewLimitFactor = 2)), 'policy.reviewLimitFactor');
  refusedAt({ ...clonePolicy(), surcharge: 0.05 }, 'policy.surcharge', /[Uu]nrecognized/);
  refusedAt(edited((p) => ((p.limits as unknown as Record<string, unknown>)['maxDti'] = 0.5)), 'policy.limits.maxDti');
  refusedAt(edited((p) => ((p.pricing as unknown as Record<string, unknown>)['B'] = '0.14')), 'policy.pricing.B', /number/);
});

test('all shape issues are listed, the first one names the error', () => {
  try {
    validatePolicy(edited((p) => {
      p.pricing.B = -0.5;
      p.limits.minLimit = -1;
    }));
    assert.fail('expected a refusal');
  } catch (err) {
    assert.ok(err instanceof FedriskError);
    const issues = err.details['issues'] as { field: string }[];
    assert.deepEqual(issues.map((i) => i.field), ['policy.pricing.B', 'policy.limits.minLimit']);
    assert.equal(err.details.field, 'policy.pricing.B');
  }
});

test('optional fields may be left out; the result is a fresh object', () => {
  const p = edited((x) => {
    delete x.reviewLimitFactor;
    delete x.limits.debtRepaymentMonths;
    x.limits.incomeFeature = null;
    x.limits.debtFeature = null;
  });
  const v = validatePolicy(p);
  assert.equal(v.reviewLimitFactor, undefined);
  assert.notEqual(v, p);
});
