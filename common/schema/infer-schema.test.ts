import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FedriskError } from '../errors.js';
import { parseCsv } from './csv-parser.js';
import { resolveDataset } from './dataset-registry.js';
import { inferSchema, powerOfTenScale } from './infer-schema.js';

const header = ['Status', 'Age', 'Home', 'Score', 'Flag'];
const rows = [
  ['good', '30', 'rent', '-0.5', 'NA'],
  ['bad', '45', 'owner', '12', ''],
  ['good', 'NA', 'rent', '3e2', ''],
  ['other', '', 'priv', '7', 'NA'],
  ['good', '61', '', '1', ''],
  ['bad', '22', 'owner', '2', ''],
  ['good', '38', 'NA', '-999.5', ''],
];

test('powerOfTenScale', () => {
  assert.equal(powerOfTenScale(0), 1);
  assert.equal(powerOfTenScale(0.5), 1);
  assert.equal(powerOfTenScale(1), 1);
  assert.equal(powerOfTenScale(1.01), 10);
  assert.equal(powerOfTenScale(100), 100);
  assert.equal(powerOfTenScale(101), 1000);
  assert.equal(powerOfTenScale(300000), 1000000);
});

test('infers kinds, scales, levels and label values', () => {
  const schema = inferSchema(header, rows, { name: 'toy', label: 'Status', bad: 'bad' });
  assert.deepEqual(schema, {
    format: 'fedrisk.schema/v1',
    name: 'toy',
    version: 1,
    label: { column: 'Status', bad: 'bad', good: ['good', 'other'] },
    features: [
      { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
      // rent and owner both occur twice: ties are broken by code-unit order.
      { name: 'Home', kind: 'categorical', levels: ['owner', 'rent', 'priv'], missing: 'level' },
      { name: 'Score', kind: 'numeric', scale: 1000, missing: 'mean' },
      // no non-missing cell at all: numeric, scale 1
      { name: 'Flag', kind: 'numeric', scale: 1, missing: 'mean' },
    ],
  });
});

test('one non-numeric cell makes a column categorical; hex and Infinity are not numbers', () => {
  const s = inferSchema(['y', 'a', 'b', 'c'], [['1', '1', '0x10', 'Infinity'], ['0', 'x', '2', '3'], ['0', '2', '3', '4']], {
    name: 't',
    label: 'y',
    bad: '1',
  });
  assert.deepEqual(
    s.features.map((f) => [f.name, f.kind]),
    [['a', 'categorical'], ['b', 'categorical'], ['c', 'categorical']],
  );
  assert.deepEqual(s.features[0]!.kind === 'categorical' && s.features[0]!.levels, ['1', '2', 'x']);
});

test('deterministic: row order does not change the schema', () => {
  const a = inferSchema(header, rows, { name: 'toy', label: 'Status', bad: 'bad' });
  const b = inferSchema(header, [...rows].reverse(), { name: 'toy', label: 'Status', bad: 'bad' });
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

test('label errors', () => {
  const expectInvalid = (fn: () => unknown, pattern: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message));
  };
  expectInvalid(() => inferSchema(header, rows, { name: 't', label: 'Class', bad: 'bad' }), /label column "Class" is not in the header/);
  expectInvalid(() => inferSchema(header, rows, { name: 't', label: 'Status', bad: 'Bad' }), /"Bad" never occurs in column Status/);
  expectInvalid(
    () => inferSchema(header, rows.filter((r) => r[0] === 'bad'), { name: 't', label: 'Status', bad: 'bad' }),
    /holds only "bad"/,
  );
  const withMissing = rows.map((r, i) => (i === 2 ? ['NA', ...r.slice(1)] : r));
  assert.throws(
    () => inferSchema(header, withMissing, { name: 't', label: 'Status', bad: 'bad' }),
    (e: unknown) => e instanceof FedriskError && e.details.row === 3 && e.details.column === 'Status',
  );
});

test('the committed bundled schemas are what inference produces', () => {
  for (const [name, label, bad] of [
    ['credit_data', 'Status', 'bad'],
    ['german_credit', 'Class', 'Bad'],
  ] as const) {
    const resolved = resolveDataset(name);
    assert.ok(resolved.schemaPath);
    const { header: h, rows: r } = parseCsv(readFileSync(resolved.csvPath, 'utf8'));
    const inferred = inferSchema(h, r, { name, label, bad });
    assert.deepEqual(JSON.parse(readFileSync(resolved.schemaPath, 'utf8')), inferred, name);
  }
});

test('credit_data inference: Home levels by frequency', () => {
  const { csvPath } = resolveDataset('credit_data');
  const { header: h, rows: r } = parseCsv(readFileSync(csvPath, 'utf8'));
  const schema = inferSchema(h, r, { name: 'credit_data', label: 'Status', bad: 'bad' });
  const home = schema.features.find((f) => f.name === 'Home');
  assert.ok(home && home.kind === 'categorical');
  assert.deepEqual(home.levels, ['owner', 'rent', 'parents', 'other', 'priv', 'ignore']);
  assert.deepEqual(
    schema.features.filter((f) => f.kind === 'numeric').map((f) => f.name),
    ['Seniority', 'Time', 'Age', 'Expenses', 'Income', 'Assets', 'Debt', 'Amount', 'Price'],
  );
});
