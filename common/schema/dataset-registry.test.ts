import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedriskError } from '../errors.js';
import { bundledDatasetsDir, listBundledDatasets, loadDataset, resolveDataset } from './dataset-registry.js';

test('bundled data sets are listed and resolve to their files', () => {
  assert.deepEqual(listBundledDatasets(), ['credit_data', 'german_credit']);
  for (const name of listBundledDatasets()) {
    const r = resolveDataset(name);
    assert.equal(r.name, name);
    assert.equal(r.csvPath, join(bundledDatasetsDir(), name, `${name}.csv`));
    assert.equal(r.schemaPath, join(bundledDatasetsDir(), name, 'schema.json'));
    assert.ok(existsSync(r.csvPath));
    assert.ok(existsSync(join(bundledDatasetsDir(), name, 'README.md')));
  }
});

test('anything else is a path: a CSV file or a folder named after its CSV, schema found next to it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-reg-'));
  const bundled = resolveDataset('credit_data');

  const plain = join(dir, 'book.csv');
  copyFileSync(bundled.csvPath, plain);
  assert.deepEqual(resolveDataset(plain), { name: 'book', csvPath: plain, schemaPath: null });
  assert.throws(() => loadDataset(plain), (e: unknown) => e instanceof FedriskError && e.code === 'FAILED_PRECONDITION');

  copyFileSync(bundled.schemaPath!, join(dir, 'schema.json'));
  assert.equal(resolveDataset(plain).schemaPath, join(dir, 'schema.json'));
  writeFileSync(join(dir, 'book.schema.json'), '{}');
  assert.equal(resolveDataset(plain).schemaPath, join(dir, 'book.schema.json'));

  const folder = join(dir, 'lender_a');
  mkdirSync(folder);
  copyFileSync(bundled.csvPath, join(folder, 'lender_a.csv'));
  copyFileSync(bundled.schemaPath!, join(folder, 'schema.json'));
  const r = resolveDataset(folder);
  assert.equal(r.name, 'lender_a');
  assert.equal(r.csvPath, join(folder, 'lender_a.csv'));
  assert.equal(loadDataset(folder).rows.length, 4454);
});

test('an unknown name is NOT_FOUND and lists the bundled names', () => {
  assert.throws(
    () => resolveDataset('no_such_dataset'),
    (e: unknown) => e instanceof FedriskError && e.code === 'NOT_FOUND' && /bundled: credit_data, german_credit/.test(e.message),
  );
});

test('an explicit schema wins over the bundled one', () => {
  const ds = loadDataset('credit_data');
  const narrower = { ...ds.schema, features: ds.schema.features.filter((f) => f.name === 'Age' || f.name === 'Home') };
  const loaded = loadDataset('credit_data', narrower);
  assert.deepEqual(Object.keys(loaded.rows[0]!), ['Home', 'Age']);
});
