import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TINY_SCHEMA } from '../testing/tiny-model.js';
import { buildOpenApi, featuresJsonSchema } from './openapi.js';

type Json = Record<string, unknown>;

function featuresOf(doc: Json): Json {
  const paths = doc['paths'] as Record<string, Record<string, Json>>;
  const body = paths['/v1/applications']!['post']!['requestBody'] as { content: { 'application/json': { schema: { properties: Json } } } };
  return body.content['application/json'].schema.properties['features'] as Json;
}

test('features are described from the model schema: required fields, levels, no other keys', () => {
  const f = featuresJsonSchema(TINY_SCHEMA);
  assert.deepEqual(f['required'], ['Income', 'Home']);
  assert.equal(f['additionalProperties'], false);
  const props = f['properties'] as Record<string, Json>;
  assert.equal(props['Income']!['type'], 'number');
  assert.equal(props['Income']!['nullable'], false);
  assert.deepEqual(props['Home']!['enum'], ['own', 'rent']);
});

test('the document follows the active schema, and without one describes features generically', () => {
  const tiny = buildOpenApi(TINY_SCHEMA);
  assert.deepEqual(featuresOf(tiny)['required'], ['Income', 'Home']);
  assert.equal(buildOpenApi(TINY_SCHEMA), tiny, 'cached while the schema is the same');
  const wider = { ...TINY_SCHEMA, version: 2, features: [...TINY_SCHEMA.features, { name: 'Age', kind: 'numeric' as const, scale: 100, missing: 'mean' as const }] };
  const next = buildOpenApi(wider);
  assert.ok('Age' in (featuresOf(next)['properties'] as Json));
  const generic = featuresOf(buildOpenApi(null));
  assert.equal(generic['type'], 'object');
  assert.equal(generic['properties'], undefined);
});
