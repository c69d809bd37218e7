/**
 * The lender-facing decision API end to end, over real HTTP with a real SQLite store: decisions, bad input (always a
 * 4xx naming the field), idempotency, lists, rule hot reload and rollback, reviews with the APR cap, async mode with a
 * signed callback, the audit chain (and its tamper detection), PII never in plaintext (file and logs), consent
 * withdrawal, retention, key rotation, a model deployed while running, metrics and documentation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCallbackSignature } from '../decision/callbacks/index.js';
import { createModelStore } from '../decision/index.js';
import { loadOrCreateKeyFile } from '../common/crypto/index.js';
import { createRng } from '../common/random.js';
import { startHarness, type Harness } from './support/decision-harness.js';

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});

async function decide(body: unknown, extra: { key?: string | null; headers?: Record<string, string>; query?: string } = {}) {
  return h.call('POST', `/v1/applications${extra.query ?? ''}`, { body, ...(extra.key !== undefined ? { key: extra.key } : {}), ...(extra.headers ? { headers: extra.headers } : {}) });
}

test('a valid application gets a full decision with a generic reason; GET returns it', async () => {
  const res = await decide(h.application(1));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const b = res.body;
  for (const k of ['applicationId', 'decision', 'reason', 'grade', 'score', 'probabilityOfDefault', 'apr', 'creditLimit', 'modelVersion', 'rulesVersion']) assert.ok(k in b, k);
  assert.ok(['approve', 'review', 'reject'].includes(b['decision'] as string));
  assert.ok(['approved', 'under review', 'overall score below standard'].includes(b['reason'] as string));
  assert.equal(b['modelVersion'], 'credit_data-bootstrap-v1');
  if (b['apr'] !== null) assert.ok((b['apr'] as number) <= 0.36);
  const got = await h.call('GET', `/v1/applications/${b['applicationId'] as string}`);
  assert.equal(got.status, 200);
  assert.equal(got.body['decision'], b['decision']);
});

test('bad input is a 4xx naming the field, never a 5xx', async () => {
  const cases: [unknown, number, string][] = [
    [h.application(2, (b) => void ((b['applicant'] as Record<string, unknown>)['idNumber'] = '11010519491231002Y')), 400, 'applicant.idNumber'],
    [h.application(2, (b) => void ((b['applicant'] as Record<string, unknown>)['phone'] = '12345')), 400, 'applicant.phone'],
    [h.application(2, (b) => void (b['amount'] = -5)), 400, 'amount'],
    [h.application(2, (b) => void (b['amount'] = 1e12)), 400, 'amount'],
    [h.application(2, (b) => void (b['amount'] = 1e-30)), 400, 'amount'],
    [h.application(2, (b) => void (b['termMonths'] = 2.5)), 400, 'termMonths'],
    [h.application(2, (b) => void (b['surprise'] = 1)), 400, 'surprise'],
    [h.application(2, (b) => void ((b['features'] as Record<string, unknown>)['Age'] = 'forty')), 400, 'features.Age'],
    [h.application(2, (b) => void ((b['features'] as Record<string, unknown>)['Home'] = 'castle')), 400, 'features.Home'],
    [h.application(2, (b) => void ((b['device'] as Record<string, unknown>)['ip'] = 'not-an-ip')), 400, 'device.ip'],
    [h.application(2, (b) => void delete b['device']), 400, 'device'],
    [h.application(2, (b) => void (b['consent'] = false)), 422, 'consent'],
    [[], 400, 'body'],
  ];
  for (const [body, status, field] of cases) {
    const res = await decide(body);
    assert.equal(res.status, status, `${field}: ${JSON.stringify(res.body)}`);
    const err = res.body['error'] as { field?: string; message: string };
    assert.equal(err.field, field, JSON.stringify(res.body));
    assert.ok(err.message.includes(field));
  }
  // A number no decimal type holds (zen-engine would abort the process on it as it is) is decided normally.
  const tinyTiming = await decide(h.application(2, (b) => void (b['device'] = { ...(b['device'] as object), behaviour: { formFillSeconds: 5e-324 } })));
  assert.equal(tinyTiming.status, 201, JSON.stringify(tinyTiming.body));
  const malformed = await h.call('POST', '/v1/applications', { raw: '{"applicant": ' });
  assert.equal(malformed.status, 400);
  const big = await h.call('POST', '/v1/applications', { raw: JSON.stringify({ pad: 'x'.repeat(70_000) }) });
  assert.equal(big.status, 413);
  assert.equal((await decide(h.application(3), { key: null })).status, 401);
  assert.equal((await decide(h.application(3), { key: 'frk_not-a-key' })).status, 401);
  assert.equal((await decide(h.application(3), { key: h.keys.reviewer })).status, 403);
  assert.equal((await decide(h.application(3), { query: '?mode=later' })).status, 400);
});

test('without consent nothing is kept but the refusal', async () => {
  const before = (await h.server.service.knex('applicants').count({ n: '*' }))[0] as { n: number };
  const res = await decide(h.application(4, (b) => void (b['consent'] = false)));
  assert.equal(res.status, 422);
  const afterCount = (await h.server.service.knex('applicants').count({ n: '*' }))[0] as { n: number };
  assert.equal(Number(afterCount.n), Number(before.n));
  const last = (await h.server.service.knex('audit_log').orderBy('seq', 'desc').first()) as { record_json: string };
  assert.match(last.record_json, /consent-refused/);
});

test('fuzz: 1200 random and mutated payloads never produce a 5xx, and the service stays healthy', async () => {
  const rng = createRng(2026);
  const junk = (): unknown => {
    const r = rng();
    if (r < 0.1) return null;
    if (r < 0.2) return Math.floor(rng() * 1e9) - 5e8;
    if (r < 0.3) return 'x'.repeat(Math.floor(rng() * 300));
    if (r < 0.4) return [1, 'a', null];
    if (r < 0.5) return { nested: { deep: rng() } };
    if (r < 0.6) return true;
    if (r < 0.7) return -0.0001;
    if (r < 0.8) return '\u0000\u202e';
    if (r < 0.9) return 1e308;
    return '';
  };
  const mutate = (o: Record<string, unknown>, depth = 0): void => {
    for (const k of Object.keys(o)) {
      const r = rng();
      if (r < 0.08) delete o[k];
      else if (r < 0.2) o[k] = junk();
      else if (typeof o[k] === 'object' && o[k] !== null && depth < 3) mutate(o[k] as Record<string, unknown>, depth + 1);
    }
    if (rng() < 0.1) o[`extra${Math.floor(rng() * 9)}`] = junk();
  };
  const statuses = new Map<number, number>();
  for (let i = 0; i < 1200; i++) {
    let raw: string;
    if (i % 10 === 0) raw = JSON.stringify(junk());
    else if (i % 17 === 0) raw = JSON.stringify(h.application(i)).slice(0, Math.floor(rng() * 400));
    else {
      const b = h.application(i);
      mutate(b);
      raw = JSON.stringify(b);
    }
    const res = await h.call('POST', '/v1/applications', { raw });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    assert.ok(res.status < 500, `payload ${i} -> ${res.status} ${JSON.stringify(res.body)}`);
  }
  assert.ok((statuses.get(400) ?? 0) > 500, JSON.stringify([...statuses]));
  assert.equal((await h.call('GET', '/healthz', { key: null })).status, 200);
  assert.equal((await decide(h.application(5))).status, 201);
});

test('Idempotency-Key: a replay returns the same answer and stores nothing twice; another body is refused', async () => {
  const count = async () => Number(((await h.server.service.knex('applications').count({ n: '*' }))[0] as { n: number }).n);
  const body = h.application(6);
  const first = await decide(body, { headers: { 'Idempotency-Key': 'order-6-attempt' } });
  const n = await count();
  const again = await decide(body, { headers: { 'Idempotency-Key': 'order-6-attempt' } });
  assert.equal(again.status, first.status);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(await count(), n);
  const other = await decide(h.application(7), { headers: { 'Idempotency-Key': 'order-6-attempt' } });
  assert.equal(other.status, 422);
  assert.equal((other.body['error'] as { field: string }).field, 'Idempotency-Key');
});

test('lists: a blacklisted phone is rejected (generic reason), removal lifts it', async () => {
  const body = h.application(8);
  const phone = (body['applicant'] as { phone: string }).phone;
  const add = await h.call('POST', '/v1/lists', { key: h.keys.admin, body: { list: 'black', kind: 'phone', value: phone, reason: 'fraud ring 42' } });
  assert.equal(add.status, 201, JSON.stringify(add.body));
  assert.ok(!JSON.stringify(add.body).includes(phone), 'the raw phone is not echoed or stored');
  const res = await decide(body);
  assert.equal(res.body['decision'], 'reject');
  assert.equal(res.body['reason'], 'overall score below standard');
  assert.ok(!JSON.stringify(res.body).includes('BLACKLIST'), 'no internal reason leaks');
  const dup = await h.call('POST', '/v1/lists', { key: h.keys.admin, body: { list: 'black', kind: 'phone', value: phone, reason: 'again' } });
  assert.equal(dup.status, 409);
  const bad = await h.call('POST', '/v1/lists', { key: h.keys.admin, body: { list: 'grey', kind: 'phone', value: phone, reason: 'x' } });
  assert.equal(bad.status, 400);
  assert.equal((await h.call('POST', '/v1/lists', { key: h.keys.app, body: {} })).status, 403);
  await h.call('DELETE', `/v1/lists/${add.body['id'] as string}`, { key: h.keys.admin });
  const listed = await h.call('GET', '/v1/lists?list=black', { key: h.keys.admin });
  assert.ok(Array.isArray(listed.body) || typeof listed.body === 'object');
});

test('rules: a new version changes the very next decision (hot reload); rollback restores; dry run reports the change', async () => {
  const active = await h.call('GET', '/v1/rules', { key: h.keys.admin });
  const doc = structuredClone(active.body['document']) as Record<string, unknown>;
  const v1 = active.body['version'] as number;
  // A candidate that sends everything to review: a rule whose condition is always true.
  const table = (doc['nodes'] as { type: string; content?: { rules: Record<string, string>[]; inputs: { id: string }[]; outputs: { id: string; field: string }[] } }[]).find(
    (n) => n.type === 'decisionTableNode',
  )!;
  const cells: Record<string, string> = {};
  for (const inp of table.content!.inputs) cells[inp.id] = '';
  for (const out of table.content!.outputs) {
    cells[out.id] = { ruleId: '"always-review"', flag: '"test_flag"', action: '"review"', reasonCode: '"TEST_ALWAYS_REVIEW"' }[out.field] ?? '""';
  }
  table.content!.rules.unshift({ _id: 'always-review', ...cells });
  const dry = await h.call('POST', '/v1/rules/dry-run', { key: h.keys.admin, body: { document: doc, limit: 50 } });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.ok((dry.body['evaluated'] as number) > 0);
  const put = await h.call('PUT', '/v1/rules', { key: h.keys.admin, body: doc });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const next = await decide(h.application(9));
  assert.equal(next.body['rulesVersion'], put.body['version']);
  assert.notEqual(next.body['decision'], 'approve');
  const rb = await h.call('POST', `/v1/rules/versions/${v1}/activate`, { key: h.keys.admin });
  assert.equal(rb.status, 200);
  const after = await decide(h.application(10));
  assert.equal(after.body['rulesVersion'], v1);
  const broken = await h.call('PUT', '/v1/rules', { key: h.keys.admin, body: { nodes: 'nope' } });
  assert.equal(broken.status, 400);
});

test('review queue: claim, decide with an APR override above the cap (capped), result visible', async () => {
  // Force a review: a whitelisted-free applicant with a root signal lands in review by the default rules.
  const body = h.application(11, (b) => void ((b['device'] as { signals: Record<string, boolean> }).signals['root'] = true));
  const res = await decide(body);
  assert.equal(res.body['decision'], 'review', JSON.stringify(res.body));
  const id = res.body['applicationId'] as string;
  const pending = await h.call('GET', '/v1/reviews', { key: h.keys.reviewer });
  assert.ok(JSON.stringify(pending.body).includes(id));
  assert.equal((await h.call('POST', `/v1/reviews/${id}/claim`, { key: h.keys.reviewer })).status, 200);
  const decided = await h.call('POST', `/v1/reviews/${id}/decision`, { key: h.keys.reviewer, body: { outcome: 'approve', apr: 0.99, creditLimit: 500, note: 'verified by phone' } });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));
  assert.equal(decided.body['apr'], 0.36);
  assert.equal(decided.body['aprCapped'], true);
  const got = await h.call('GET', `/v1/applications/${id}`);
  assert.equal(got.body['decision'], 'approve');
  assert.equal(got.body['apr'], 0.36);
  assert.equal(got.body['creditLimit'], 500);
});

test('async mode: 202 at once, then the result by GET and an HMAC-signed callback', async () => {
  const received: { body: string; sig: string; ts: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ body, sig: String(req.headers['x-fedrisk-signature']), ts: String(req.headers['x-fedrisk-timestamp']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as { port: number }).port;
  try {
    const res = await decide(h.application(12, (b) => void (b['callbackUrl'] = `http://127.0.0.1:${port}/hook`)), { query: '?mode=async' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body['status'], 'reviewing');
    const id = res.body['applicationId'] as string;
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(received.length, 1);
    const secret = loadOrCreateKeyFile(`${h.dbFile}.callback-secret`);
    assert.deepEqual(verifyCallbackSignature(secret, received[0]!.sig, received[0]!.ts, received[0]!.body, new Date()), { ok: true });
    assert.deepEqual(verifyCallbackSignature(secret, received[0]!.sig, received[0]!.ts, received[0]!.body + ' ', new Date()), { ok: false, reason: 'mismatch' });
    assert.equal((JSON.parse(received[0]!.body) as { applicationId: string }).applicationId, id);
    const got = await h.call('GET', `/v1/applications/${id}`);
    assert.equal(got.status, 200);
    const bad = await decide(h.application(13, (b) => void (b['callbackUrl'] = 'ftp://x')), { query: '?mode=async' });
    assert.equal(bad.status, 400);
  } finally {
    receiver.close();
  }
});

test('a model deployed while the service runs is used without a restart', async () => {
  const store = createModelStore(h.server.service.knex);
  const active = await store.getActive();
  await store.deploy({ ...active!, version: 'credit_data-hot-v2', bias: active!.bias + 0.5 }, { activate: true });
  await new Promise((r) => setTimeout(r, 400));
  const res = await decide(h.application(14));
  assert.equal(res.body['modelVersion'], 'credit_data-hot-v2');
});

test('no plaintext ID number, phone, bank card or name in the SQLite files or the logs', async () => {
  const body = h.application(15);
  const a = body['applicant'] as { idNumber: string; phone: string; bankCard: string; name: string };
  assert.equal((await decide(body)).status, 201);
  await h.server.service.knex.raw('PRAGMA wal_checkpoint(FULL)');
  const files = readdirSync(h.dir).filter((f) => f.startsWith('decision.sqlite'));
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(h.dir, f))));
  for (const v of [a.idNumber, a.phone, a.bankCard, a.name]) {
    assert.equal(bytes.indexOf(Buffer.from(v, 'utf8')), -1, `plaintext ${v.slice(0, 3)}... in the store`);
    assert.ok(!h.logs.some((l) => l.includes(v)), `plaintext ${v.slice(0, 3)}... in the logs`);
  }
});

test('consent withdrawal erases PII; retention purge; the audit chain stays verifiable', async () => {
  const body = h.application(16);
  const idNumber = (body['applicant'] as { idNumber: string }).idNumber;
  await decide(body);
  const tok = await h.call('POST', '/v1/applicants/token', { key: h.keys.admin, body: { idNumber } });
  const token = tok.body['token'] as string;
  const del = await h.call('DELETE', `/v1/applicants/${token}`, { key: h.keys.admin });
  assert.equal(del.status, 200, JSON.stringify(del.body));
  const row = (await h.server.service.knex('applicants').where({ token }).first()) as { pii_enc: unknown; id_number_enc: unknown; erased_at: string | null };
  assert.equal(row.pii_enc, null);
  assert.equal(row.id_number_enc, null);
  assert.ok(row.erased_at);
  assert.equal((await h.call('DELETE', `/v1/applicants/${token}x`, { key: h.keys.admin })).status, 400);
  const purge = await h.call('POST', '/v1/admin/pii/purge', { key: h.keys.admin, body: { retentionDays: 1 } });
  assert.equal(purge.status, 200, JSON.stringify(purge.body) + h.logs.filter((l) => l.includes('"error"')).slice(-3).join('\n'));
  const verify = await h.call('GET', '/v1/audit/verify', { key: h.keys.admin });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  assert.equal(verify.body['ok'], true);
});

test('PII key rotation re-encrypts in place while decisions continue', async () => {
  const during = Promise.all([17, 18, 19, 20].map((i) => decide(h.application(i))));
  const rot = await h.call('POST', '/v1/admin/pii/rotate-key', { key: h.keys.admin });
  assert.equal(rot.status, 200, JSON.stringify(rot.body));
  for (const r of await during) assert.equal(r.status, 201);
  assert.equal((await decide(h.application(21))).status, 201);
  const counts = (await h.server.service.knex('applicants').whereNull('erased_at').select('key_id').groupBy('key_id')) as { key_id: string }[];
  assert.deepEqual(counts.map((c) => c.key_id), [rot.body['activeKeyId']]);
});

test('metrics, openapi and docs; health and readiness', async () => {
  const m = await h.call('GET', '/metrics', { key: h.keys.admin });
  assert.equal(m.status, 200);
  const text = m.body['text'] as string;
  assert.match(text, /fedrisk_decision_latency_seconds_bucket/);
  assert.match(text, /fedrisk_decisions_total\{outcome="/);
  assert.match(text, /fedrisk_rule_hits_total/);
  assert.equal((await h.call('GET', '/metrics', { key: h.keys.app })).status, 403);
  const api = await h.call('GET', '/openapi.json', { key: null });
  assert.equal(api.body['openapi'], '3.0.3');
  const post = ((api.body['paths'] as Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } } }>>)['/v1/applications']!['post']!);
  assert.ok('applicant' in post.requestBody.content['application/json'].schema.properties);
  // `features` is described from the active model's schema, the one every request is validated against.
  const features = post.requestBody.content['application/json'].schema.properties['features'] as {
    properties: Record<string, { type: string; enum?: string[]; nullable?: boolean }>;
    required: string[];
    additionalProperties: boolean;
  };
  assert.equal(features.additionalProperties, false);
  assert.equal(features.properties['Income']?.type, 'number');
  assert.deepEqual([...(features.properties['Home']?.enum ?? [])].sort(), ['ignore', 'other', 'owner', 'parents', 'priv', 'rent'].sort());
  // The bootstrap schema fills every missing value (mean or a missing level), so nothing is required and all are nullable.
  assert.deepEqual(features.required, []);
  assert.equal(features.properties['Income']?.nullable, true);
  assert.equal(Object.keys(features.properties).length, 13);
  const docs = await fetch(`${h.url}/docs`);
  assert.match(await docs.text(), /POST.*\/v1\/applications/s);
  assert.equal((await h.call('GET', '/readyz', { key: null })).status, 200);
});

test('audit tampering is detected and the broken entry named (kept last: it breaks the chain)', async () => {
  const knex = h.server.service.knex;
  const row = (await knex('audit_log').orderBy('seq').offset(2).first()) as { seq: number; record_json: string };
  await knex('audit_log').where({ seq: row.seq }).update({ record_json: row.record_json.replace('"kind":"', '"kind":"x') });
  const verify = await h.call('GET', '/v1/audit/verify', { key: h.keys.admin });
  assert.equal(verify.status, 409);
  assert.equal((verify.body['firstBroken'] as { seq: number }).seq, Number(row.seq));
});
