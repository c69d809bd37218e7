import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../common/errors.js';
import { loadDataset } from '../common/schema/dataset-registry.js';
import type { Dataset } from '../common/schema/feature-schema.js';
import { MISSING_PART_NAME, partitionRows, subsetDataset, trainTestSplit } from './partition.js';

const toy: Dataset = {
  schema: {
    format: 'fedrisk.schema/v1',
    name: 'toy',
    version: 1,
    label: { column: 'y', bad: '1', good: ['0'] },
    features: [
      { name: 'Home', kind: 'categorical', levels: ['owner', 'rent', 'priv'], missing: 'level' },
      { name: 'Kids', kind: 'numeric', scale: 10, missing: 'mean' },
    ],
  },
  rows: [
    { Home: 'rent', Kids: 2 },
    { Home: 'owner', Kids: 0 },
    { Home: null, Kids: null },
    { Home: 'rent', Kids: 10 },
    { Home: 'owner', Kids: 2 },
  ],
  labels: new Uint8Array([0, 1, 0, 1, 0]),
};

test('trainTestSplit: sizes, disjoint cover, sorted, seeded', () => {
  const a = trainTestSplit(100, 0.3, 42);
  assert.equal(a.test.length, 30);
  assert.equal(a.train.length, 70);
  assert.deepEqual([...a.train, ...a.test].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a.test, [...a.test].sort((x, y) => x - y));
  assert.deepEqual(trainTestSplit(100, 0.3, 42), a);
  assert.notDeepEqual(trainTestSplit(100, 0.3, 43).test, a.test);
  // never an empty side when n >= 2
  assert.equal(trainTestSplit(3, 0.01, 1).test.length, 1);
  assert.equal(trainTestSplit(3, 0.99, 1).train.length, 1);
  assert.deepEqual(trainTestSplit(0, 0.3, 1), { train: [], test: [] });
  assert.throws(() => trainTestSplit(10, 0, 1), (e: unknown) => e instanceof FedriskError && e.details.field === 'testFraction');
  assert.throws(() => trainTestSplit(10, 1, 1), /testFraction/);
});

test('trainTestSplit stratified keeps the bad rate', () => {
  const ds = loadDataset('credit_data');
  const { train, test: held } = trainTestSplit(ds.rows.length, 0.3, 42, { labels: ds.labels });
  assert.equal(train.length + held.length, 4454);
  const bad = (idx: number[]): number => idx.reduce((s, i) => s + ds.labels[i]!, 0);
  assert.equal(bad(held), Math.round(1254 * 0.3));
  assert.equal(bad(train), 1254 - Math.round(1254 * 0.3));
  assert.equal(held.length, Math.round(1254 * 0.3) + Math.round(3200 * 0.3));
  assert.throws(() => trainTestSplit(3, 0.5, 1, { labels: [0, 1] }), /labels/);
});

test('partitionRows random: near-equal named parts covering the given indices, seeded', () => {
  const indices = Array.from({ length: 103 }, (_, i) => i * 2);
  const dataset: Dataset = { ...toy, rows: new Array(206).fill({ Home: 'rent', Kids: 1 }), labels: new Uint8Array(206) };
  const parts = partitionRows(dataset, indices, { kind: 'random', parts: 4 }, 7);
  assert.deepEqual(parts.map((p) => p.name), ['node-1', 'node-2', 'node-3', 'node-4']);
  assert.deepEqual(parts.map((p) => p.indices.length), [26, 26, 26, 25]);
  assert.deepEqual(parts.flatMap((p) => p.indices).sort((a, b) => a - b), indices);
  for (const p of parts) assert.deepEqual(p.indices, [...p.indices].sort((a, b) => a - b));
  assert.deepEqual(partitionRows(dataset, indices, { kind: 'random', parts: 4 }, 7), parts);
  assert.notDeepEqual(partitionRows(dataset, indices, { kind: 'random', parts: 4 }, 8), parts);
  assert.throws(() => partitionRows(toy, [0, 1], { kind: 'random', parts: 3 }, 1), /cannot split 2 rows into 3/);
  assert.throws(() => partitionRows(toy, [0, 1], { kind: 'random', parts: 0 }, 1), /parts/);
  assert.throws(() => partitionRows(toy, [0, 5], { kind: 'random', parts: 1 }, 1), /row index 5/);
});

test('partitionRows column: one part per value, level order, missing last', () => {
  assert.deepEqual(partitionRows(toy, [0, 1, 2, 3, 4], { kind: 'column', column: 'Home' }, 1), [
    { name: 'owner', indices: [1, 4] },
    { name: 'rent', indices: [0, 3] },
    { name: MISSING_PART_NAME, indices: [2] },
  ]);
  assert.deepEqual(partitionRows(toy, [4, 3, 2, 1], { kind: 'column', column: 'Kids' }, 1), [
    { name: '0', indices: [1] },
    { name: '2', indices: [4] },
    { name: '10', indices: [3] },
    { name: '<missing>', indices: [2] },
  ]);
  assert.throws(() => partitionRows(toy, [0], { kind: 'column', column: 'y' }, 1), /"y" is not a feature/);
});

test('credit_data by Home: six institutions plus the rows with no Home', () => {
  const ds = loadDataset('credit_data');
  const all = Array.from({ length: ds.rows.length }, (_, i) => i);
  const parts = partitionRows(ds, all, { kind: 'column', column: 'Home' }, 1);
  assert.deepEqual(
    parts.map((p) => [p.name, p.indices.length]),
    [['owner', 2107], ['rent', 973], ['parents', 783], ['other', 319], ['priv', 246], ['ignore', 20], ['<missing>', 6]],
  );
  const node = subsetDataset(ds, parts[1]!.indices);
  assert.equal(node.rows.length, 973);
  assert.ok(node.rows.every((r) => r['Home'] === 'rent'));
  assert.equal(node.labels[0], ds.labels[parts[1]!.indices[0]!]);
});
