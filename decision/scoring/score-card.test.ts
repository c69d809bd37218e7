import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import {
  decisionFor,
  DEFAULT_GRADE_CUTOFFS,
  gradeFor,
  resolveScoringPolicy,
  scoreCard,
  scoreProbability,
} from './score-card.js';

describe('scoreCard', () => {
  it('gives the base score at the base odds (pd = 1/51 -> 600)', () => {
    assert.ok(Math.abs(scoreCard(1 / 51) - 600) < 1e-9);
    assert.ok(Math.abs(scoreCard(1 / 11, { baseScore: 500, baseOdds: 10, pdo: 40 }) - 500) < 1e-9);
  });

  it('adds pdo points each time the odds double', () => {
    const odds = 50;
    for (const k of [-3, -1, 1, 2, 5]) {
      const o = odds * 2 ** k;
      assert.ok(Math.abs(scoreCard(1 / (1 + o)) - (600 + 20 * k)) < 1e-9, `k=${k}`);
    }
  });

  it('is strictly decreasing in pd over a random sample, and finite at 0 and 1', () => {
    const pds = [0, 1, 1e-12, 1 - 1e-12];
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      pds.push(seed / 2 ** 31);
    }
    const inside = pds.filter((p) => p >= 1e-9 && p <= 1 - 1e-9).sort((a, b) => a - b);
    for (let i = 1; i < inside.length; i++) {
      if (inside[i]! > inside[i - 1]!) assert.ok(scoreCard(inside[i]!) < scoreCard(inside[i - 1]!));
    }
    for (const p of pds) assert.ok(Number.isFinite(scoreCard(p)));
    assert.equal(scoreCard(0), scoreCard(1e-12), 'clamped below');
    assert.equal(scoreCard(1), scoreCard(1 - 1e-12), 'clamped above');
    assert.ok(scoreCard(0) > scoreCard(1));
  });

  it('refuses a non-finite pd and a nonsensical card', () => {
    assert.throws(() => scoreCard(Number.NaN), (e: unknown) => e instanceof FedriskError && e.code === 'OUT_OF_RANGE');
    assert.throws(() => scoreCard(0.1, { pdo: 0 }), FedriskError);
    assert.throws(() => scoreCard(0.1, { baseOdds: -1 }), FedriskError);
  });
});

describe('gradeFor and decisionFor', () => {
  it('grades by inclusive lower cut-offs', () => {
    const c = DEFAULT_GRADE_CUTOFFS;
    assert.equal(gradeFor(c.A), 'A');
    assert.equal(gradeFor(c.A - 1), 'B');
    assert.equal(gradeFor(c.B), 'B');
    assert.equal(gradeFor(c.C), 'C');
    assert.equal(gradeFor(c.D), 'D');
    assert.equal(gradeFor(c.D - 1), 'E');
    assert.equal(gradeFor(-1e9), 'E');
    assert.equal(gradeFor(100, { A: 90, B: 80, C: 70, D: 60 }), 'A');
  });

  it('decides approve / review / reject by pd thresholds', () => {
    assert.equal(decisionFor(0.19999), 'approve');
    assert.equal(decisionFor(0.2), 'review');
    assert.equal(decisionFor(0.49999), 'review');
    assert.equal(decisionFor(0.5), 'reject');
    assert.equal(decisionFor(0.3, { approveBelow: 0.35, rejectAtOrAbove: 0.6 }), 'approve');
  });

  it('grade and score agree: the grade is taken from the rounded score', () => {
    const policy = resolveScoringPolicy();
    const s = scoreProbability(1 / 51, policy);
    assert.deepEqual(s, { score: 600, grade: 'A', decision: 'approve' });
    for (let pd = 0.001; pd < 1; pd += 0.013) {
      const r = scoreProbability(pd, policy);
      assert.equal(r.grade, gradeFor(r.score));
      assert.ok(Number.isInteger(r.score));
    }
  });

  it('refuses inconsistent policies at configuration time', () => {
    assert.throws(() => resolveScoringPolicy({ gradeCutoffs: { B: 700 } }), FedriskError);
    assert.throws(() => resolveScoringPolicy({ thresholds: { approveBelow: 0.6 } }), FedriskError);
    assert.throws(() => resolveScoringPolicy({ thresholds: { rejectAtOrAbove: 1.5 } }), FedriskError);
    assert.throws(() => resolveScoringPolicy({ scoreCard: { pdo: -20 } }), FedriskError);
    assert.equal(resolveScoringPolicy({ thresholds: { approveBelow: 0.1 } }).thresholds.rejectAtOrAbove, 0.5);
  });
});
