import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { loadDataset } from './dataset-registry.js';
import { encodeRow, encodeRows, encodedNames, encodedWidth } from './feature-encoder.js';
import type { FeatureSchema, Standardisation } from './feature-schema.js';

const schema: FeatureSchema = {
  format: 'fedrisk.schema/v1',
  name: 'toy',
  version: 1,
  label: { column: 'Status', bad: 'bad', good: ['good'] },
  features: [
    { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
    { name: 'Home', kind: 'categorical', levels: ['owner', 'rent', 'priv'], missing: 'level' },
    { name: 'Income', kind: 'numeric', scale: 1000, missing: 'error' },
    { name: 'Job', kind: 'categorical', levels: ['fixed', 'freelance'], missing: 'error' },
  ],
};
const std: Standardisation = { mean: [40, 100], std: [10, 50] };

test('width and names', () => {
  assert.equal(encodedWidth(schema), 1 + 4 + 1 + 2);
  assert.deepEqual(encodedNames(schema), ['Age', 'Home=owner', 'Home=rent', 'Home=priv', 'Home=<missing>', 'Income', 'Job=fixed', 'Job=freelance']);
  // callers may not corrupt the cached plan
  encodedNames(schema).push('x');
  assert.equal(encodedNames(schema).length, 8);
});

test('encodeRow: z-scores, one-hot, missing values', () => {
  assert.deepEqual([...encodeRow(schema, std, { Age: 50, Home: 'rent', Income: 0, Job: 'freelance' })], [1, 0, 1, 0, 0, -2, 0, 1]);
  assert.deepEqual([...encodeRow(schema, std, { Age: null, Home: null, Income: 125, Job: 'fixed' })], [0, 0, 0, 0, 1, 0.5, 1, 0]);
  // an absent key counts as missing
  assert.deepEqual([...encodeRow(schema, std, { Income: 100, Job: 'fixed' })], [0, 0, 0, 0, 1, 0, 1, 0]);
});

test('encodeRow writes into a given buffer and overwrites stale values', () => {
  const out = new Float32Array(8).fill(9);
  const res = encodeRow(schema, std, { Age: 30, Home: 'priv', Income: 150, Job: 'fixed' }, out);
  assert.equal(res, out);
  assert.deepEqual([...out], [-1, 0, 0, 1, 0, 1, 1, 0]);
  assert.throws(() => encodeRow(schema, std, { Income: 1, Job: 'fixed' }, new Float64Array(3)), /buffer holds 3/);
});

test('encodeRow refuses values the schema does not allow', () => {
  const bad = (row: Parameters<typeof encodeRow>[2], field: string): void => {
    assert.throws(() => encodeRow(schema, std, row), (e: unknown) => e instanceof FedriskError && e.details.field === field);
  };
  bad({ Age: 1, Home: 'castle', Income: 1, Job: 'fixed' }, 'features.Home');
  bad({ Age: 1, Home: 'rent', Income: null, Job: 'fixed' }, 'features.Income');
  bad({ Age: 1, Home: 'rent', Income: 1, Job: null }, 'features.Job');
  bad({ Age: '1', Home: 'rent', Income: 1, Job: 'fixed' }, 'features.Age');
  bad({ Age: Number.NaN, Home: 'rent', Income: 1, Job: 'fixed' }, 'features.Age');
});

test('standardisation must match the schema', () => {
  const row = { Age: 1, Home: 'rent', Income: 1, Job: 'fixed' };
  assert.throws(() => encodeRow(schema, { mean: [0], std: [1] }, row), /1 means and 1 deviations, the schema has 2/);
  assert.throws(() => encodeRow(schema, { mean: [0, 0], std: [1, 0] }, row), /std > 0/);
});

test('encodeRows: row-major float32, errors carry the row index', () => {
  const rows = [
    { Age: 50, Home: 'rent', Income: 0, Job: 'freelance' },
    { Age: null, Home: null, Income: 125, Job: 'fixed' },
  ];
  const x = encodeRows(schema, std, rows);
  assert.ok(x instanceof Float32Array);
  assert.deepEqual([...x], [1, 0, 1, 0, 0, -2, 0, 1, 0, 0, 0, 0, 1, 0.5, 1, 0]);
  assert.equal(encodeRows(schema, std, []).length, 0);
  assert.throws(
    () => encodeRows(schema, std, [rows[0]!, { ...rows[1]!, Home: 'castle' }]),
    (e: unknown) => e instanceof FedriskError && e.details.row === 1 && e.details.field === 'features.Home',
  );
});

test('credit_data: width 30 and named columns; every row encodes with one hot per categorical', () => {
  const ds = loadDataset('credit_data');
  const names = encodedNames(ds.schema);
  assert.equal(encodedWidth(ds.schema), 30);
  assert.deepEqual(names, [
    'Seniority',
    'Home=owner', 'Home=rent', 'Home=parents', 'Home=other', 'Home=priv', 'Home=ignore', 'Home=<missing>',
    'Time', 'Age',
    'Marital=married', 'Marital=single', 'Marital=separated', 'Marital=widow', 'Marital=divorced', 'Marital=<missing>',
    'Records=no', 'Records=yes', 'Records=<missing>',
    'Job=fixed', 'Job=freelance', 'Job=partime', 'Job=others', 'Job=<missing>',
    'Expenses', 'Income', 'Assets', 'Debt', 'Amount', 'Price',
  ]);
  const numeric = ds.schema.features.filter((f) => f.kind === 'numeric').length;
  const x = encodeRows(ds.schema, { mean: new Array(numeric).fill(0), std: new Array(numeric).fill(1) }, ds.rows);
  assert.equal(x.length, 4454 * 30);
  const homeCols = [1, 2, 3, 4, 5, 6, 7];
  for (let r = 0; r < 4454; r++) {
    assert.equal(homeCols.reduce((s, c) => s + x[r * 30 + c]!, 0), 1);
  }
  // Row 30 of the file has a missing Home: its <missing> column is hot.
  assert.equal(x[29 * 30 + 7], 1);
});
