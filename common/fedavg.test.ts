import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packWeighted, sumVectors, unpackAverage } from './fedavg.js';
import { FedriskError } from './errors.js';

test('packed sums unpack to the row-weighted average and the total row count', () => {
  const a = packWeighted({ weights: [1, 2], bias: 0.5 }, 100, 1000);
  const b = packWeighted({ weights: [3, -2], bias: -0.5 }, 300, 1000);
  const { model, totalRows } = unpackAverage(sumVectors([a, b]), 2, 1000);
  assert.ok(Math.abs(model.weights[0]! - (1 * 100 + 3 * 300) / 400) < 1e-12);
  assert.ok(Math.abs(model.weights[1]! - (2 * 100 - 2 * 300) / 400) < 1e-12);
  assert.ok(Math.abs(model.bias - (0.5 * 100 - 0.5 * 300) / 400) < 1e-12);
  assert.equal(totalRows, 400);
});

test('a single update never reveals n except through the scaled count slot', () => {
  const v = packWeighted({ weights: [0.25], bias: 0 }, 640, 1000);
  assert.equal(v.length, 3);
  assert.ok(Math.abs(v[2]! - 0.64) < 1e-12);
});

test('bad inputs are refused with clear errors', () => {
  assert.throws(() => packWeighted({ weights: [1], bias: 0 }, 0, 1000), FedriskError);
  assert.throws(() => unpackAverage([1, 2, 0], 1, 1000), /no rows/);
  assert.throws(() => sumVectors([[1, 2], [1]]), /vector 1 has length 1/);
});
