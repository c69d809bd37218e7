import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { createRng, shuffledIndices } from '../random.js';
import { loadDataset } from './dataset-registry.js';
import { encodeRows } from './feature-encoder.js';
import type { FeatureSchema, RawRow } from './feature-schema.js';
import {
  addStats,
  computeLocalStats,
  emptyStats,
  standardisationFromStats,
  statsToVector,
  statsVectorLength,
  vectorToStats,
  type FeatureStats,
} from './feature-stats.js';

const schema: FeatureSchema = {
  format: 'fedrisk.schema/v1',
  name: 'toy',
  version: 1,
  label: { column: 'Status', bad: 'bad', good: ['good'] },
  features: [
    { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
    { name: 'Home', kind: 'categorical', levels: ['owner', 'rent'], missing: 'level' },
    { name: 'Const', kind: 'numeric', scale: 10, missing: 'mean' },
    { name: 'Job', kind: 'categorical', levels: ['fixed', 'freelance'], missing: 'error' },
  ],
};
const rows: RawRow[] = [
  { Age: 20, Home: 'rent', Const: 5, Job: 'fixed' },
  { Age: 40, Home: null, Const: 5, Job: 'fixed' },
  { Age: null, Home: 'rent', Const: 5, Job: 'freelance' },
];

function assertStatsClose(actual: FeatureStats, expected: FeatureStats, tol: number): void {
  assert.equal(actual.rows, expected.rows);
  assert.deepEqual(actual.categorical, expected.categorical);
  assert.equal(actual.numeric.length, expected.numeric.length);
  actual.numeric.forEach((s, k) => {
    const e = expected.numeric[k]!;
    assert.equal(s.count, e.count);
    for (const key of ['sum', 'sumSq'] as const) {
      assert.ok(Math.abs(s[key] - e[key]) <= tol * Math.max(1, Math.abs(e[key])), `numeric[${k}].${key}: ${s[key]} vs ${e[key]}`);
    }
  });
}

test('computeLocalStats by hand', () => {
  assert.deepEqual(computeLocalStats(schema, rows), {
    rows: 3,
    numeric: [
      { count: 2, sum: 60, sumSq: 2000 },
      { count: 3, sum: 15, sumSq: 75 },
    ],
    categorical: [
      [0, 2, 1],
      [2, 1],
    ],
  });
  assert.deepEqual(computeLocalStats(schema, []), emptyStats(schema));
  assert.throws(() => computeLocalStats(schema, [{ ...rows[0]!, Home: 'castle' }]), (e: unknown) => e instanceof FedriskError && e.details.row === 0);
  assert.throws(() => computeLocalStats(schema, [{ ...rows[0]!, Job: null }]), /rows\[0\]\.Job/);
});

test('vector packing divides by public factors and round-trips', () => {
  const stats = computeLocalStats(schema, rows);
  assert.equal(statsVectorLength(schema), 1 + 3 * 2 + 3 + 2);
  const vec = statsToVector(schema, stats, 100);
  assert.deepEqual(vec, [0.03, 0.02, 60 / 10000, 2000 / 1000000, 0.03, 15 / 1000, 75 / 10000, 0, 0.02, 0.01, 0.02, 0.01]);
  assertStatsClose(vectorToStats(schema, vec, 100), stats, 1e-12);
  assert.throws(() => vectorToStats(schema, vec.slice(1), 100), /has 11 values, schema toy v1 packs 12/);
  assert.throws(() => statsToVector(schema, stats, 0), /rowScale/);
  assert.throws(() => vectorToStats(schema, [...vec.slice(1), Number.NaN], 100), /vector\[11\]/);
});

test('standardisationFromStats: population std over non-missing; constant feature gets std 1', () => {
  const s = standardisationFromStats(schema, computeLocalStats(schema, rows));
  assert.deepEqual(s, { mean: [30, 5], std: [10, 1] });
  assert.deepEqual(standardisationFromStats(schema, emptyStats(schema)), { mean: [0, 0], std: [1, 1] });
});

test('addStats refuses different shapes', () => {
  const other = emptyStats({ ...schema, features: schema.features.slice(0, 2) });
  assert.throws(() => addStats(emptyStats(schema), other), /different shapes/);
});

test('credit_data: summed vectors of 3 partitions equal the union statistics (1e-9)', () => {
  const ds = loadDataset('credit_data');
  const order = shuffledIndices(ds.rows.length, createRng(7));
  const parts = [0, 1, 2].map((p) => Array.from(order).filter((_, k) => k % 3 === p).map((i) => ds.rows[i]!));
  const rowScale = 10000;
  const sum = new Array<number>(statsVectorLength(ds.schema)).fill(0);
  let added = emptyStats(ds.schema);
  for (const part of parts) {
    const local = computeLocalStats(ds.schema, part);
    added = addStats(added, local);
    const vec = statsToVector(ds.schema, local, rowScale);
    // every slot stays small: far inside the CKKS headroom of 2^19
    assert.ok(vec.every((v) => Math.abs(v) <= 1), `max slot ${Math.max(...vec.map(Math.abs))}`);
    vec.forEach((v, k) => (sum[k]! += v));
  }
  const union = computeLocalStats(ds.schema, ds.rows);
  assertStatsClose(vectorToStats(ds.schema, sum, rowScale), union, 1e-9);
  assertStatsClose(added, union, 1e-12);
  assert.equal(union.rows, 4454);
  // Home counts as the data set README gives them; 6 rows have Home missing.
  assert.deepEqual(union.categorical[0], [2107, 973, 783, 319, 246, 20, 6]);

  // Standardised with the consortium figures, every numeric column has mean 0 and std 1 over non-missing rows.
  const std = standardisationFromStats(ds.schema, union);
  const x = encodeRows(ds.schema, std, ds.rows);
  const width = x.length / ds.rows.length;
  const ageCol = 9; // Seniority, Home x7, Time, Age
  let m = 0;
  let v = 0;
  for (let r = 0; r < ds.rows.length; r++) m += x[r * width + ageCol]!;
  m /= ds.rows.length;
  for (let r = 0; r < ds.rows.length; r++) v += (x[r * width + ageCol]! - m) ** 2;
  assert.ok(Math.abs(m) < 1e-5);
  assert.ok(Math.abs(Math.sqrt(v / ds.rows.length) - 1) < 1e-5);
});
