import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { loadDataset } from './dataset-registry.js';
import type { FeatureSchema } from './feature-schema.js';
import { validateFeatures } from './validate-features.js';

const schema: FeatureSchema = {
  format: 'fedrisk.schema/v1',
  name: 'toy',
  version: 3,
  label: { column: 'Status', bad: 'bad', good: ['good'] },
  features: [
    { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
    { name: 'Home', kind: 'categorical', levels: ['owner', 'rent'], missing: 'level' },
    { name: 'Income', kind: 'numeric', scale: 1000, missing: 'error' },
    { name: 'Job', kind: 'categorical', levels: ['fixed', 'freelance'], missing: 'error' },
  ],
};

function refused(input: unknown, field: string, pattern: RegExp, prefix?: string): void {
  assert.throws(
    () => (prefix === undefined ? validateFeatures(schema, input) : validateFeatures(schema, input, prefix)),
    (err: unknown) => {
      assert.ok(err instanceof FedriskError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.details.field, field);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

const ok = { Age: 35, Home: 'rent', Income: 120.5, Job: 'fixed' };

test('accepts a valid object and fills allowed gaps with null', () => {
  assert.deepEqual(validateFeatures(schema, ok), ok);
  assert.deepEqual(validateFeatures(schema, { Income: 1, Job: 'freelance' }), { Age: null, Home: null, Income: 1, Job: 'freelance' });
  assert.deepEqual(validateFeatures(schema, { Age: null, Home: null, Income: 0, Job: 'fixed' }), { Age: null, Home: null, Income: 0, Job: 'fixed' });
  assert.deepEqual(validateFeatures(schema, JSON.parse('{"Age":-1,"Income":1e3,"Job":"fixed"}')), { Age: -1, Home: null, Income: 1000, Job: 'fixed' });
});

test('input must be an object', () => {
  refused(null, 'features', /must be an object, got null/);
  refused([1, 2], 'features', /got an array/);
  refused('x', 'features', /must be an object/);
  refused(new Date(), 'features', /must be an object/);
});

test('unknown keys are refused, the label with a hint', () => {
  refused({ ...ok, Incme: 3 }, 'features.Incme', /is not a feature of schema toy v3/);
  refused({ ...ok, Status: 'good' }, 'features.Status', /it is the label/);
});

test('numeric must be a finite JSON number', () => {
  refused({ ...ok, Income: '120' }, 'features.Income', /must be a number, got the string "120"/);
  refused({ ...ok, Age: true }, 'features.Age', /must be a number/);
  refused({ ...ok, Age: Number.POSITIVE_INFINITY }, 'features.Age', /finite/);
  refused({ ...ok, Age: Number.NaN }, 'features.Age', /finite/);
});

test('categorical must be one of the levels', () => {
  refused({ ...ok, Home: 'castle' }, 'features.Home', /unknown level "castle" \(allowed: owner, rent\)/);
  refused({ ...ok, Home: 'Rent' }, 'features.Home', /unknown level/);
  refused({ ...ok, Home: '' }, 'features.Home', /unknown level ""/);
  refused({ ...ok, Home: 1 }, 'features.Home', /must be a string/);
});

test('missing only where the policy allows', () => {
  const { Income: _i, ...noIncome } = ok;
  refused(noIncome, 'features.Income', /is required/);
  refused({ ...ok, Income: null }, 'features.Income', /is required/);
  refused({ ...ok, Job: null }, 'features.Job', /is required/);
});

test('inherited properties are not values; the prefix is configurable', () => {
  const input = Object.create(null) as Record<string, unknown>;
  Object.assign(input, { Income: 5, Job: 'fixed' });
  assert.deepEqual(validateFeatures(schema, input), { Age: null, Home: null, Income: 5, Job: 'fixed' });
  refused({ ...ok, Age: 'old' }, 'application.features.Age', /must be a number/, 'application.features');
});

test('credit_data: a real row passes, a string Income is refused by name', () => {
  const ds = loadDataset('credit_data');
  assert.deepEqual(validateFeatures(ds.schema, ds.rows[29]), ds.rows[29]);
  assert.throws(
    () => validateFeatures(ds.schema, { ...ds.rows[0], Income: '129' }),
    (e: unknown) => e instanceof FedriskError && e.details.field === 'features.Income' && /features\.Income/.test(e.message),
  );
});
