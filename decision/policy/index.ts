/**
 * Pricing and credit-line policy of the decision pipeline: the APR cap (enforced in one place), the versioned policy
 * document (score card, grade cut-offs, decision thresholds, rate per grade, limit rules), the price and line
 * arithmetic, and the store and hot-reloaded active policy.
 */
export { APR_CAP_CEILING, resolveAprCap, capApr, withinCap, type AprCap } from './apr-cap.js';
export {
  validatePolicy,
  scoringPolicyOf,
  clonePolicy,
  DEFAULT_POLICY,
  DEFAULT_DEBT_REPAYMENT_MONTHS,
  type Policy,
  type LimitPolicy,
  type PerGrade,
} from './policy.js';
export {
  priceFor,
  creditLimit,
  creditLimitDetail,
  offerFor,
  applyReviewerOverride,
  annuityPayment,
  principalForPayment,
  MAX_TERM_MONTHS,
  type Features,
  type LimitInput,
  type LimitDetail,
  type Offer,
  type ReviewerOverride,
} from './pricing.js';
export { createPolicyStore, type PolicyStore, type PolicyStoreOptions, type StoredPolicy } from './policy-store.js';
export { ActivePolicy, type ActivePolicyOptions, type LoadedPolicy } from './active-policy.js';
export { POLICY_MIGRATIONS, POLICY_TABLE } from './policy-migrations.js';
