import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { auc, ksStatistic } from './metrics.js';

const close = (a: number | null, b: number): void => {
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
};

test('auc: perfect, reversed and hand-computed cases', () => {
  close(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  close(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  // pairs (pos, neg): (0.35 vs 0.1 ✓, vs 0.4 ✗), (0.8 vs both ✓) => 3/4
  close(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // 3 positives x 2 negatives = 6 pairs; pos 0.5 beats neg 0.2 only; pos 0.7 beats both; pos 0.9 beats both => 5/6
  close(auc([0.2, 0.5, 0.6, 0.7, 0.9], [0, 1, 0, 1, 1]), 5 / 6);
});

test('auc: ties count one half', () => {
  close(auc([0.5, 0.5], [0, 1]), 0.5);
  close(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  // pos {0.3, 0.7}, neg {0.3, 0.1}: 0.3 vs 0.3 = 1/2, 0.3 vs 0.1 = 1, 0.7 vs both = 2 => 3.5/4
  close(auc([0.3, 0.7, 0.3, 0.1], [1, 1, 0, 0]), 0.875);
});

test('auc and ks: null with one class; input checks', () => {
  assert.equal(auc([0.1, 0.2], [0, 0]), null);
  assert.equal(auc([0.1, 0.2], [1, 1]), null);
  assert.equal(auc([], []), null);
  assert.equal(ksStatistic([0.3], [1]), null);
  assert.throws(() => auc([0.1], [0, 1]), (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => auc([0.1, Number.NaN], [0, 1]), /scores\[1\]/);
  assert.throws(() => ksStatistic([0.1, 0.2], [0, 2]), /labels\[1\]: must be 0 or 1/);
});

test('auc accepts typed arrays (scores from a model, labels from a Dataset)', () => {
  close(auc(new Float32Array([0.1, 0.4, 0.35, 0.8]), new Uint8Array([0, 0, 1, 1])), 0.75);
});

test('ks: hand-computed', () => {
  close(ksStatistic([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  // sorted: 0.1(0) 0.35(1) 0.4(0) 0.8(1); after 0.1: |0 - 1/2| = 0.5; after 0.35: |1/2 - 1/2| = 0; after 0.4: |1/2 - 1| = 0.5
  close(ksStatistic([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.5);
  // all scores tied: no threshold separates anything
  close(ksStatistic([0.5, 0.5, 0.5], [0, 1, 0]), 0);
  // ties move together: {0.2: g, b}, {0.6: g}, {0.9: b, b}. After 0.2: |1/3 - 1/2|; after 0.6: |1/3 - 1| = 2/3
  close(ksStatistic([0.2, 0.2, 0.6, 0.9, 0.9], [0, 1, 0, 1, 1]), 2 / 3);
});

test('auc matches the brute-force pair count on random data', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const n = 300;
  const scores = Array.from({ length: n }, () => Math.round(rand() * 20) / 20); // many ties
  const labels = scores.map((s) => (rand() < s ? 1 : 0));
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
  }
  close(auc(scores, labels), wins / pairs);
});
