import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedriskError } from '../errors.js';
import { loadSchemaFile, parseSchema } from './validate-schema.js';

function valid(): Record<string, unknown> {
  return {
    format: 'fedrisk.schema/v1',
    name: 'toy',
    version: 1,
    label: { column: 'Status', bad: 'bad', good: ['good'] },
    features: [
      { name: 'Age', kind: 'numeric', scale: 100, missing: 'mean' },
      { name: 'Home', kind: 'categorical', levels: ['owner', 'rent'], missing: 'level' },
    ],
  };
}

/** Applies `edit` to a fresh valid document and expects a refusal naming `field`. */
function refused(edit: (doc: Record<string, unknown>) => void, field: string, pattern?: RegExp): void {
  const doc = valid();
  edit(doc);
  assert.throws(
    () => parseSchema(doc),
    (err: unknown) => {
      assert.ok(err instanceof FedriskError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.equal(err.details.field, field);
      assert.ok(err.message.startsWith(`${field}: `), err.message);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
}

const features = (doc: Record<string, unknown>): Record<string, unknown>[] => doc['features'] as Record<string, unknown>[];
const label = (doc: Record<string, unknown>): Record<string, unknown> => doc['label'] as Record<string, unknown>;

test('accepts a valid document and returns a clean copy', () => {
  const doc = valid();
  const schema = parseSchema(doc);
  assert.deepEqual(schema, doc);
  assert.notEqual(schema, doc);
  assert.notEqual(schema.features[1], features(doc)[1]);
});

test('top-level shape', () => {
  assert.throws(() => parseSchema(null), /schema: must be an object/);
  assert.throws(() => parseSchema([]), /schema: must be an object/);
  refused((d) => (d['format'] = 'fedrisk.schema/v2'), 'schema.format');
  refused((d) => (d['name'] = ''), 'schema.name');
  refused((d) => (d['version'] = 0), 'schema.version');
  refused((d) => (d['version'] = 1.5), 'schema.version');
  refused((d) => (d['extra'] = true), 'schema.extra', /unknown key/);
  refused((d) => (d['features'] = []), 'schema.features', /must not be empty/);
  refused((d) => (d['features'] = {}), 'schema.features', /must be an array/);
});

test('label', () => {
  refused((d) => delete label(d)['column'], 'schema.label.column');
  refused((d) => (label(d)['bad'] = ''), 'schema.label.bad', /missing cell/);
  refused((d) => (label(d)['good'] = []), 'schema.label.good', /must not be empty/);
  refused((d) => (label(d)['good'] = ['good', 'bad']), 'schema.label.good[1]', /cannot also be good/);
  refused((d) => (label(d)['good'] = ['good', 'good']), 'schema.label.good[1]', /duplicate/);
  refused((d) => (label(d)['column'] = 'Age'), 'schema.features[0].name', /label column "Age" cannot be a feature/);
});

test('features', () => {
  refused((d) => (features(d)[0]!['kind'] = 'text'), 'schema.features[0].kind');
  refused((d) => (features(d)[0]!['scale'] = 0), 'schema.features[0].scale', /> 0/);
  refused((d) => (features(d)[0]!['scale'] = -10), 'schema.features[0].scale');
  refused((d) => (features(d)[0]!['scale'] = '100'), 'schema.features[0].scale');
  refused((d) => (features(d)[0]!['missing'] = 'level'), 'schema.features[0].missing');
  refused((d) => (features(d)[0]!['levels'] = ['a']), 'schema.features[0].levels', /unknown key/);
  refused((d) => (features(d)[1]!['levels'] = []), 'schema.features[1].levels', /must not be empty/);
  refused((d) => (features(d)[1]!['levels'] = ['owner', 'owner']), 'schema.features[1].levels[1]', /duplicate/);
  refused((d) => (features(d)[1]!['levels'] = ['owner', 'NA']), 'schema.features[1].levels[1]', /missing cell/);
  refused((d) => (features(d)[1]!['levels'] = ['<missing>']), 'schema.features[1].levels[0]', /reserved/);
  refused((d) => (features(d)[1]!['missing'] = 'mean'), 'schema.features[1].missing');
  refused((d) => (features(d)[1]!['name'] = 'Age'), 'schema.features[1].name', /duplicate feature name "Age" \(also features\[0\]\)/);
  refused((d) => (features(d)[1]!['name'] = '__proto__'), 'schema.features[1].name', /reserved/);
  refused(
    (d) => features(d).push({ name: 'Home=rent', kind: 'numeric', scale: 1, missing: 'error' }),
    'schema.features[2]',
    /collides with feature "Home"/,
  );
});

test('loadSchemaFile names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-schema-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(valid()));
  assert.equal(loadSchemaFile(good).name, 'toy');
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ nope');
  assert.throws(() => loadSchemaFile(broken), (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.message.includes(broken));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...valid(), version: 0 }));
  assert.throws(
    () => loadSchemaFile(bad),
    (e: unknown) => e instanceof FedriskError && e.details.field === 'schema.version' && e.message.startsWith(`${bad}: schema.version`),
  );
  assert.throws(() => loadSchemaFile(join(dir, 'absent.json')), (e: unknown) => e instanceof FedriskError && e.code === 'NOT_FOUND');
});
