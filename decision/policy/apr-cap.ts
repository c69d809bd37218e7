import { FedriskError, invalid } from '../../common/errors.js';

/**
 * THE one place the annual rate cap is enforced (requirement 15: IRR at most 36%, "so no operator error can price
 * above it"). Every rate the service quotes — policy pricing, a reviewer's override, anything added later — goes
 * through {@link capApr} with an {@link AprCap} that only {@link resolveAprCap} can make, so a cap can be lowered by
 * configuration but never raised above the legal ceiling, and no other code path clamps (or forgets to).
 */

/** The legal ceiling on the annual rate, as a fraction. A constant, not configuration: configuration may only lower it. */
export const APR_CAP_CEILING = 0.36;

declare const aprCapBrand: unique symbol;

/**
 * A validated cap, 0 < cap <= {@link APR_CAP_CEILING}. Branded so a plain number cannot be passed where a cap is
 * expected: the only way to get one is {@link resolveAprCap}.
 */
export type AprCap = number & { readonly [aprCapBrand]: true };

/**
 * The cap in force: the configured value if given (it may only lower the ceiling), else the ceiling. Refuses a value
 * above the ceiling, zero, negative or not a finite number, with INVALID_ARGUMENT on `field` (default `aprCap`), at
 * start-up rather than silently pricing under a cap nobody asked for.
 */
export function resolveAprCap(configured?: number, field = 'aprCap'): AprCap {
  if (configured === undefined) return APR_CAP_CEILING as AprCap;
  if (typeof configured !== 'number' || !Number.isFinite(configured)) {
    throw invalid(field, `the APR cap must be a finite number (got ${String(configured)})`);
  }
  if (configured <= 0) throw invalid(field, `the APR cap must be above 0 (got ${configured})`);
  if (configured > APR_CAP_CEILING) {
    throw invalid(field, `the APR cap ${configured} is above the legal ceiling ${APR_CAP_CEILING}; it may only be lowered`);
  }
  return configured as AprCap;
}

/**
 * The rate actually charged: min(apr, cap). Refuses (INVALID_ARGUMENT on `field`, default `apr`) a rate that is
 * NaN, infinite or negative — such a value is an input error to surface, not a number to clamp into something that
 * looks valid. The ceiling is applied again even if a forged cap got through the type system.
 */
export function capApr(apr: number, cap: AprCap, field = 'apr'): number {
  if (typeof apr !== 'number' || !Number.isFinite(apr)) throw invalid(field, `the annual rate must be a finite number (got ${String(apr)})`);
  if (apr < 0) throw invalid(field, `the annual rate must not be negative (got ${apr})`);
  if (typeof cap !== 'number' || !Number.isFinite(cap) || cap <= 0) {
    throw new FedriskError('INTERNAL', `invalid APR cap ${String(cap)}: caps come from resolveAprCap`);
  }
  const capped = Math.min(apr, cap, APR_CAP_CEILING);
  return capped === 0 ? 0 : capped; // no -0 in records
}

/** Whether a rate is within the cap (for validation messages and assertions; pricing uses {@link capApr}). */
export function withinCap(apr: number, cap: AprCap): boolean {
  return Number.isFinite(apr) && apr >= 0 && apr <= Math.min(cap, APR_CAP_CEILING);
}
