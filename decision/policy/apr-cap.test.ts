import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import { createRng, deriveSeed, type Rng } from '../../common/random.js';
import { GRADES } from '../scoring/score-card.js';
import { APR_CAP_CEILING, capApr, resolveAprCap, withinCap, type AprCap } from './apr-cap.js';
import { clonePolicy, validatePolicy, type Policy } from './policy.js';
import { applyReviewerOverride, offerFor, priceFor } from './pricing.js';

const CASES = 12_000;

function isInvalid(err: unknown, field?: string): boolean {
  return err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' && (field === undefined || err.details.field === field);
}

/** A rate from a deliberately hostile distribution: mostly plausible, often above any cap, sometimes garbage. */
function wildRate(rng: Rng): number {
  const u = rng();
  if (u < 0.5) return rng() * 0.36;
  if (u < 0.75) return 0.36 + rng() * 0.64;
  if (u < 0.82) return rng() * 1e6;
  if (u < 0.87) return -rng() * 2;
  if (u < 0.9) return Number.NaN;
  if (u < 0.93) return Number.POSITIVE_INFINITY;
  if (u < 0.96) return 0;
  return APR_CAP_CEILING + Number.EPSILON * (1 + Math.floor(rng() * 4));
}

function wildCap(rng: Rng): number | undefined {
  const u = rng();
  if (u < 0.2) return undefined;
  if (u < 0.7) return 0.01 + rng() * 0.35;
  if (u < 0.75) return APR_CAP_CEILING;
  return wildRate(rng);
}

const validRate = (x: number): boolean => Number.isFinite(x) && x >= 0;

test('resolveAprCap only lowers the ceiling and refuses anything else', () => {
  assert.equal(resolveAprCap(), 0.36);
  assert.equal(resolveAprCap(0.24), 0.24);
  assert.equal(resolveAprCap(0.36), 0.36);
  for (const bad of [0.3600001, 0.5, 1, 36, 0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => resolveAprCap(bad), (e: unknown) => isInvalid(e, 'aprCap'), String(bad));
  }
  assert.throws(() => resolveAprCap(0.4, 'decision.aprCap'), /legal ceiling 0.36/);
});

test('capApr returns min(apr, cap) and refuses NaN, infinite and negative rates', () => {
  const cap = resolveAprCap(0.3);
  assert.equal(capApr(0.12, cap), 0.12);
  assert.equal(capApr(0.3, cap), 0.3);
  assert.equal(capApr(0.31, cap), 0.3);
  assert.equal(capApr(250, cap), 0.3);
  assert.equal(capApr(0, cap), 0);
  assert.ok(Object.is(capApr(-0, cap), 0));
  for (const bad of [Number.NaN, -0.01, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => capApr(bad, cap, 'override.apr'), (e: unknown) => isInvalid(e, 'override.apr'), String(bad));
  }
  // A forged cap (bypassing resolveAprCap with a cast) still cannot lift a rate above the ceiling.
  assert.equal(capApr(0.9, 5 as AprCap), APR_CAP_CEILING);
});

test(`property: no output APR ever exceeds the cap (${CASES} random policies, caps and overrides)`, () => {
  const rng = createRng(deriveSeed(20261122, 'apr-cap-property'));
  const seen = { capsRefused: 0, policiesRefused: 0, policiesAccepted: 0, pricesCapped: 0, pricesRefused: 0, overridesCapped: 0, overridesRefused: 0 };
  let checks = 0;
  for (let i = 0; i < CASES; i++) {
    const configured = wildCap(rng);
    let cap: AprCap;
    try {
      cap = resolveAprCap(configured);
    } catch (err) {
      assert.ok(isInvalid(err, 'aprCap'), `case ${i}: cap ${configured} refused with the wrong error`);
      assert.ok(!(configured !== undefined && configured > 0 && configured <= APR_CAP_CEILING), `case ${i}: valid cap ${configured} refused`);
      seen.capsRefused++;
      continue;
    }
    assert.ok(cap > 0 && cap <= APR_CAP_CEILING, `case ${i}: resolved cap ${cap}`);

    // A random policy, straight from an operator: validation either refuses it or every price is within the cap.
    const raw: Policy = clonePolicy();
    // Half plausible (sorted rates up to the cap, a fifth of them reaching 30% past it), half hostile.
    const plausible = rng() < 0.5;
    const stretch = rng() < 0.2 ? 1.3 : 1;
    for (const g of GRADES) raw.pricing[g] = plausible ? rng() * cap * stretch : wildRate(rng);
    if (plausible || rng() < 0.5) {
      const sorted = GRADES.map((g) => raw.pricing[g]).sort((a, b) => a - b);
      GRADES.forEach((g, k) => (raw.pricing[g] = sorted[k]!));
    }
    let policy: Policy | null = null;
    try {
      policy = validatePolicy(raw, cap);
      seen.policiesAccepted++;
      for (const g of GRADES) assert.ok(withinCap(policy.pricing[g], cap), `case ${i}: accepted price ${policy.pricing[g]} above cap ${cap}`);
    } catch (err) {
      assert.ok(isInvalid(err), `case ${i}: policy refused with ${String(err)}`);
      assert.match((err as FedriskError).details.field ?? '', /^policy\.pricing\.[A-E]$/, `case ${i}`);
      seen.policiesRefused++;
    }
    if (GRADES.some((g) => validRate(raw.pricing[g]) && raw.pricing[g] > cap)) assert.equal(policy, null, `case ${i}: over-cap policy accepted`);

    // Last line of defence: pricing straight from the unvalidated policy is capped or refused, never above the cap.
    for (const g of GRADES) {
      checks++;
      try {
        const apr = priceFor(g, raw, cap);
        assert.ok(validRate(raw.pricing[g]), `case ${i}: invalid price ${raw.pricing[g]} was not refused`);
        assert.ok(apr <= cap && apr >= 0, `case ${i}: priced ${apr} above cap ${cap}`);
        assert.equal(apr, Math.min(raw.pricing[g], cap));
        if (raw.pricing[g] > cap) seen.pricesCapped++;
      } catch (err) {
        assert.ok(isInvalid(err, `policy.pricing.${g}`) && !validRate(raw.pricing[g]), `case ${i}: ${String(err)}`);
        seen.pricesRefused++;
      }
    }

    // Offers from an accepted policy, then a reviewer's override of the rate.
    const grade = GRADES[Math.floor(rng() * GRADES.length)]!;
    const usable = policy ?? clonePolicy();
    const offer = offerFor(
      { grade, features: { Income: rng() * 1000, Debt: rng() < 0.5 ? 0 : rng() * 5000 }, amount: 100 + rng() * 5000, termMonths: 1 + Math.floor(rng() * 60) },
      usable,
      cap,
    );
    checks++;
    assert.ok(offer.apr <= cap, `case ${i}: offer apr ${offer.apr}`);
    const overrideApr = wildRate(rng);
    checks++;
    try {
      const overridden = applyReviewerOverride(offer, 1000, { apr: overrideApr, creditLimit: rng() * 5000 }, cap);
      assert.ok(validRate(overrideApr), `case ${i}: invalid override ${overrideApr} accepted`);
      assert.ok(overridden.apr <= cap, `case ${i}: override priced ${overridden.apr} above cap ${cap}`);
      if (overrideApr > cap) seen.overridesCapped++;
    } catch (err) {
      assert.ok(isInvalid(err, 'override.apr') && !validRate(overrideApr), `case ${i}: ${String(err)}`);
      seen.overridesRefused++;
    }
  }
  console.log(`apr cap property: ${CASES} cases, ${checks} priced outputs checked`, seen);
  // Every branch was exercised, so the property was tested where it matters.
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 50, `too few cases for ${k}: ${v}`);
});
