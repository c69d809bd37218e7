import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { FedriskError } from '../common/errors.js';
import { createLogger } from '../common/log.js';
import { MODEL_FORMAT } from '../common/model/logistic-model.js';
import { bundledDatasetsDir, encodedWidth, loadSchemaFile } from '../common/schema/index.js';
import { decideApplication, getApplication, type DecisionDeps } from './application-handler.js';
import { createDecisionApp } from './http/create-decision-app.js';
import { ActiveModelCache } from './scoring/active-model-cache.js';
import { resolveScoringPolicy } from './scoring/score-card.js';
import { createApiKeyStore } from './store/api-key-store.js';
import { createApplicationStore } from './store/application-store.js';
import { createDecisionDb, migrateDecisionDb } from './store/decision-db.js';
import { createModelStore } from './store/model-store.js';
import { tempDir, tinyLogOdds, tinyModel } from './testing/tiny-model.js';

const fieldError = (field: string) => (e: unknown) =>
  e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.details.field === field;

describe('decideApplication (transport-neutral)', () => {
  const tmp = tempDir();
  let knex: Knex;
  let cache: ActiveModelCache;
  let deps: DecisionDeps;

  before(async () => {
    knex = createDecisionDb({ filename: tmp.file('d.sqlite') });
    await migrateDecisionDb(knex);
    cache = new ActiveModelCache({ store: createModelStore(knex) });
    deps = {
      models: cache,
      applications: createApplicationStore(knex),
      policy: resolveScoringPolicy(),
      now: () => new Date('2026-11-22T12:00:00.000Z'),
    };
  });
  after(async () => {
    await cache.stop();
    await knex.destroy();
    tmp.cleanup();
  });

  it('is UNAVAILABLE without an active model, but checks the envelope first', async () => {
    await assert.rejects(decideApplication(deps, { features: {} }), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
    await assert.rejects(decideApplication(deps, { feature: {} }), fieldError('feature'));
    await assert.rejects(decideApplication(deps, 'x'), fieldError('body'));
    await assert.rejects(decideApplication(deps, null), fieldError('body'));
  });

  it('refreshes to a new active model only when the version changes', async () => {
    const models = createModelStore(knex);
    await models.deploy(tinyModel('h1'), { activate: true });
    assert.equal(await cache.refresh(), true);
    assert.equal(await cache.refresh(), false);
    const first = cache.current();
    assert.equal(first?.version, 'h1');
    assert.equal(first?.width, 3);
    await models.deploy(tinyModel('h2'), { activate: true });
    assert.equal(await cache.refresh(), true);
    assert.equal(cache.current()?.version, 'h2');
    await models.activate('h1');
    await cache.refresh();
    assert.equal(cache.current()?.version, 'h1');
  });

  it('scores, stores and reads back a decision', async () => {
    for (const [income, home] of [[100, 'own'], [250, 'rent'], [-40, 'own'], [1e9, 'rent'], [-1e9, 'own']] as const) {
      const r = await decideApplication(deps, { features: { Home: home, Income: income } });
      const pd = 1 / (1 + Math.exp(-tinyLogOdds(income, home)));
      assert.ok(Math.abs(r.probabilityOfDefault - pd) < 1e-12, `${income} ${home}`);
      assert.equal(r.modelVersion, 'h1');
      const back = await getApplication(deps, r.applicationId);
      assert.deepEqual(back, { ...r, createdAt: '2026-11-22T12:00:00.000Z' });
    }
  });

  it('names the field of every invalid input', async () => {
    await assert.rejects(decideApplication(deps, { features: { Income: null, Home: 'own' } }), fieldError('features.Income'));
    await assert.rejects(decideApplication(deps, { features: { Income: true, Home: 'own' } }), fieldError('features.Income'));
    await assert.rejects(decideApplication(deps, { features: { Income: 1, Home: 'OWN' } }), fieldError('features.Home'));
    await assert.rejects(decideApplication(deps, { features: { Income: 1, Home: 'own', Status: 'bad' } }), fieldError('features.Status'));
    await assert.rejects(decideApplication(deps, { features: { Income: 1, Home: 'own' }, model: 'x' }), fieldError('model'));
    await assert.rejects(getApplication(deps, '../etc'), fieldError('id'));
  });
});

describe('with the bundled credit_data schema', () => {
  it('scores a partial application (missing numerics take the mean, missing categories their own level)', async () => {
    const tmp = tempDir();
    const knex = createDecisionDb({ filename: tmp.file('c.sqlite') });
    try {
      await migrateDecisionDb(knex);
      const schema = loadSchemaFile(join(bundledDatasetsDir(), 'credit_data', 'schema.json'));
      const numeric = schema.features.filter((f) => f.kind === 'numeric').length;
      const model = {
        format: MODEL_FORMAT,
        kind: 'logistic' as const,
        version: 'credit_data-zero',
        schema,
        standardisation: { mean: new Array<number>(numeric).fill(0), std: new Array<number>(numeric).fill(1) },
        weights: new Array<number>(encodedWidth(schema)).fill(0),
        bias: -Math.log(50),
        createdAt: '2026-11-22T00:00:00.000Z',
        provenance: {},
      };
      await createModelStore(knex).deploy(model, { activate: true });
      const cache = new ActiveModelCache({ store: createModelStore(knex) });
      await cache.refresh();
      const deps: DecisionDeps = { models: cache, applications: createApplicationStore(knex), policy: resolveScoringPolicy() };
      const r = await decideApplication(deps, { features: { Income: 150, Home: 'rent', Records: null } });
      assert.equal(r.score, 600);
      await assert.rejects(decideApplication(deps, { features: { Income: '150' } }), fieldError('features.Income'));
    } finally {
      await knex.destroy();
      tmp.cleanup();
    }
  });
});

describe('error middleware', () => {
  it('answers 500 with a fixed message, never the internals, and logs it once', async () => {
    const tmp = tempDir();
    const knex = createDecisionDb({ filename: tmp.file('e.sqlite') });
    await migrateDecisionDb(knex);
    await createModelStore(knex).deploy(tinyModel('e1'), { activate: true });
    const cache = new ActiveModelCache({ store: createModelStore(knex) });
    await cache.refresh();
    const lines: string[] = [];
    const { key } = await createApiKeyStore(knex).create('app');
    const app = createDecisionApp({
      models: cache,
      applications: {
        insert: async () => {
          throw new Error('SQLITE_IOERR at /secret/path/decision.sqlite');
        },
        get: async () => null,
      },
      apiKeys: createApiKeyStore(knex),
      policy: resolveScoringPolicy(),
      logger: createLogger({ sink: (l) => lines.push(l) }),
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ features: { Income: 1, Home: 'own' } }),
      });
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { error: { code: 'INTERNAL', message: 'internal error' } });
      const errors = lines.filter((l) => (JSON.parse(l) as { level: string }).level === 'error');
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /SQLITE_IOERR/);
      assert.ok(!lines.some((l) => l.includes(key)), 'the API key is never logged');
    } finally {
      await new Promise((r) => server.close(r));
      await knex.destroy();
      tmp.cleanup();
    }
  });
});
