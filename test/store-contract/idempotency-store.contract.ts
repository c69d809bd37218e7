import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import {
  IDEMPOTENCY_TABLE,
  idempotencyKeyHash,
  idempotencyRequestDigest,
  idempotencyRow,
  writeIdempotency,
  type IdempotencyRow,
} from '../../decision/idempotency/idempotency-row.js';
import { createIdempotencyStore, type BeginResult, type IdempotencyStore } from '../../decision/idempotency/idempotency-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const T0 = Date.parse('2026-11-22T09:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);
const IN_FLIGHT_TTL = 60_000;
const TTL = 3_600_000;

const digest = (amount: number): string => idempotencyRequestDigest({ method: 'POST', path: '/v1/applications', body: { amount } });
const body = { applicationId: '0b5f4a38-6b7e-4d47-9a3f-2c1d0e9f8a7b', outcome: 'approve', apr: 0.1799, reasons: ['好'] };

/**
 * `Idempotency-Key` records on every backend: claim, replay, conflict, completion, expiry and purge, the group-commit
 * upsert over an in-flight claim, and concurrent claims of one key (parallel connections on PostgreSQL).
 */
export const idempotencyStoreContract: StoreContract = {
  name: 'decision/IdempotencyStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let store: IdempotencyStore;
    let clock = T0;
    const raw = async (apiKeyId: string, key: string): Promise<IdempotencyRow | undefined> =>
      knex<IdempotencyRow>(IDEMPOTENCY_TABLE).where({ key_hash: idempotencyKeyHash(apiKeyId, key) }).first();

    before(async () => {
      knex = await open();
      store = createIdempotencyStore(knex, { ttlMs: TTL, inFlightTtlMs: IN_FLIGHT_TTL, now: () => new Date(clock) });
    });

    it('claims a new key, reports it in flight, completes it and replays the stored answer', async () => {
      assert.deepEqual(await store.lookup('lender-1', 'k-1', digest(1), at(0)), { kind: 'new' });
      assert.equal(await raw('lender-1', 'k-1'), undefined, 'lookup writes nothing');
      assert.deepEqual(await store.begin('lender-1', 'k-1', digest(1), at(0)), { kind: 'new' });
      assert.deepEqual(await raw('lender-1', 'k-1'), {
        key_hash: idempotencyKeyHash('lender-1', 'k-1'),
        request_digest: digest(1),
        application_id: null,
        status: 'in_flight',
        response_status: null,
        response_json: null,
        created_at: at(0).toISOString(),
        expires_at: at(IN_FLIGHT_TTL).toISOString(),
      });
      assert.deepEqual(await store.begin('lender-1', 'k-1', digest(1), at(10)), { kind: 'in_flight' });
      clock = T0 + 20;
      await store.complete('lender-1', 'k-1', 201, body, { applicationId: body.applicationId });
      const replay: BeginResult = { kind: 'replay', status: 201, body, applicationId: body.applicationId };
      assert.deepEqual(await store.begin('lender-1', 'k-1', digest(1), at(30)), replay);
      assert.deepEqual(await store.lookup('lender-1', 'k-1', digest(1), at(30)), replay);
      const row = await raw('lender-1', 'k-1');
      assert.deepEqual([row?.status, row?.response_status, row?.created_at, row?.expires_at], ['done', 201, at(0).toISOString(), at(20 + TTL).toISOString()]);
      assert.equal(typeof row?.response_status, 'number');
    });

    it('reports a conflict for the same key with a different request, and scopes keys per API key', async () => {
      const conflict = await store.begin('lender-1', 'k-1', digest(2), at(40));
      assert.equal(conflict.kind, 'conflict');
      assert.ok(conflict.kind === 'conflict' && isCode('UNPROCESSABLE')(conflict.error));
      assert.deepEqual(await store.begin('lender-2', 'k-1', digest(2), at(40)), { kind: 'new' }, 'another lender, another key');
      await assert.rejects(store.begin('lender-1', '', digest(1), at(40)), isCode('INVALID_ARGUMENT'));
    });

    it('completes only a live claim; abandon drops an in-flight claim but never a done one', async () => {
      await assert.rejects(store.complete('lender-1', 'never-begun', 200, {}), isCode('NOT_FOUND'));
      assert.deepEqual(await store.begin('lender-1', 'k-abandon', digest(1), at(0)), { kind: 'new' });
      await store.abandon('lender-1', 'k-abandon');
      assert.equal(await raw('lender-1', 'k-abandon'), undefined);
      assert.deepEqual(await store.begin('lender-1', 'k-abandon', digest(1), at(1)), { kind: 'new' });
      await store.abandon('lender-1', 'k-1');
      assert.equal((await raw('lender-1', 'k-1'))?.status, 'done');
    });

    it('treats an expired claim as absent and purges expired rows only', async () => {
      const db = await open();
      const s = createIdempotencyStore(db, { ttlMs: TTL, inFlightTtlMs: IN_FLIGHT_TTL, now: () => at(0) });
      assert.deepEqual(await s.begin('l', 'stale', digest(1), at(0)), { kind: 'new' });
      assert.equal((await s.begin('l', 'stale', digest(2), at(IN_FLIGHT_TTL - 1))).kind, 'conflict', 'a live claim still guards the key');
      assert.deepEqual(await s.begin('l', 'stale', digest(2), at(IN_FLIGHT_TTL)), { kind: 'new' }, 'an expired claim is taken over');
      assert.deepEqual(await s.lookup('l', 'stale', digest(2), at(IN_FLIGHT_TTL + 1)), { kind: 'in_flight' });
      assert.deepEqual(await s.begin('l', 'done', digest(1), at(0)), { kind: 'new' });
      await s.complete('l', 'done', 200, { ok: true });
      assert.deepEqual(await s.begin('l', 'young', digest(1), at(TTL)), { kind: 'new' });
      // Expiries: stale at 2*IN_FLIGHT_TTL, done at TTL, young at TTL + IN_FLIGHT_TTL.
      assert.equal(await s.purgeExpired(at(IN_FLIGHT_TTL)), 0);
      assert.equal(await s.purgeExpired(at(TTL)), 2);
      const left = await db<IdempotencyRow>(IDEMPOTENCY_TABLE).select('key_hash');
      assert.deepEqual(left.map((r) => r.key_hash), [idempotencyKeyHash('l', 'young')]);
      assert.deepEqual(await s.lookup('l', 'done', digest(1), at(TTL)), { kind: 'new' });
      assert.equal(await s.clearInFlight(), 1);
      assert.equal(await s.purgeExpired(at(10 * TTL)), 0);
    });

    it('writeIdempotency upserts completed rows in a transaction: over an in-flight claim (created_at kept) and fresh keys', async () => {
      assert.deepEqual(await store.begin('lender-3', 'k-w', digest(7), at(0)), { kind: 'new' });
      const done = idempotencyRow('lender-3', 'k-w', { requestDigest: digest(7), response: { status: 200, body }, applicationId: body.applicationId, now: at(500), ttlMs: TTL });
      const fresh = idempotencyRow('lender-3', 'k-fresh', { requestDigest: digest(8), response: { status: 422, body: { error: 'x' } }, now: at(500) });
      await knex.transaction((trx) => writeIdempotency(trx, [done, fresh]));
      assert.deepEqual(await raw('lender-3', 'k-w'), { ...done, created_at: at(0).toISOString() });
      assert.deepEqual(await raw('lender-3', 'k-fresh'), fresh);
      assert.deepEqual(await store.begin('lender-3', 'k-w', digest(7), at(600)), { kind: 'replay', status: 200, body, applicationId: body.applicationId });
      assert.deepEqual(await store.begin('lender-3', 'k-fresh', digest(8), at(600)), { kind: 'replay', status: 422, body: { error: 'x' }, applicationId: null });
      const again = idempotencyRow('lender-3', 'k-w', { requestDigest: digest(7), response: { status: 200, body: { second: true } }, now: at(900) });
      await writeIdempotency(knex, [again]);
      assert.deepEqual(await raw('lender-3', 'k-w'), { ...again, created_at: at(0).toISOString() });
      await store.save({ ...again, response_status: 201 });
      assert.equal((await raw('lender-3', 'k-w'))?.response_status, 201);
    });

    it('of concurrent claims of one key exactly one owns it', async () => {
      for (const key of ['race-1', 'race-2', 'race-3']) {
        const results = await Promise.all(Array.from({ length: 8 }, () => store.begin('lender-4', key, digest(9), at(0))));
        assert.deepEqual(
          results.map((r) => r.kind).sort(),
          ['in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'in_flight', 'new'],
        );
      }
    });
  },
};
