/**
 * The node:http fast lane for POST /v1/applications (decision/http/application-lane.ts) against the express route it
 * stands in front of: the same requests, sent to the service's own listener (lane first) and to a second listener on
 * the same service that serves everything through express, must get the same status, headers and body. Covers what
 * the lane reads itself (auth, body limit, JSON rules, query, idempotency) and what it hands over to express.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDecisionHttpHandler } from '../decision/index.js';
import { startHarness, type Harness } from './support/decision-harness.js';

let h: Harness;
let expressOnly: Server;
let expressUrl: string;

before(async () => {
  h = await startHarness();
  expressOnly = createServer(createDecisionHttpHandler(h.server.service, { lane: false }));
  await new Promise<void>((resolve) => expressOnly.listen(0, '127.0.0.1', resolve));
  expressUrl = `http://127.0.0.1:${(expressOnly.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise<void>((resolve) => {
    expressOnly.close(() => resolve());
    expressOnly.closeAllConnections();
  });
  await h?.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Send {
  path?: string;
  headers?: Record<string, string>;
  /** Written in these pieces; no Content-Length is sent when `chunked`. */
  chunks?: (string | Buffer)[];
  chunked?: boolean;
  key?: string | null;
}

function send(base: string, s: Send): Promise<Raw> {
  const chunks = s.chunks ?? [];
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...(s.headers ?? {}) };
  const key = s.key === undefined ? h.keys.app : s.key;
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  if (!s.chunked) headers['content-length'] = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  return new Promise((resolve, reject) => {
    const req = request(`${base}${s.path ?? '/v1/applications'}`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

/** What must be equal: status, the headers a client acts on, and the body with per-request values masked. */
function comparable(r: Raw): unknown {
  const body = r.text === '' ? '' : (JSON.parse(r.text) as Record<string, unknown>);
  const mask = (v: unknown): unknown => (typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v) ? '<uuid>' : v);
  const masked = typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, mask(v)])) : body;
  return {
    status: r.status,
    contentType: r.headers['content-type'],
    cacheControl: r.headers['cache-control'],
    wwwAuthenticate: r.headers['www-authenticate'],
    replayed: r.headers['idempotent-replayed'],
    location: typeof r.headers['location'] === 'string' ? r.headers['location'].replace(/[0-9a-f-]{36}$/, '<uuid>') : undefined,
    body: masked,
  };
}

async function same(name: string, s: Send | ((base: string) => Send)): Promise<Raw> {
  const lane = await send(h.url, typeof s === 'function' ? s(h.url) : s);
  const plain = await send(expressUrl, typeof s === 'function' ? s(expressUrl) : s);
  assert.deepEqual(comparable(lane), comparable(plain), `${name}: the lane and express answer differently`);
  return lane;
}

const json = (v: unknown): string => JSON.stringify(v);

test('error answers are identical through the lane and through express', async () => {
  const app = h.application(7);
  const cases: [string, Send, number][] = [
    ['malformed JSON', { chunks: ['{"applicant": '] }, 400],
    ['empty body (read as {})', { chunks: [] }, 400],
    ['whitespace only', { chunks: ['  \n'] }, 400],
    ['a string at the top (strict)', { chunks: ['"hello"'] }, 400],
    ['an array at the top', { chunks: ['[]'] }, 400],
    ['a number at the top', { chunks: [' 12'] }, 400],
    ['unknown field', { chunks: [json({ ...app, surprise: 1 })] }, 400],
    ['declared over 64 KB', { chunks: [json({ pad: 'x'.repeat(70_000) })] }, 413],
    ['chunked over 64 KB', { chunks: [json({ pad: 'x'.repeat(40_000) }), json({ pad: 'y'.repeat(40_000) })], chunked: true }, 413],
    ['no key', { chunks: [json(app)], key: null }, 401],
    ['unknown key', { chunks: [json(app)], key: 'frk_not-a-key' }, 401],
    ['reviewer key', { chunks: [json(app)], key: h.keys.reviewer }, 403],
    ['bad mode', { chunks: [json(app)], path: '/v1/applications?mode=later' }, 400],
    ['mode given twice', { chunks: [json(app)], path: '/v1/applications?mode=async&mode=async' }, 400],
    ['bad idempotency key', { chunks: [json(app)], headers: { 'idempotency-key': 'x'.repeat(500) } }, 400],
    ['callbackUrl without async', { chunks: [json({ ...app, callbackUrl: 'https://lender.example/cb' })] }, 400],
    ['no consent', { chunks: [json({ ...app, consent: false })] }, 422],
    // Not taken by the lane: express answers both listeners.
    ['text/plain', { chunks: [json(app)], headers: { 'content-type': 'text/plain' } }, 400],
    ['gzip body that is not gzip', { chunks: [json(app)], headers: { 'content-encoding': 'gzip' } }, 400],
    ['latin-1 charset', { chunks: [json(app)], headers: { 'content-type': 'application/json; charset=latin1' } }, 400],
  ];
  for (const [name, s, status] of cases) {
    const r = await same(name, s);
    assert.equal(r.status, status, `${name}: ${r.text}`);
    if (status === 401 && s.key === null) assert.equal(r.headers['www-authenticate'], 'Bearer');
  }
});

test('decisions through the lane look exactly like decisions through express', async () => {
  const variants: [string, Send][] = [
    ['plain', { chunks: [json(h.application(11))] }],
    ['charset=UTF-8', { chunks: [json(h.application(12))], headers: { 'content-type': 'Application/JSON; Charset=UTF-8' } }],
    ['byte-order mark', { chunks: ['\ufeff' + json(h.application(13))] }],
    ['split into chunks', { chunks: [json(h.application(14)).slice(0, 50), json(h.application(14)).slice(50)], chunked: true }],
    ['async', { chunks: [json(h.application(15))], path: '/v1/applications?mode=async' }],
    ['trailing slash (express only)', { chunks: [json(h.application(16))], path: '/v1/applications/' }],
  ];
  for (const [name, s] of variants) {
    const lane = await send(h.url, s);
    const plain = await send(expressUrl, s);
    // The same applicant twice may be decided differently (velocity); the shape and headers may not differ.
    const shape = (r: Raw) => {
      const c = comparable(r) as { body: Record<string, unknown> };
      return { ...c, body: Object.keys(c.body).sort() };
    };
    assert.deepEqual(shape(lane), shape(plain), name);
    assert.ok(lane.status === 201 || lane.status === 202, `${name}: ${lane.text}`);
    assert.equal(lane.headers['cache-control'], 'no-store');
    assert.match(String(lane.headers['location']), /^\/v1\/applications\/[0-9a-f-]{36}$/);
  }
});

test('an Idempotency-Key replay through the lane is the stored answer, as through express', async () => {
  const body = json(h.application(21));
  for (const [base, key] of [
    [h.url, 'lane-replay-1'],
    [expressUrl, 'express-replay-1'],
  ] as const) {
    const first = await send(base, { chunks: [body], headers: { 'idempotency-key': key } });
    const again = await send(base, { chunks: [body], headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201, first.text);
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.text, first.text);
  }
  // The same key again from the other listener: one store, one answer.
  const cross = await send(expressUrl, { chunks: [body], headers: { 'idempotency-key': 'lane-replay-1' } });
  const viaLane = await send(h.url, { chunks: [body], headers: { 'idempotency-key': 'lane-replay-1' } });
  assert.equal(cross.text, viaLane.text);
});

test('a client that hangs up mid-body costs nothing and the service stays healthy', async () => {
  await new Promise<void>((resolve) => {
    const req = request(`${h.url}/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': 5000, authorization: `Bearer ${h.keys.app}` },
    });
    req.on('error', () => resolve());
    req.write('{"applicant": {');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 50);
  });
  const after = await send(h.url, { chunks: [json(h.application(31))] });
  assert.equal(after.status, 201, after.text);
  assert.ok(!h.logs.some((l) => l.includes('"level":"error"')), 'an aborted upload is not an error of the service');
});
