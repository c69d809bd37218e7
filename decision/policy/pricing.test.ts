import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import { resolveAprCap } from './apr-cap.js';
import { clonePolicy, DEFAULT_POLICY, type Policy } from './policy.js';
import {
  annuityPayment,
  applyReviewerOverride,
  creditLimit,
  creditLimitDetail,
  offerFor,
  priceFor,
  principalForPayment,
} from './pricing.js';

const cap = resolveAprCap();
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);
const isInvalid = (field: string) => (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.details.field === field;

test('priceFor: the policy rate per grade, through the cap', () => {
  assert.deepEqual(['A', 'B', 'C', 'D', 'E'].map((g) => priceFor(g as 'A', DEFAULT_POLICY, cap)), [0.1, 0.14, 0.18, 0.24, 0.3]);
  assert.equal(priceFor('E', DEFAULT_POLICY, resolveAprCap(0.2)), 0.2);
  assert.throws(() => priceFor('F' as 'A', DEFAULT_POLICY, cap), isInvalid('grade'));
});

test('annuity arithmetic: hand-computed values and round trip', () => {
  // 1000 over 12 months at 12%: r = 1%, payment = 10 / (1 - 1.01^-12) = 88.8487886783...
  close(annuityPayment(1000, 0.12, 12), 88.84878867834166);
  close(annuityPayment(1200, 0, 12), 100);
  // 50 a month for 12 months at 12% repays 50 * (1 - 1.01^-12) / 0.01 = 562.75387...
  close(principalForPayment(50, 0.12, 12), 562.7538736742);
  close(principalForPayment(annuityPayment(2500, 0.3, 36), 0.3, 36), 2500);
});

test('limit by affordability: income 125/month, no debt, 40% DTI, 12% over 12 months -> 562', () => {
  const d = creditLimitDetail({ grade: 'A', features: { Income: 125, Debt: 0 }, amount: 1000, termMonths: 12, apr: 0.12 }, DEFAULT_POLICY);
  assert.equal(d.monthlyIncome, 125);
  assert.equal(d.monthlyDebtService, 0);
  assert.equal(d.monthlyBudget, 50);
  close(d.affordablePrincipal ?? Number.NaN, 562.7538736742);
  assert.deepEqual([d.limit, d.gradeMax, d.basis], [562, 5000, 'affordability']);
});

test('existing debt is an outstanding balance serviced over 36 months', () => {
  // income 1000 -> 400 budget; debt 3600 / 36 = 100 a month -> 300 left; 0% over 10 months -> 3000 (< B max 4000).
  const input = { grade: 'B' as const, features: { Income: 1000, Debt: 3600 }, amount: 5000, termMonths: 10, apr: 0 };
  const d = creditLimitDetail(input, DEFAULT_POLICY);
  assert.deepEqual([d.monthlyDebtService, d.monthlyBudget, d.limit, d.basis], [100, 300, 3000, 'affordability']);
  // A 12-month repayment assumption makes the same debt cost 300 a month: budget 100 -> 1000.
  const p = clonePolicy();
  p.limits.debtRepaymentMonths = 12;
  assert.equal(creditLimit(input, p), 1000);
  // Debt larger than the budget: nothing affordable.
  assert.equal(creditLimit({ ...input, features: { Income: 100, Debt: 3600 } }, DEFAULT_POLICY), 0);
});

test('the grade maximum binds when affordability is higher', () => {
  // income 5000 -> budget 2000/month -> ~22,510 at 12% over 12 months; grade D max is 2000.
  const d = creditLimitDetail({ grade: 'D', features: { Income: 5000, Debt: null }, amount: 9000, termMonths: 12, apr: 0.12 }, DEFAULT_POLICY);
  assert.deepEqual([d.limit, d.basis], [2000, 'grade-max']);
  assert.ok((d.affordablePrincipal ?? 0) > 22_000);
});

test('below minLimit the line is 0; missing income gives 0; no income feature gives the grade max', () => {
  // income 10 -> budget 4/month -> 48 at 0% over 12 months, below the 100 minimum.
  const small = creditLimitDetail({ grade: 'A', features: { Income: 10 }, amount: 500, termMonths: 12, apr: 0 }, DEFAULT_POLICY);
  assert.deepEqual([small.limit, small.basis], [0, 'below-minimum']);
  for (const Income of [null, undefined, 'n/a', -5]) {
    const d = creditLimitDetail({ grade: 'A', features: { Income }, amount: 500, termMonths: 12, apr: 0.1 }, DEFAULT_POLICY);
    assert.deepEqual([d.limit, d.basis], [0, 'no-income'], String(Income));
  }
  const p = clonePolicy();
  p.limits.incomeFeature = null;
  assert.deepEqual(
    [creditLimit({ grade: 'C', features: {}, amount: 1, termMonths: 6, apr: 0.18 }, p), creditLimitDetail({ grade: 'C', features: {}, amount: 1, termMonths: 6, apr: 0.18 }, p).basis],
    [3000, 'grade-max'],
  );
});

test('annual income is divided by 12', () => {
  const p: Policy = clonePolicy();
  p.limits.incomeIsMonthly = false;
  // 12,000 a year -> 1000 a month -> budget 400 -> 0% over 5 months = 2000 (< A max 5000).
  assert.equal(creditLimit({ grade: 'A', features: { Income: 12_000 }, amount: 1, termMonths: 5, apr: 0 }, p), 2000);
});

test('offerFor: capped rate, line at that rate, approved amount = min(amount, line); review and reject', () => {
  const features = { Income: 125, Debt: 0 };
  // Grade A: 10% over 12 months, budget 50 -> 50 * (1 - (1+0.1/12)^-12) / (0.1/12) = 568.7...
  const offer = offerFor({ grade: 'A', features, amount: 1000, termMonths: 12 }, DEFAULT_POLICY, cap);
  assert.equal(offer.apr, 0.1);
  assert.equal(offer.creditLimit, Math.floor(principalForPayment(50, 0.1, 12)));
  assert.equal(offer.creditLimit, 568);
  assert.equal(offer.approvedAmount, 568);
  assert.equal(offerFor({ grade: 'A', features, amount: 300, termMonths: 12 }, DEFAULT_POLICY, cap).approvedAmount, 300);
  // review: 80% of 568 = 454
  const review = offerFor({ grade: 'A', features, amount: 1000, termMonths: 12, outcome: 'review' }, DEFAULT_POLICY, cap);
  assert.deepEqual(review, { apr: 0.1, creditLimit: 454, approvedAmount: 454 });
  const reject = offerFor({ grade: 'A', features, amount: 1000, termMonths: 12, outcome: 'reject' }, DEFAULT_POLICY, cap);
  assert.deepEqual([reject.creditLimit, reject.approvedAmount], [0, 0]);
});

test('bad inputs are refused naming the field', () => {
  const base = { grade: 'A' as const, features: { Income: 100 }, amount: 100, termMonths: 12, apr: 0.1 };
  assert.throws(() => creditLimit({ ...base, amount: -1 }, DEFAULT_POLICY), isInvalid('amount'));
  assert.throws(() => creditLimit({ ...base, amount: Number.NaN }, DEFAULT_POLICY), isInvalid('amount'));
  assert.throws(() => creditLimit({ ...base, termMonths: 0 }, DEFAULT_POLICY), isInvalid('termMonths'));
  assert.throws(() => creditLimit({ ...base, termMonths: 1.5 }, DEFAULT_POLICY), isInvalid('termMonths'));
  assert.throws(() => creditLimit({ ...base, apr: -0.1 }, DEFAULT_POLICY), isInvalid('apr'));
});

test('reviewer overrides are capped like any price', () => {
  const offer = { apr: 0.24, creditLimit: 1500, approvedAmount: 1000 };
  assert.deepEqual(applyReviewerOverride(offer, 1000, {}, cap), offer);
  assert.deepEqual(applyReviewerOverride(offer, 1000, { apr: 0.5 }, cap), { apr: 0.36, creditLimit: 1500, approvedAmount: 1000 });
  assert.deepEqual(applyReviewerOverride(offer, 1000, { apr: 0.2, creditLimit: 800 }, resolveAprCap(0.15)), {
    apr: 0.15,
    creditLimit: 800,
    approvedAmount: 800,
  });
  assert.throws(() => applyReviewerOverride(offer, 1000, { apr: Number.NaN }, cap), isInvalid('override.apr'));
  assert.throws(() => applyReviewerOverride(offer, 1000, { apr: -1 }, cap), isInvalid('override.apr'));
  assert.throws(() => applyReviewerOverride(offer, 1000, { creditLimit: -5 }, cap), isInvalid('override.creditLimit'));
});
