import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { createLogger } from '../../common/log.js';
import { tempDir } from '../testing/tiny-model.js';
import {
  CALLBACKS_MIGRATIONS,
  CallbackDispatcher,
  callbackDeliveryRow,
  createCallbackStore,
  signCallback,
  validateCallbackUrl,
  verifyCallbackSignature,
  writeCallbackDeliveries,
} from './index.js';

const SECRET = new Uint8Array(Buffer.from('0123456789abcdef0123456789abcdef'));

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; `respond` picks the status of each request (or null: never answer). */
async function receiver(respond: (n: number) => number | null): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = respond(got.length);
      if (status === null) return; // hang
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/decision?lender=7`,
    got,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const verify = (r: Received) =>
  verifyCallbackSignature(SECRET, r.headers['x-fedrisk-signature'], r.headers['x-fedrisk-timestamp'], r.body, new Date());

describe('callback signatures and URLs', () => {
  const now = 1_800_000_000;
  const body = JSON.stringify({ applicationId: 'a1', decision: 'approve' });

  it('verifies a good signature and refuses tampering, staleness and malformed headers', () => {
    const sig = signCallback(SECRET, now, body);
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body, now), { ok: true });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body, new Date((now + 299) * 1000)), { ok: true });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body.replace('approve', 'reject'), now), { ok: false, reason: 'mismatch' });
    assert.deepEqual(verifyCallbackSignature(new Uint8Array(32), sig, String(now), body, now), { ok: false, reason: 'mismatch' });
    // Moving the timestamp header breaks the MAC; keeping it makes the request stale.
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now + 600), body, now + 600), { ok: false, reason: 'mismatch' });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body, now + 301), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body, now - 301), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, String(now), body, now + 3000, 3600), { ok: true });
    assert.deepEqual(verifyCallbackSignature(SECRET, undefined, String(now), body, now), { ok: false, reason: 'missing' });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig.slice(0, -2), String(now), body, now), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyCallbackSignature(SECRET, sig, '17e8', body, now), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyCallbackSignature(SECRET, [sig, sig], String(now), body, now), { ok: false, reason: 'malformed' });
  });

  it('validates callback URLs naming the field', () => {
    assert.equal(validateCallbackUrl('https://lender.example/hooks?x=1'), 'https://lender.example/hooks?x=1');
    assert.equal(validateCallbackUrl('HTTP://Lender.Example:8080/a'), 'http://lender.example:8080/a');
    for (const bad of ['', 'ftp://x.example/a', 'javascript:alert(1)', '/relative', 'https://user:pw@x.example/', 'https://x.example/' + 'a'.repeat(2048), 7]) {
      assert.throws(
        () => validateCallbackUrl(bad),
        (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.details.field === 'callbackUrl',
      );
    }
  });
});

describe('callback dispatcher', () => {
  const tmp = tempDir('fedrisk-callbacks-');
  const file = tmp.file('callbacks.sqlite');
  let knex: Knex;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: file });
    assert.deepEqual(await migrate(knex, CALLBACKS_MIGRATIONS, 'test_migrations'), ['20261122001320_callback_deliveries']);
  });
  after(async () => {
    for (const c of closers) await c();
    await knex.destroy();
    tmp.cleanup();
  });

  it('retries a receiver that answers 503 twice, then delivers; every attempt is signed, same delivery id', async () => {
    const rx = await receiver((n) => (n <= 2 ? 503 : 200));
    closers.push(rx.close);
    const store = createCallbackStore(knex);
    const d = new CallbackDispatcher({ secret: SECRET, store, baseDelayMs: 10 });
    const payload = { applicationId: 'app-retry', decision: 'approve', grade: 'B', apr: 0.18 };
    const id = await d.enqueue(rx.url, payload);
    await d.drain();
    assert.equal(rx.got.length, 3);
    for (const r of rx.got) {
      assert.deepEqual(verify(r), { ok: true });
      assert.equal(r.headers['x-fedrisk-delivery'], id);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(r.body), payload);
    }
    const row = await store.get(id);
    assert.equal(row?.status, 'delivered');
    assert.equal(row?.attempts, 3);
    assert.equal(row?.lastError, null);
  });

  it('gives up after maxAttempts, logging once without the URL or payload; 4xx is not retried', async () => {
    const rx = await receiver(() => 500);
    closers.push(rx.close);
    const lines: string[] = [];
    const log = createLogger({ level: 'info', sink: (l) => lines.push(l) });
    const store = createCallbackStore(knex);
    const d = new CallbackDispatcher({ secret: SECRET, store, maxAttempts: 3, baseDelayMs: 5, log });
    const id = await d.enqueue(rx.url, { applicationId: 'app-giveup', decision: 'reject', reason: 'overall score below standard' });
    await d.drain();
    assert.equal(rx.got.length, 3);
    const row = await store.get(id);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 3);
    assert.equal(row?.lastError, 'HTTP 500');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /gave up/);
    assert.ok(!lines[0]!.includes('127.0.0.1') && !lines[0]!.includes('overall score'), lines[0]);

    const rx4 = await receiver(() => 410);
    closers.push(rx4.close);
    const id4 = await d.enqueue(rx4.url, { applicationId: 'app-410' });
    await d.drain();
    assert.equal(rx4.got.length, 1);
    assert.equal((await store.get(id4))?.status, 'failed');
  });

  it('times out a receiver that never answers and counts it as a failed attempt', async () => {
    const rx = await receiver(() => null);
    closers.push(rx.close);
    const store = createCallbackStore(knex);
    const d = new CallbackDispatcher({ secret: SECRET, store, maxAttempts: 2, baseDelayMs: 5, timeoutMs: 100 });
    const id = await d.enqueue(rx.url, { applicationId: 'app-timeout' });
    await d.drain();
    const row = await store.get(id);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, 2);
    assert.equal(row?.lastError, 'TimeoutError');
  });

  it('refuses bad URLs at enqueue, naming callbackUrl', async () => {
    const d = new CallbackDispatcher({ secret: SECRET });
    await assert.rejects(d.enqueue('ftp://x.example/', { applicationId: 'a' }), (e: unknown) => e instanceof FedriskError && e.details.field === 'callbackUrl');
  });

  it('resumes pending deliveries after a restart (interrupted retries and rows committed with the decision)', async () => {
    let up = false;
    const rx = await receiver(() => (up ? 200 : 503));
    closers.push(rx.close);

    // Process 1: first attempt fails, the retry is far away; the process stops (as on shutdown or crash).
    const db1 = openKnex({ client: 'sqlite', filename: file });
    const d1 = new CallbackDispatcher({ secret: SECRET, store: createCallbackStore(db1), baseDelayMs: 60_000 });
    const interrupted = await d1.enqueue(rx.url, { applicationId: 'app-resume-1' });
    while (rx.got.length < 1 || (await createCallbackStore(db1).get(interrupted))?.attempts !== 1) await new Promise((r) => setTimeout(r, 5));
    await d1.stop();
    await assert.rejects(d1.enqueue(rx.url, { applicationId: 'late' }), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
    // ...and a delivery the pipeline committed with its decision but never got to dispatch.
    const committed = callbackDeliveryRow(validateCallbackUrl(rx.url), { applicationId: 'app-resume-2', decision: 'review' }, new Date());
    await db1.transaction((trx) => writeCallbackDeliveries(trx, [committed]));
    await db1.destroy();

    // Process 2: the receiver is healthy again.
    up = true;
    const db2 = openKnex({ client: 'sqlite', filename: file });
    closers.push(() => db2.destroy());
    const store2 = createCallbackStore(db2);
    assert.deepEqual((await store2.listPending()).map((p) => p.applicationId), ['app-resume-1', 'app-resume-2']);
    const d2 = new CallbackDispatcher({ secret: SECRET, store: store2, baseDelayMs: 5 });
    assert.equal(await d2.resumePending(), 2);
    assert.equal(await d2.resumePending(), 0); // already running: not started twice
    await d2.drain();
    assert.equal((await store2.get(interrupted))?.status, 'delivered');
    assert.equal((await store2.get(interrupted))?.attempts, 2);
    assert.equal((await store2.get(committed.delivery_id))?.status, 'delivered');
    assert.deepEqual(await store2.listPending(), []);
    const delivered = rx.got.filter((g) => g.headers['x-fedrisk-delivery'] === committed.delivery_id);
    assert.equal(delivered.length, 1);
    assert.deepEqual(verify(delivered[0]!), { ok: true });
    assert.deepEqual(JSON.parse(delivered[0]!.body), { applicationId: 'app-resume-2', decision: 'review' });
  });
});
