import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { APR_CAP_CEILING, resolveAprCap } from '../../decision/policy/apr-cap.js';
import { createReviewHandlers, type ReviewDecisionResult } from '../../decision/reviews/review-handlers.js';
import { REVIEWS_TABLE, reviewRow, type ReviewRecord, type ReviewRow } from '../../decision/reviews/review-row.js';
import { createReviewStore, type ReviewStore } from '../../decision/reviews/review-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const T0 = Date.parse('2026-11-22T08:00:00.000Z');
const aprCap = resolveAprCap();

const pending = (id: string, minute: number, over: { reasonCodes?: string[]; apr?: number | null; limit?: number | null } = {}): ReviewRow =>
  reviewRow(id, { reasonCodes: over.reasonCodes ?? ['R_GREY_ZONE'], proposedApr: over.apr === undefined ? 0.1799 : over.apr, proposedLimit: over.limit === undefined ? 20000.5 : over.limit }, new Date(T0 + minute * 60_000));

/**
 * The manual-review queue on every backend: rows round-trip, the queue lists open cases oldest first, claim and
 * decide go through the compare-and-set, and of two decides racing on two connections exactly one wins.
 */
export const reviewStoreContract: StoreContract = {
  name: 'decision/ReviewStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open, env) {
    let knex: Knex;
    let store: ReviewStore;
    let clock = T0 + 3_600_000;
    const handlers = () => createReviewHandlers(store, { now: () => new Date(clock), leaseMs: 10 * 60_000 });
    const extra: Knex[] = [];
    after(async () => {
      await Promise.all(extra.splice(0).map((k) => k.destroy()));
    });

    before(async () => {
      knex = await open();
      store = createReviewStore(knex);
    });

    it('inserts pending rows and reads them back exactly', async () => {
      const row = pending('app-1', 0, { reasonCodes: ['R_GREY_ZONE', 'D_PROXY', '规则命中'], apr: 0.1 + 0.2 });
      await store.insert([row, pending('app-2', 1, { apr: null, limit: null })]);
      const expected: ReviewRecord = {
        applicationId: 'app-1',
        status: 'pending',
        createdAt: new Date(T0).toISOString(),
        reasonCodes: ['R_GREY_ZONE', 'D_PROXY', '规则命中'],
        proposedApr: 0.1 + 0.2,
        proposedLimit: 20000.5,
        claimedBy: null,
        claimedAt: null,
        decidedBy: null,
        decidedAt: null,
        outcome: null,
        finalApr: null,
        finalLimit: null,
        note: null,
        version: 0,
      };
      assert.deepEqual(await store.get('app-1'), expected);
      assert.deepEqual(await store.get('app-2'), { ...expected, applicationId: 'app-2', createdAt: new Date(T0 + 60_000).toISOString(), reasonCodes: ['R_GREY_ZONE'], proposedApr: null, proposedLimit: null });
      assert.equal(await store.get('app-unknown'), null);
    });

    it('refuses a second row for one application, storing nothing of that insert', async () => {
      await assert.rejects(store.insert([pending('app-3', 2), pending('app-1', 3)]));
      assert.equal(await store.get('app-3'), null);
      const rows = await knex<ReviewRow>(REVIEWS_TABLE).where({ application_id: 'app-1' });
      assert.equal(rows.length, 1);
    });

    it('lists open reviews oldest first with the total, paged', async () => {
      await store.insert([pending('app-5', 5), pending('app-4', 4), pending('app-4b', 4)]);
      const all = await store.listOpen({ limit: 50, offset: 0 });
      assert.deepEqual(all.items.map((r) => r.applicationId), ['app-1', 'app-2', 'app-4', 'app-4b', 'app-5']);
      assert.deepEqual([all.total, all.limit, all.offset], [5, 50, 0]);
      assert.equal(typeof all.total, 'number');
      const page = await handlers().listPending({ limit: 2, offset: 1 });
      assert.deepEqual(page.items.map((r) => r.applicationId), ['app-2', 'app-4']);
      assert.equal(page.total, 5);
    });

    it('transitions only from the expected version', async () => {
      const moved = await store.transition('app-5', 0, { status: 'claimed', claimedBy: 'zoe', claimedAt: new Date(clock).toISOString() });
      assert.deepEqual([moved?.status, moved?.claimedBy, moved?.version], ['claimed', 'zoe', 1]);
      assert.equal(await store.transition('app-5', 0, { status: 'claimed', claimedBy: 'yan' }), null, 'stale version');
      assert.equal(await store.transition('app-nope', 0, { status: 'claimed' }), null);
      assert.deepEqual(await store.get('app-5'), moved);
      const released = await store.transition('app-5', 1, { status: 'pending', claimedBy: null, claimedAt: null });
      assert.deepEqual([released?.status, released?.claimedBy, released?.claimedAt, released?.version], ['pending', null, null, 2]);
    });

    it('claims and decides: APR capped, every column stored, a second decide refused', async () => {
      const h = handlers();
      const claimed = await h.claim('app-1', 'alice');
      assert.deepEqual([claimed.status, claimed.claimedBy, claimed.claimedAt, claimed.version], ['claimed', 'alice', new Date(clock).toISOString(), 1]);
      await assert.rejects(h.claim('app-1', 'bob'), isCode('FAILED_PRECONDITION'));
      await assert.rejects(h.decide('app-1', 'bob', { outcome: 'approve' }, { aprCap }), isCode('FAILED_PRECONDITION'));
      await assert.rejects(h.decide('app-4', 'alice', { outcome: 'approve' }, { aprCap }), isCode('FAILED_PRECONDITION'), 'not claimed');
      clock += 1000;
      const result = await h.decide('app-1', 'alice', { outcome: 'approve', apr: 0.5, creditLimit: 15000, note: '收入核实' }, { aprCap });
      assert.deepEqual(result.applied, { outcome: 'approve', apr: APR_CAP_CEILING, creditLimit: 15000, requestedApr: 0.5, aprCapped: true });
      const decided: ReviewRecord = {
        ...claimed,
        status: 'decided',
        decidedBy: 'alice',
        decidedAt: new Date(clock).toISOString(),
        outcome: 'approve',
        finalApr: APR_CAP_CEILING,
        finalLimit: 15000,
        note: '收入核实',
        version: 2,
      };
      assert.deepEqual(result.review, decided);
      assert.deepEqual(await store.get('app-1'), decided);
      assert.equal(result.auditRecord.apr, APR_CAP_CEILING);
      await assert.rejects(h.decide('app-1', 'alice', { outcome: 'reject' }, { aprCap }), isCode('FAILED_PRECONDITION'));
      await assert.rejects(h.claim('app-1', 'bob'), isCode('FAILED_PRECONDITION'));
      assert.deepEqual(await store.get('app-1'), decided, 'unchanged by the refused calls');
      assert.equal((await store.listOpen({ limit: 50, offset: 0 })).items.some((r) => r.applicationId === 'app-1'), false);
      const released = await h.release((await h.claim('app-2', 'bob')).applicationId, 'bob');
      assert.deepEqual([released.status, released.claimedBy], ['pending', null]);
      await assert.rejects(h.get('app-unknown'), isCode('NOT_FOUND'));
    });

    it('of concurrent decides on two connections exactly one wins and its verdict is the stored one', async () => {
      const config = await env.config();
      const a = openKnex(config);
      extra.push(a);
      await migrate(a, DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE);
      const b = openKnex(config);
      extra.push(b);
      const [storeA, storeB] = [createReviewStore(a), createReviewStore(b)];
      const now = () => new Date(clock);
      const [ha, hb] = [createReviewHandlers(storeA, { now }), createReviewHandlers(storeB, { now })];
      const ids = Array.from({ length: 12 }, (_, i) => `race-${i}`);
      await storeA.insert(ids.map((id, i) => pending(id, i)));
      for (const id of ids) await ha.claim(id, 'carol');
      assert.equal((await hb.get(ids[0]!)).claimedBy, 'carol', 'the second connection sees the claims');

      const races = await Promise.all(
        ids.map((id) =>
          Promise.allSettled([
            ha.decide(id, 'carol', { outcome: 'approve', apr: 0.2, note: 'A' }, { aprCap }),
            hb.decide(id, 'carol', { outcome: 'reject', note: 'B' }, { aprCap }),
          ]),
        ),
      );
      for (const [i, race] of races.entries()) {
        const won = race.filter((r): r is PromiseFulfilledResult<ReviewDecisionResult> => r.status === 'fulfilled');
        const lost = race.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, `${ids[i]}: exactly one decide wins (${lost.map((r) => String(r.reason)).join('; ')})`);
        assert.ok(isCode('FAILED_PRECONDITION')(lost[0]!.reason), String(lost[0]!.reason));
        const stored = await storeB.get(ids[i]!);
        assert.deepEqual(stored, won[0]!.value.review);
        assert.equal(stored?.version, 2);
        assert.equal(stored?.note, won[0]!.value.applied.outcome === 'approve' ? 'A' : 'B');
      }
      assert.equal((await storeA.listOpen({ limit: 50, offset: 0 })).total, 0);
    });
  },
};
