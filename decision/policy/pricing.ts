import { invalid } from '../../common/errors.js';
import type { RawValue } from '../../common/schema/feature-schema.js';
import type { Outcome } from '../pipeline/decision-types.js';
import { GRADES, type Grade } from '../scoring/score-card.js';
import { capApr, type AprCap } from './apr-cap.js';
import { DEFAULT_DEBT_REPAYMENT_MONTHS, type Policy } from './policy.js';

/**
 * Price and credit line for a graded application (requirements 5-6): the annual rate comes from the grade and is
 * always passed through the APR cap; the line is the smaller of the grade's maximum and what the applicant can
 * afford (debt-to-income), so a good grade never lends beyond the ability to repay.
 */

/** Features as the application carries them (RawRow-like); only the policy's income and debt features are read. */
export type Features = Readonly<Record<string, RawValue | undefined>>;

/** One application as the limit arithmetic needs it. */
export interface LimitInput {
  grade: Grade;
  features: Features;
  /** Requested amount. */
  amount: number;
  termMonths: number;
  /** The (already capped) annual rate the line is computed at. */
  apr: number;
}

/** Why the line is what it is; kept with the decision so a reviewer can see the arithmetic. */
export interface LimitDetail {
  limit: number;
  gradeMax: number;
  /** Income per month, or null when the policy has no income feature or the value is missing. */
  monthlyIncome: number | null;
  monthlyDebtService: number;
  /** What is left for the new loan's instalment: maxDebtToIncome x income - existing debt service (>= 0). */
  monthlyBudget: number | null;
  /** Largest principal whose annuity fits the budget, or null when there is no income check. */
  affordablePrincipal: number | null;
  basis: 'grade-max' | 'affordability' | 'below-minimum' | 'no-income';
}

/** What the applicant is offered: the rate (capped), the line, and the amount lent now. */
export interface Offer {
  apr: number;
  creditLimit: number;
  /** min(requested amount, credit limit): what is lent now. */
  approvedAmount: number;
}

/** A reviewer's changes to an offer; each is optional, the rate is still capped. */
export interface ReviewerOverride {
  apr?: number;
  creditLimit?: number;
}

/** 50 years: anything longer is an input error, not a loan. */
export const MAX_TERM_MONTHS = 600;

function checkGrade(grade: Grade): void {
  if (!(GRADES as readonly string[]).includes(grade)) throw invalid('grade', `must be one of ${GRADES.join(', ')}`);
}

function checkAmount(value: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(field, 'must be a finite number >= 0');
}

function checkTerm(termMonths: number): void {
  if (!Number.isSafeInteger(termMonths) || termMonths < 1 || termMonths > MAX_TERM_MONTHS) {
    throw invalid('termMonths', `must be a whole number of months between 1 and ${MAX_TERM_MONTHS}`);
  }
}

/** The annual rate for a grade under the policy, through the cap (the policy's rate if it is within the cap). */
export function priceFor(grade: Grade, policy: Policy, cap: AprCap): number {
  checkGrade(grade);
  return capApr(policy.pricing[grade], cap, `policy.pricing.${grade}`);
}

/** Monthly instalment of an annuity loan: P·r / (1 - (1+r)^-n) with r = apr/12; P/n at a zero rate. */
export function annuityPayment(principal: number, apr: number, months: number): number {
  const r = apr / 12;
  if (r === 0) return principal / months;
  return (principal * r) / (1 - Math.pow(1 + r, -months));
}

/** Inverse of {@link annuityPayment}: the principal an instalment of `payment` repays over `months` at `apr`. */
export function principalForPayment(payment: number, apr: number, months: number): number {
  const r = apr / 12;
  if (r === 0) return payment * months;
  return (payment * (1 - Math.pow(1 + r, -months))) / r;
}

function numeric(features: Features, name: string | null): number | null {
  if (name === null) return null;
  const v = features[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * The credit line with its arithmetic. Line = floor(min(gradeMax, affordable principal)), 0 when below `minLimit`.
 * Affordable principal: the annuity principal whose instalment at `apr` over `termMonths` fits in
 * maxDebtToIncome x monthly income - existing monthly debt service (see {@link LimitPolicy} for how Debt is read).
 * A missing or negative income under an income-checking policy gives 0: ability to repay cannot be shown.
 */
export function creditLimitDetail(input: LimitInput, policy: Policy): LimitDetail {
  checkGrade(input.grade);
  checkAmount(input.amount, 'amount');
  checkTerm(input.termMonths);
  checkAmount(input.apr, 'apr');
  const lim = policy.limits;
  const gradeMax = Math.max(0, lim.perGradeMax[input.grade]);
  const finish = (raw: number, basis: LimitDetail['basis'], rest: Omit<LimitDetail, 'limit' | 'gradeMax' | 'basis'>): LimitDetail => {
    const limit = Math.max(0, Math.floor(raw));
    if (limit < lim.minLimit || limit === 0) return { limit: 0, gradeMax, basis: basis === 'no-income' ? basis : 'below-minimum', ...rest };
    return { limit, gradeMax, basis, ...rest };
  };
  const debt = numeric(input.features, lim.debtFeature);
  const months = lim.debtRepaymentMonths ?? DEFAULT_DEBT_REPAYMENT_MONTHS;
  const monthlyDebtService = debt !== null && debt > 0 ? debt / months : 0;
  if (lim.incomeFeature === null) {
    return finish(gradeMax, 'grade-max', { monthlyIncome: null, monthlyDebtService, monthlyBudget: null, affordablePrincipal: null });
  }
  const income = numeric(input.features, lim.incomeFeature);
  if (income === null || income < 0) {
    return finish(0, 'no-income', { monthlyIncome: null, monthlyDebtService, monthlyBudget: null, affordablePrincipal: null });
  }
  const monthlyIncome = lim.incomeIsMonthly ? income : income / 12;
  const monthlyBudget = Math.max(0, lim.maxDebtToIncome * monthlyIncome - monthlyDebtService);
  const affordablePrincipal = principalForPayment(monthlyBudget, input.apr, input.termMonths);
  const basis = affordablePrincipal < gradeMax ? 'affordability' : 'grade-max';
  return finish(Math.min(gradeMax, affordablePrincipal), basis, { monthlyIncome, monthlyDebtService, monthlyBudget, affordablePrincipal });
}

/** The credit line alone (whole currency units, 0 when nothing can be granted). */
export function creditLimit(input: LimitInput, policy: Policy): number {
  return creditLimitDetail(input, policy).limit;
}

/**
 * The offer for an application: the capped rate for its grade, the line at that rate, and the amount lent now.
 * `outcome` (default approve): a review offers `reviewLimitFactor` of the line (still 0 below `minLimit`), a
 * reject offers no line.
 */
export function offerFor(
  input: { grade: Grade; features: Features; amount: number; termMonths: number; outcome?: Outcome },
  policy: Policy,
  cap: AprCap,
): Offer {
  const apr = priceFor(input.grade, policy, cap);
  let limit = creditLimit({ grade: input.grade, features: input.features, amount: input.amount, termMonths: input.termMonths, apr }, policy);
  const outcome = input.outcome ?? 'approve';
  if (outcome === 'reject') limit = 0;
  if (outcome === 'review' && policy.reviewLimitFactor !== undefined) {
    limit = Math.floor(limit * policy.reviewLimitFactor);
    if (limit < policy.limits.minLimit) limit = 0;
  }
  return { apr, creditLimit: limit, approvedAmount: Math.min(input.amount, limit) };
}

/**
 * A reviewer's decision applied to an offer: the rate goes through the cap like any other (an override of 0.5 is
 * charged at the cap; NaN or negative is refused on `override.apr`), the line may be set to any finite amount >= 0.
 */
export function applyReviewerOverride(offer: Offer, amount: number, override: ReviewerOverride, cap: AprCap): Offer {
  checkAmount(amount, 'amount');
  const apr = capApr(override.apr ?? offer.apr, cap, override.apr !== undefined ? 'override.apr' : 'apr');
  const limit = override.creditLimit ?? offer.creditLimit;
  checkAmount(limit, override.creditLimit !== undefined ? 'override.creditLimit' : 'creditLimit');
  return { apr, creditLimit: limit, approvedAmount: Math.min(amount, limit) };
}
