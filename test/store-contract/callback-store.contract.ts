import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import {
  CALLBACK_DELIVERIES_TABLE,
  callbackDeliveryRow,
  createCallbackStore,
  writeCallbackDeliveries,
  type CallbackDelivery,
  type CallbackDeliveryRow,
  type CallbackStore,
} from '../../decision/callbacks/callback-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const T0 = Date.parse('2026-11-22T11:00:00.000Z');
const at = (s: number): Date => new Date(T0 + s * 1000);
const URL_ = 'https://lender.example.com/hooks/decision?tenant=7';

const payload = (applicationId: string, extra: Record<string, unknown> = {}) => ({ applicationId, outcome: 'approve', apr: 0.1799, creditLimit: 20000, ...extra });

/** The delivery `get` must return for a row. */
const deliveryOf = (r: CallbackDeliveryRow): CallbackDelivery => ({
  deliveryId: r.delivery_id,
  applicationId: r.application_id,
  url: r.url,
  body: r.payload_json,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * The callback outbox on every backend: deliveries round-trip with the exact body text, attempts and status are
 * recorded, and the pending ones come back oldest first (ties by delivery id) so a restart resumes them in order.
 */
export const callbackStoreContract: StoreContract = {
  name: 'decision/CallbackStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let store: CallbackStore;
    before(async () => {
      knex = await open();
      store = createCallbackStore(knex);
    });

    it('inserts a delivery and reads it back exactly, body text included', async () => {
      const row = callbackDeliveryRow(URL_, payload('app-1', { note: 'ünïcødé 审批', nested: { a: [1, 2.5, null] } }), at(0));
      await store.insert(row);
      const got = await store.get(row.delivery_id);
      assert.deepEqual(got, deliveryOf(row));
      assert.equal(got?.body, JSON.stringify(payload('app-1', { note: 'ünïcødé 审批', nested: { a: [1, 2.5, null] } })));
      assert.equal(got?.attempts, 0);
      assert.equal(await store.get(randomUUID()), null);
      await assert.rejects(store.insert(row), 'the same delivery id twice');
    });

    it('writes many deliveries in a transaction; a duplicate id rolls the whole transaction back', async () => {
      const rows = Array.from({ length: 60 }, (_, i) => callbackDeliveryRow(URL_, payload(`app-batch-${i % 7}`), at(10 + i)));
      await knex.transaction((trx) => writeCallbackDeliveries(trx, rows));
      for (const r of [rows[0]!, rows[49]!, rows[50]!, rows[59]!]) assert.deepEqual(await store.get(r.delivery_id), deliveryOf(r));
      const extra = callbackDeliveryRow(URL_, payload('app-extra'), at(100));
      await assert.rejects(knex.transaction((trx) => writeCallbackDeliveries(trx, [extra, rows[3]!])));
      assert.equal(await store.get(extra.delivery_id), null);
      const forApp = await store.listForApplication('app-batch-3');
      assert.deepEqual(forApp, rows.filter((r) => r.application_id === 'app-batch-3').map(deliveryOf));
    });

    it('records attempts, errors (bounded) and the final status', async () => {
      const row = callbackDeliveryRow(URL_, payload('app-2'), at(200));
      await store.insert(row);
      await store.update(row.delivery_id, { status: 'pending', attempts: 1, lastError: 'HTTP 503', now: at(201) });
      assert.deepEqual(await store.get(row.delivery_id), { ...deliveryOf(row), attempts: 1, lastError: 'HTTP 503', updatedAt: at(201).toISOString() });
      await store.update(row.delivery_id, { status: 'pending', attempts: 2, lastError: 'E'.repeat(2000), now: at(202) });
      assert.equal((await store.get(row.delivery_id))?.lastError, 'E'.repeat(500));
      await store.update(row.delivery_id, { status: 'delivered', attempts: 3, lastError: null, now: at(203) });
      const done = await store.get(row.delivery_id);
      assert.deepEqual(done, { ...deliveryOf(row), status: 'delivered', attempts: 3, lastError: null, updatedAt: at(203).toISOString() });
      assert.equal(typeof done?.attempts, 'number');
      const failed = callbackDeliveryRow(URL_, payload('app-3'), at(204));
      await store.insert(failed);
      await store.update(failed.delivery_id, { status: 'failed', attempts: 8, lastError: 'HTTP 410', now: at(205) });
      assert.equal((await store.get(failed.delivery_id))?.status, 'failed');
    });

    it('lists pending deliveries oldest first, ties by delivery id, up to the limit', async () => {
      const db = await open();
      const s = createCallbackStore(db);
      const ids = Array.from({ length: 6 }, () => randomUUID());
      const rows = [
        callbackDeliveryRow(URL_, payload('p-late'), at(50), ids[0]),
        callbackDeliveryRow(URL_, payload('p-tie-a'), at(10), ids[1]),
        callbackDeliveryRow(URL_, payload('p-tie-b'), at(10), ids[2]),
        callbackDeliveryRow(URL_, payload('p-first'), at(5), ids[3]),
        callbackDeliveryRow(URL_, payload('p-done'), at(1), ids[4]),
        callbackDeliveryRow(URL_, payload('p-failed'), at(2), ids[5]),
      ];
      await writeCallbackDeliveries(db, rows);
      await s.update(ids[4]!, { status: 'delivered', attempts: 1, lastError: null, now: at(60) });
      await s.update(ids[5]!, { status: 'failed', attempts: 8, lastError: 'HTTP 404', now: at(60) });
      const tie = [rows[1]!, rows[2]!].sort((x, y) => (x.delivery_id < y.delivery_id ? -1 : 1));
      const expected = [rows[3]!, ...tie, rows[0]!].map(deliveryOf);
      assert.deepEqual(await s.listPending(), expected);
      assert.deepEqual(await s.listPending(2), expected.slice(0, 2));
      await s.update(ids[3]!, { status: 'pending', attempts: 1, lastError: 'timeout', now: at(70) });
      assert.deepEqual((await s.listPending()).map((d) => d.deliveryId), expected.map((d) => d.deliveryId), 'a retry keeps its place');
      const stored = await db<CallbackDeliveryRow>(CALLBACK_DELIVERIES_TABLE).where({ status: 'pending' }).count({ n: '*' });
      assert.equal(Number((stored[0] as { n: number | string }).n), 4);
    });
  },
};
