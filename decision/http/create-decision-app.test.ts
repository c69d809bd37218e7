import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { createRng } from '../../common/random.js';
import { startDecisionServer, type DecisionServer } from '../decision-server.js';
import { createApiKeyStore } from '../store/api-key-store.js';
import { createDecisionDb, migrateDecisionDb } from '../store/decision-db.js';
import { createModelStore } from '../store/model-store.js';
import { tempDir, tinyLogOdds, tinyModel } from '../testing/tiny-model.js';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('decision HTTP API (real sqlite, real loopback HTTP)', () => {
  const tmp = tempDir();
  const dbFile = tmp.file('decision.sqlite');
  let server: DecisionServer;
  let nodeSide: Knex; // a second connection to the same file, as the node would deploy from
  const keys: Record<'app' | 'reviewer' | 'admin', string> = { app: '', reviewer: '', admin: '' };

  async function call(method: string, path: string, opts: { key?: string; json?: unknown; raw?: string; type?: string } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (opts.key) headers['authorization'] = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.json !== undefined) body = JSON.stringify(opts.json);
    if (body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const res = await fetch(server.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
  }
  const decide = (json: unknown, key = keys.app) => call('POST', '/v1/applications', { key, json });
  const errorOf = (r: Reply) => r.body['error'] as { code: string; message: string; field?: string };

  async function until<T>(what: string, probe: () => Promise<T | null>, ms = 3000): Promise<T> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await probe();
      if (v !== null) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  before(async () => {
    server = await startDecisionServer({ dbFile, port: 0, refreshMs: 25 });
    nodeSide = createDecisionDb({ filename: dbFile });
    await migrateDecisionDb(nodeSide);
    const store = createApiKeyStore(nodeSide);
    for (const role of ['app', 'reviewer', 'admin'] as const) keys[role] = (await store.create(role, role)).key;
  });
  after(async () => {
    await server.close();
    await nodeSide.destroy();
    tmp.cleanup();
  });

  it('is healthy but not ready, and answers 503, before any model is active', async () => {
    assert.deepEqual((await call('GET', '/healthz')).body, { status: 'ok' });
    const ready = await call('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(errorOf(ready).code, 'UNAVAILABLE');
    const r = await decide({ features: { Income: 100, Home: 'own' } });
    assert.equal(r.status, 503);
    assert.equal(errorOf(r).code, 'UNAVAILABLE');
  });

  it('refuses missing or unknown keys (401) and the wrong role (403)', async () => {
    const body = { features: { Income: 100, Home: 'own' } };
    const none = await call('POST', '/v1/applications', { json: body });
    assert.equal(none.status, 401);
    assert.equal(errorOf(none).code, 'UNAUTHENTICATED');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await decide(body, 'frk_' + 'x'.repeat(43))).status, 401);
    assert.equal((await call('POST', '/v1/applications', { json: body, key: 'not a key at all' })).status, 401);
    const wrongRole = await decide(body, keys.reviewer);
    assert.equal(wrongRole.status, 403);
    assert.equal(errorOf(wrongRole).code, 'PERMISSION_DENIED');
    assert.equal((await call('GET', '/v1/applications/00000000-0000-4000-8000-000000000000')).status, 401);
  });

  it('scores with the deployed model: expected pd, score, grade and decision', async () => {
    await createModelStore(nodeSide).deploy(tinyModel('v1'), { activate: true });
    await until('ready', async () => ((await call('GET', '/readyz')).status === 200 ? true : null));
    const r = await decide({ features: { Income: 100, Home: 'own' } });
    assert.equal(r.status, 201);
    assert.equal(r.body['modelVersion'], 'v1');
    assert.ok(Math.abs((r.body['probabilityOfDefault'] as number) - 1 / 51) < 1e-12);
    assert.equal(r.body['score'], 600);
    assert.equal(r.body['grade'], 'A');
    assert.equal(r.body['decision'], 'approve');
    assert.equal(r.headers.get('location'), `/v1/applications/${r.body['applicationId'] as string}`);

    const grey = await decide({ features: { Income: 0, Home: 'rent' } }, keys.admin);
    assert.ok(Math.abs((grey.body['probabilityOfDefault'] as number) - sigmoid(tinyLogOdds(0, 'rent'))) < 1e-12);
    assert.equal(grey.body['score'], 513); // 600 - 3 * 20/ln2 = 513.4
    assert.equal(grey.body['grade'], 'E');
    assert.equal(grey.body['decision'], 'review');

    const bad = await decide({ features: { Income: -100, Home: 'rent' } });
    assert.equal(bad.body['decision'], 'reject');

    const back = await call('GET', `/v1/applications/${r.body['applicationId'] as string}`, { key: keys.reviewer });
    assert.equal(back.status, 200);
    assert.deepEqual({ ...back.body, createdAt: undefined }, { ...r.body, createdAt: undefined });
    assert.equal((await call('GET', '/v1/applications/00000000-0000-4000-8000-000000000000', { key: keys.app })).status, 404);
    const badId = await call('GET', '/v1/applications/nope', { key: keys.app });
    assert.equal(badId.status, 400);
    assert.equal(errorOf(badId).field, 'id');
  });

  it('picks up a newly deployed version without a restart', async () => {
    await createModelStore(nodeSide).deploy(tinyModel('v2', { bias: -Math.log(50) + Math.LN2 }), { activate: true });
    const r = await until('v2 to serve', async () => {
      const x = await decide({ features: { Income: 100, Home: 'own' } });
      return x.body['modelVersion'] === 'v2' ? x : null;
    });
    assert.equal(r.body['score'], 580); // odds halved: one PDO down
    assert.equal(r.body['grade'], 'B');
    assert.equal((await call('GET', '/readyz')).body['modelVersion'], 'v2');
  });

  it('answers 400 naming the field for wrong types, unknown fields and unknown levels', async () => {
    const cases: [unknown, string][] = [
      [{ features: { Income: '100', Home: 'own' } }, 'features.Income'],
      [{ features: { Income: 100, Home: 'castle' } }, 'features.Home'],
      [{ features: { Income: 100, Home: 'own', Age: 30 } }, 'features.Age'],
      [{ features: { Income: 100 } }, 'features.Home'],
      [{ features: { Income: 100, Home: 3 } }, 'features.Home'],
      [{ features: [1, 2] }, 'features'],
      [{ features: { Income: 100, Home: 'own' }, extra: 1 }, 'extra'],
      [{}, 'features'],
      [[1, 2], 'body'],
    ];
    for (const [json, field] of cases) {
      const r = await decide(json);
      assert.equal(r.status, 400, JSON.stringify(json));
      assert.equal(errorOf(r).code, 'INVALID_ARGUMENT');
      assert.equal(errorOf(r).field, field, JSON.stringify(json));
    }
  });

  it('answers 400 for malformed JSON or a non-JSON body, 413 for a 100 KB body, 404 JSON for unknown routes', async () => {
    const malformed = await call('POST', '/v1/applications', { key: keys.app, raw: '{"features": {"Income": 1,' });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body, { error: { code: 'INVALID_ARGUMENT', message: 'body: malformed JSON', field: 'body' } });
    const text = await call('POST', '/v1/applications', { key: keys.app, raw: 'Income=1', type: 'text/plain' });
    assert.equal(text.status, 400);
    const big = await call('POST', '/v1/applications', {
      key: keys.app,
      json: { features: { Income: 100, Home: 'own' }, pad: 'x'.repeat(100 * 1024) },
    });
    assert.equal(big.status, 413);
    assert.equal(errorOf(big).code, 'PAYLOAD_TOO_LARGE');
    const missing = await call('GET', '/v1/nothing');
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing).code, 'NOT_FOUND');
  });

  it('stores a digest of the input and none of its values', async () => {
    const features = { Home: 'rent', Income: 31337.25 };
    const r = await decide({ features: { Income: 31337.25, Home: 'rent' } });
    assert.equal(r.status, 201);
    const rows = (await nodeSide('applications').where({ id: r.body['applicationId'] as string })) as Record<string, unknown>[];
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual(Object.keys(row).sort(), [
      'created_at', 'decision', 'features_digest', 'grade', 'id', 'model_version', 'probability_of_default', 'score',
    ]);
    const dump = JSON.stringify(await nodeSide('applications').select('*'));
    assert.ok(!dump.includes('31337') && !dump.includes('rent'), 'no raw feature value in the table');
    const expected = createHash('sha256').update(JSON.stringify(features)).digest('hex');
    assert.equal(row['features_digest'], expected);
  });

  it('never answers 5xx to a few hundred random or mutated bodies', async () => {
    const rng = createRng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    const junk = (): unknown =>
      pick([
        null, true, 0, -0.0, 1e308, -1e308, 1e-320, 'own', 'rent', '', 'NA', '100', '\u0000', 'é'.repeat(50), [],
        [1, 'a'], {}, { Income: 1 }, rng() * 1e6 - 5e5, Number.MAX_SAFE_INTEGER, '__proto__',
      ]);
    const keysPool = ['Income', 'Home', 'features', '__proto__', 'constructor', 'toString', 'Status', '', 'income'];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const features: Record<string, unknown> = { Income: rng() * 400 - 100, Home: pick(['own', 'rent']) };
      const top: Record<string, unknown> = { features };
      for (let m = 0, n = Math.floor(rng() * 3); m < n; m++) {
        const op = Math.floor(rng() * 6);
        if (op === 0) features[pick(keysPool)] = junk();
        else if (op === 1) delete features[pick(['Income', 'Home'])];
        else if (op === 2) top[pick(keysPool)] = junk();
        else if (op === 3) top['features'] = junk();
        else if (op === 4) features['Income'] = junk();
        else features['Home'] = junk();
      }
      let body = JSON.stringify(top);
      const style = rng();
      if (style < 0.1) body = body.slice(0, Math.floor(rng() * body.length));
      else if (style < 0.15) body = JSON.stringify(junk());
      else if (style < 0.2) body = '['.repeat(5000) + ']'.repeat(5000);
      else if (style < 0.25) body = body.replace(/"[A-Za-z]+"/, '"__proto__"');
      const r = await call('POST', '/v1/applications', { key: keys.app, raw: body });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      assert.ok(r.status < 500, `body ${body.slice(0, 200)} -> ${r.status} ${JSON.stringify(r.body)}`);
      if (r.status >= 400) assert.equal(typeof errorOf(r).code, 'string');
    }
    assert.ok((statuses.get(201) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  });
});
