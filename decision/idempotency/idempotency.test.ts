import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { tempDir } from '../testing/tiny-model.js';
import {
  IDEMPOTENCY_MIGRATIONS,
  IDEMPOTENCY_TABLE,
  IdempotencyGate,
  createIdempotencyStore,
  idempotencyKeyHash,
  idempotencyRequestDigest,
  parseIdempotencyKeyHeader,
  validateIdempotencyKey,
  writeIdempotency,
  type IdempotencyRow,
} from './index.js';

const isError = (code: string, field?: string) => (e: unknown) => {
  assert.ok(e instanceof FedriskError, String(e));
  assert.equal(e.code, code);
  if (field !== undefined) assert.equal(e.details.field, field);
  return true;
};

describe('idempotency', () => {
  const tmp = tempDir('fedrisk-idem-');
  let knex: Knex;
  const T0 = new Date('2026-11-22T10:00:00.000Z');
  const digestA = idempotencyRequestDigest({ method: 'POST', path: '/v1/applications', body: { amount: 1000, termMonths: 12 } });
  const digestB = idempotencyRequestDigest({ method: 'POST', path: '/v1/applications', body: { amount: 2000, termMonths: 12 } });

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: tmp.file('idem.sqlite') });
    assert.deepEqual(await migrate(knex, IDEMPOTENCY_MIGRATIONS, 'test_migrations'), ['20261122001310_idempotency_keys']);
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('validates keys: 1..128 printable ASCII, errors name the header', () => {
    assert.equal(validateIdempotencyKey('abc-123_XYZ ~!'), 'abc-123_XYZ ~!');
    assert.equal(validateIdempotencyKey('k'.repeat(128)).length, 128);
    for (const bad of ['', 'k'.repeat(129), 'café', 'tab\there', 'nul\u0000', 42, null]) {
      assert.throws(() => validateIdempotencyKey(bad), isError('INVALID_ARGUMENT', 'Idempotency-Key'));
    }
    assert.equal(parseIdempotencyKeyHeader(undefined), null);
    assert.equal(parseIdempotencyKeyHeader('k1'), 'k1');
    assert.throws(() => parseIdempotencyKeyHeader(['k1', 'k2']), isError('INVALID_ARGUMENT', 'Idempotency-Key'));
  });

  it('key digests are order-insensitive and keys are scoped per API key, stored only hashed', async () => {
    assert.equal(idempotencyRequestDigest({ a: 1, b: [1, 2] }), idempotencyRequestDigest({ b: [1, 2], a: 1 }));
    assert.notEqual(idempotencyKeyHash('key-1', 'k'), idempotencyKeyHash('key-2', 'k'));
    const store = createIdempotencyStore(knex);
    assert.deepEqual(await store.begin('key-1', 'scoped', digestA, T0), { kind: 'new' });
    assert.deepEqual(await store.begin('key-2', 'scoped', digestB, T0), { kind: 'new' });
    const hashes = (await knex(IDEMPOTENCY_TABLE).select('key_hash')) as { key_hash: string }[];
    assert.ok(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.key_hash)));
  });

  it('begin: new, then in_flight, conflict on a different request, replay once completed', async () => {
    const store = createIdempotencyStore(knex, { now: () => T0 });
    assert.deepEqual(await store.begin('app', 'k-basic', digestA, T0), { kind: 'new' });
    assert.deepEqual(await store.begin('app', 'k-basic', digestA, T0), { kind: 'in_flight' });
    const conflict = await store.begin('app', 'k-basic', digestB, T0);
    assert.equal(conflict.kind, 'conflict');
    if (conflict.kind === 'conflict') {
      isError('UNPROCESSABLE', 'Idempotency-Key')(conflict.error);
      assert.equal(conflict.error.message, 'Idempotency-Key was used with a different request');
    }
    await store.complete('app', 'k-basic', 200, { applicationId: 'a1', decision: 'approve' }, { applicationId: 'a1' });
    assert.deepEqual(await store.begin('app', 'k-basic', digestA, T0), {
      kind: 'replay',
      status: 200,
      body: { applicationId: 'a1', decision: 'approve' },
      applicationId: 'a1',
    });
    assert.equal((await store.begin('app', 'k-basic', digestB, T0)).kind, 'conflict');
    await assert.rejects(store.complete('app', 'never-begun', 200, {}), isError('NOT_FOUND', 'Idempotency-Key'));
  });

  it('awaitResult waits for an in-flight request, times out with 409, and takes over an abandoned one', async () => {
    const store = createIdempotencyStore(knex);
    const now = new Date();
    assert.equal((await store.begin('app', 'k-wait', digestA, now)).kind, 'new');
    setTimeout(() => void store.complete('app', 'k-wait', 201, { ok: true }), 60);
    const settled = await store.awaitResult('app', 'k-wait', digestA, 2000, 10);
    assert.deepEqual(settled, { kind: 'replay', status: 201, body: { ok: true }, applicationId: null });

    assert.equal((await store.begin('app', 'k-slow', digestA, now)).kind, 'new');
    const started = Date.now();
    await assert.rejects(store.awaitResult('app', 'k-slow', digestA, 80, 10), isError('FAILED_PRECONDITION', 'Idempotency-Key'));
    assert.ok(Date.now() - started >= 75);

    setTimeout(() => void store.abandon('app', 'k-slow'), 30);
    assert.deepEqual(await store.awaitResult('app', 'k-slow', digestA, 2000, 10), { kind: 'new' });
  });

  it('expired keys are treated as new and purged', async () => {
    const ttlMs = 60_000;
    const store = createIdempotencyStore(knex, { ttlMs, inFlightTtlMs: 5_000, now: () => T0 });
    assert.equal((await store.begin('app', 'k-exp', digestA, T0)).kind, 'new');
    await store.complete('app', 'k-exp', 200, { n: 1 });
    assert.equal((await store.begin('app', 'k-exp', digestB, new Date(T0.getTime() + ttlMs - 1))).kind, 'conflict');
    // A crashed in-flight claim blocks its key only for inFlightTtlMs.
    assert.equal((await store.begin('app', 'k-crash', digestA, T0)).kind, 'new');
    assert.equal((await store.begin('app', 'k-crash', digestA, new Date(T0.getTime() + 4_999))).kind, 'in_flight');
    assert.equal((await store.begin('app', 'k-crash', digestA, new Date(T0.getTime() + 5_000))).kind, 'new');

    const later = new Date(T0.getTime() + ttlMs + 10_000);
    const count = async (): Promise<number> => Number(((await knex(IDEMPOTENCY_TABLE).count({ n: '*' })) as { n: number }[])[0]!.n);
    const before = await count();
    const purged = await store.purgeExpired(later);
    assert.ok(purged >= 2, `purged ${purged}`);
    assert.equal(await count(), before - purged);
    assert.deepEqual(await store.lookup('app', 'k-exp', digestB, later), { kind: 'new' });
    assert.equal((await store.begin('app', 'k-exp', digestB, later)).kind, 'new');
  });

  it('gate: concurrent duplicates coalesce onto one promise; a different request with the key conflicts', async () => {
    const store = createIdempotencyStore(knex);
    const gate = new IdempotencyGate({ store });
    let calls = 0;
    const handler = async (): Promise<{ status: number; body: unknown; applicationId: string }> => {
      calls++;
      await new Promise((r) => setTimeout(r, 40));
      return { status: 200, body: { applicationId: 'app-co', decision: 'approve' }, applicationId: 'app-co' };
    };
    const req = { apiKeyId: 'app', key: 'k-co', requestDigest: digestA };
    const runs = Array.from({ length: 5 }, () => gate.run(req, handler));
    const conflicting = gate.run({ ...req, requestDigest: digestB }, handler);
    assert.equal(gate.inFlightCount, 1);
    await assert.rejects(conflicting, isError('UNPROCESSABLE', 'Idempotency-Key'));
    const results = await Promise.all(runs);
    assert.equal(calls, 1);
    assert.equal(results.filter((r) => !r.replayed).length, 1);
    for (const r of results) assert.deepEqual({ status: r.status, body: r.body }, { status: 200, body: { applicationId: 'app-co', decision: 'approve' } });
    assert.equal(gate.inFlightCount, 0);

    // After the fact (another process, or after a restart): the store replays, the handler is not called.
    const again = await new IdempotencyGate({ store }).run(req, handler);
    assert.equal(calls, 1);
    assert.equal(again.replayed, true);
    assert.deepEqual(again.body, { applicationId: 'app-co', decision: 'approve' });
    await assert.rejects(new IdempotencyGate({ store }).run({ ...req, requestDigest: digestB }, handler), isError('UNPROCESSABLE', 'Idempotency-Key'));
  });

  it('gate: a failing handler fails its duplicates too and leaves the key free for a retry', async () => {
    const store = createIdempotencyStore(knex);
    const gate = new IdempotencyGate({ store });
    const req = { apiKeyId: 'app', key: 'k-fail', requestDigest: digestA };
    let calls = 0;
    const failing = async (): Promise<{ status: number; body: unknown }> => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      throw new FedriskError('UNAVAILABLE', 'store busy');
    };
    const both = await Promise.allSettled([gate.run(req, failing), gate.run(req, failing)]);
    assert.equal(calls, 1);
    assert.ok(both.every((s) => s.status === 'rejected' && isError('UNAVAILABLE')(s.reason)));
    const ok = await gate.run(req, async () => ({ status: 200, body: { second: true } }));
    assert.equal(ok.replayed, false);
    assert.deepEqual(ok.body, { second: true });
  });

  it('gate + group commit: the response is stored in the decision transaction, so a replay never re-decides', async () => {
    await knex.schema.createTable('fake_decisions', (t) => {
      t.string('id').primary();
    });
    const store = createIdempotencyStore(knex);
    const decide = (id: string, crash: boolean) => async (ctx: { row(r: { status: number; body: unknown }, a?: string | null): IdempotencyRow }) => {
      const response = { status: 200, body: { applicationId: id } };
      await knex.transaction(async (trx) => {
        await trx('fake_decisions').insert({ id });
        await writeIdempotency(trx, [ctx.row(response, id)]);
        if (crash) throw new Error('crash before commit');
      });
      return { ...response, applicationId: id, stored: true };
    };
    const req = { apiKeyId: 'app', key: 'k-gc', requestDigest: digestA };
    await assert.rejects(new IdempotencyGate({ store }).run(req, decide('d1', true)), /crash before commit/);
    assert.equal(((await knex('fake_decisions').select('id')) as unknown[]).length, 0);
    const first = await new IdempotencyGate({ store }).run(req, decide('d2', false));
    assert.deepEqual(first, { status: 200, body: { applicationId: 'd2' }, replayed: false });
    const replay = await new IdempotencyGate({ store }).run(req, decide('d3', false));
    assert.deepEqual(replay, { status: 200, body: { applicationId: 'd2' }, replayed: true });
    assert.deepEqual(await knex('fake_decisions').select('id'), [{ id: 'd2' }]);
    const row = (await knex(IDEMPOTENCY_TABLE).where({ key_hash: idempotencyKeyHash('app', 'k-gc') }).first()) as IdempotencyRow;
    assert.equal(row.status, 'done');
    assert.equal(row.application_id, 'd2');
  });

  it('gate without durable in-flight claims writes nothing until the response; clearInFlight drops stale claims', async () => {
    const store = createIdempotencyStore(knex);
    const gate = new IdempotencyGate({ store, durableInFlight: false });
    const req = { apiKeyId: 'app', key: 'k-light', requestDigest: digestA };
    const hash = idempotencyKeyHash('app', 'k-light');
    const r = await gate.run(req, async () => {
      assert.equal(await knex(IDEMPOTENCY_TABLE).where({ key_hash: hash }).first(), undefined);
      return { status: 202, body: { status: 'reviewing' } };
    });
    assert.equal(r.replayed, false);
    assert.equal((await gate.run(req, async () => assert.fail('must replay'))).replayed, true);

    assert.equal((await store.begin('app', 'k-stale', digestA, new Date())).kind, 'new');
    assert.ok((await store.clearInFlight()) >= 1);
    assert.equal((await store.begin('app', 'k-stale', digestA, new Date())).kind, 'new');
  });
});
