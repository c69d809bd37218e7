import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { loadDataset, resolveDataset } from './dataset-registry.js';
import type { FeatureSchema } from './feature-schema.js';
import { loadCsvDataset, parseCsvDataset } from './load-dataset.js';
import { loadSchemaFile } from './validate-schema.js';

const schema: FeatureSchema = {
  format: 'fedrisk.schema/v1',
  name: 'toy',
  version: 1,
  label: { column: 'Status', bad: 'bad', good: ['good'] },
  features: [
    { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
    { name: 'Home', kind: 'categorical', levels: ['owner', 'rent'], missing: 'level' },
    { name: 'Income', kind: 'numeric', scale: 1000, missing: 'error' },
    { name: 'Job', kind: 'categorical', levels: ['fixed', 'freelance'], missing: 'error' },
  ],
};

const HEADER = '"Status","Age","Home","Income","Job","Extra"';
const ROWS = ['"good",30,"rent",120,"fixed","x"', '"bad",NA,NA,90,"freelance",', '"good",,"owner",200,"fixed","y"'];

function csv(rows: string[] = ROWS): string {
  return [HEADER, ...rows].join('\r\n') + '\r\n';
}

/** Expects a refusal whose message and details name the row (and its file line) and the column. */
function refused(text: string, row: number | undefined, line: number | undefined, column: string, pattern: RegExp): void {
  assert.throws(
    () => parseCsvDataset(text, schema, { source: 'book.csv' }),
    (err: unknown) => {
      assert.ok(err instanceof FedriskError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.details.row, row);
      assert.equal(err.details.line, line);
      assert.equal(err.details.column, column);
      assert.match(err.message, /^book\.csv: /);
      if (row !== undefined) {
        assert.match(err.message, new RegExp(`data row ${row} \\(file line ${line}\\), column ${column}: `));
        assert.equal(err.details.field, `row ${row}, column ${column}`);
      } else {
        assert.match(err.message, new RegExp(`missing column "${column}"`));
      }
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('parses a conforming file; missing cells become null; extra columns are ignored', () => {
  const ds = parseCsvDataset(csv(), schema);
  assert.equal(ds.schema, schema);
  assert.deepEqual(ds.rows, [
    { Age: 30, Home: 'rent', Income: 120, Job: 'fixed' },
    { Age: null, Home: null, Income: 90, Job: 'freelance' },
    { Age: null, Home: 'owner', Income: 200, Job: 'fixed' },
  ]);
  assert.deepEqual([...ds.labels], [0, 1, 0]);
});

test('column order in the file does not matter', () => {
  const text = '"Job","Income","Home","Age","Status"\nfixed,1,rent,2,bad\n';
  assert.deepEqual(parseCsvDataset(text, schema).rows, [{ Age: 2, Home: 'rent', Income: 1, Job: 'fixed' }]);
});

test('non-numeric cell in a numeric column names row 3, column Age', () => {
  const rows = [...ROWS];
  rows[2] = '"good","abc","owner",200,"fixed","y"';
  refused(csv(rows), 3, 4, 'Age', /"abc" is not a number/);
});

test('file line differs from the data row when a quoted field spans lines', () => {
  const rows = ['"good",30,"rent",120,"fixed","multi\nline"', '"good",30,"rent",120,"fixed","z"', '"good",30,"rent",12x,"fixed","z"'];
  refused(csv(rows), 3, 5, 'Income', /"12x" is not a number/);
});

test('unknown category level', () => {
  const rows = [...ROWS];
  rows[1] = '"bad",40,"castle",90,"freelance",';
  refused(csv(rows), 2, 3, 'Home', /unknown level "castle" \(schema levels: owner, rent\)/);
});

test('missing cell where the policy is error', () => {
  const rows = [...ROWS];
  rows[0] = '"good",30,"rent",NA,"fixed","x"';
  refused(csv(rows), 1, 2, 'Income', /missing value/);
  rows[0] = '"good",30,"rent",1,,"x"';
  refused(csv(rows), 1, 2, 'Job', /missing value/);
});

test('label violations', () => {
  const rows = [...ROWS];
  rows[1] = '"Bad",40,"rent",90,"freelance",';
  refused(csv(rows), 2, 3, 'Status', /label "Bad" is not one of "bad", "good"/);
  rows[1] = 'NA,40,"rent",90,"freelance",';
  refused(csv(rows), 2, 3, 'Status', /the label is missing/);
});

test('missing required column (feature or label)', () => {
  refused('Status,Age,Home,Job\ngood,1,rent,fixed\n', undefined, undefined, 'Income', /required by schema toy v1/);
  refused('Age,Home,Income,Job\n1,rent,1,fixed\n', undefined, undefined, 'Status', /required by schema toy v1/);
});

test('CSV syntax errors surface with row and line', () => {
  assert.throws(
    () => parseCsvDataset(csv([...ROWS, '"good",1,"rent"']), schema, { source: 'book.csv' }),
    (e: unknown) => e instanceof FedriskError && e.details.row === 4 && /book\.csv: data row 4 \(line 5\)/.test(e.message),
  );
});

test('loadCsvDataset on a missing file is NOT_FOUND', () => {
  assert.throws(() => loadCsvDataset('/nonexistent/fedrisk.csv', schema), (e: unknown) => e instanceof FedriskError && e.code === 'NOT_FOUND');
});

test('bundled credit_data loads completely: 4454 rows, 415 with a null cell, 28.2% bad', () => {
  const { csvPath, schemaPath } = resolveDataset('credit_data');
  assert.ok(schemaPath);
  const ds = loadCsvDataset(csvPath, loadSchemaFile(schemaPath));
  assert.equal(ds.rows.length, 4454);
  assert.equal(ds.labels.length, 4454);
  assert.equal(ds.rows.filter((r) => Object.values(r).some((v) => v === null)).length, 415);
  const bad = ds.labels.reduce((a, b) => a + b, 0);
  assert.equal(bad, 1254);
  assert.deepEqual(ds.rows[0], {
    Seniority: 9, Home: 'rent', Time: 60, Age: 30, Marital: 'married', Records: 'no', Job: 'freelance',
    Expenses: 73, Income: 129, Assets: 0, Debt: 0, Amount: 800, Price: 846,
  });
  // Line 31 of the file: "bad",0,NA,48,37,"single","no",NA,35,NA,NA,NA,1500,1850
  assert.deepEqual(ds.rows[29], {
    Seniority: 0, Home: null, Time: 48, Age: 37, Marital: 'single', Records: 'no', Job: null,
    Expenses: 35, Income: null, Assets: null, Debt: null, Amount: 1500, Price: 1850,
  });
  assert.equal(ds.labels[29], 1);
});

test('bundled german_credit loads: 1000 rows, 300 bad, no nulls', () => {
  const ds = loadDataset('german_credit');
  assert.equal(ds.rows.length, 1000);
  assert.equal(ds.labels.reduce((a, b) => a + b, 0), 300);
  assert.equal(ds.schema.features.length, 61);
  assert.ok(ds.rows.every((r) => Object.values(r).every((v) => typeof v === 'number')));
});
