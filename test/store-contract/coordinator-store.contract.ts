import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type {
  AggregateRow,
  CoordinatorStore,
  JobRow,
  KeyEnvelopeRow,
  MemberRow,
  RoundRow,
  UpdateRow,
} from '../../coordinator/store/coordinator-store.js';
import { COORDINATOR_MIGRATIONS, KnexCoordinatorStore } from '../../coordinator/store/knex-coordinator-store.js';
import type { StoreContract } from './contract.js';

const bytes = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
/** Every byte value, twice, including NUL and 0xff: what a text-ish path would mangle. */
const ALL_BYTES = new Uint8Array(512).map((_, i) => i % 256);

const member = (i: number, over: Partial<MemberRow> = {}): MemberRow => ({
  id: `m-${i}`,
  consortiumId: 'c-1',
  name: `bank-${i}`,
  sealPublicKey: bytes(32),
  tokenHash: 'a'.repeat(64),
  joinOrder: i,
  status: 'active',
  joinedAt: `2026-11-22T00:00:0${i}.000Z`,
  ...over,
});

const job = (over: Partial<JobRow> = {}): JobRow => ({
  id: 'job-1',
  specJson: JSON.stringify({ rounds: 3, note: 'ünïcødé \u0000 inside JSON is escaped' }),
  phase: 'WAITING_MEMBERS',
  keyEpoch: 0,
  participants: [],
  currentRound: 0,
  releasedRound: 0,
  keyingDeadline: null,
  failedReason: null,
  createdAt: '2026-11-22T00:00:00.000Z',
  updatedAt: '2026-11-22T00:00:00.000Z',
  ...over,
});

const round = (r: number, over: Partial<RoundRow> = {}): RoundRow => ({
  jobId: 'job-1',
  round: r,
  kind: r === 1 ? 'STATS' : 'TRAIN',
  status: 'open',
  openedAt: '2026-11-22T00:01:00.000Z',
  deadlineAt: '2026-11-22T00:02:00.000Z',
  closedAt: null,
  contributors: 0,
  ...over,
});

const update = (r: number, memberId: string, payload: Uint8Array, sizes = [payload.byteLength]): UpdateRow => ({
  jobId: 'job-1',
  round: r,
  memberId,
  keyEpoch: 1,
  encoding: 'ckks',
  sizes,
  payload,
  receivedAt: '2026-11-22T00:01:30.000Z',
});

export const coordinatorStoreContract: StoreContract = {
  name: 'coordinator/KnexCoordinatorStore',
  migrations: COORDINATOR_MIGRATIONS,
  migrationsTable: 'coordinator_migrations',
  database: 'coordinator',
  suite(_open, env) {
    let store: CoordinatorStore;
    before(async () => {
      store = await KnexCoordinatorStore.open(await env.config());
    });
    after(async () => {
      await store.close();
    });

    it('members: insert, read by id and by name, list in join order, rotate token, unique name', async () => {
      const ms = [member(2), member(1), member(3, { status: 'revoked' })];
      for (const m of ms) await store.insertMember(m);
      assert.deepEqual(await store.listMembers(), [ms[1], ms[0], ms[2]]);
      assert.deepEqual(await store.getMember('m-2'), ms[0]);
      assert.deepEqual(await store.getMemberByName('bank-3'), ms[2]);
      assert.equal(await store.getMember('m-9'), null);
      assert.equal(await store.getMemberByName('bank-9'), null);
      await store.updateMemberToken('m-1', 'b'.repeat(64));
      assert.equal((await store.getMember('m-1'))?.tokenHash, 'b'.repeat(64));
      await assert.rejects(store.insertMember(member(4, { name: 'bank-1' })));
      assert.equal((await store.listMembers()).length, 3);
    });

    it('jobs: insert, update (participants, nullable fields), latest by creation time', async () => {
      assert.equal(await store.latestJob(), null);
      const j = job();
      await store.insertJob(j);
      assert.deepEqual(await store.getJob('job-1'), j);
      const keyed: JobRow = { ...j, phase: 'KEYING', keyEpoch: 1, participants: ['m-1', 'm-2'], keyingDeadline: '2026-11-22T00:05:00.000Z', updatedAt: '2026-11-22T00:00:01.000Z' };
      await store.updateJob(keyed);
      assert.deepEqual(await store.getJob('job-1'), keyed);
      const older = job({ id: 'job-0', createdAt: '2026-11-21T00:00:00.000Z', phase: 'FAILED', failedReason: 'keying timed out' });
      await store.insertJob(older);
      assert.deepEqual(await store.getJob('job-0'), older);
      assert.deepEqual(await store.latestJob(), keyed);
      assert.equal(await store.getJob('nope'), null);
      await assert.rejects(store.insertJob(j), 'duplicate job id');
    });

    it('key envelopes and acks: byte-exact, counted as a number, acks idempotent', async () => {
      const envs: KeyEnvelopeRow[] = ['m-1', 'm-2'].map((r) => ({
        keyEpoch: 1,
        recipientMemberId: r,
        sealed: r === 'm-1' ? ALL_BYTES : bytes(1500),
        keyFingerprint: 'f'.repeat(64),
        sealedByMemberId: 'm-1',
        createdAt: '2026-11-22T00:00:02.000Z',
      }));
      await store.putEnvelopes(envs);
      await store.putEnvelopes([]);
      assert.deepEqual(await store.getEnvelope(1, 'm-1'), envs[0]);
      assert.deepEqual(await store.getEnvelope(1, 'm-2'), envs[1]);
      assert.equal(await store.getEnvelope(2, 'm-1'), null);
      const n = await store.countEnvelopes(1);
      assert.equal(typeof n, 'number');
      assert.equal(n, 2);
      assert.equal(await store.countEnvelopes(7), 0);
      await assert.rejects(store.putEnvelopes([envs[0]!]), 'one envelope per epoch and recipient');
      await store.putAck(1, 'm-2', '2026-11-22T00:00:03.000Z');
      await store.putAck(1, 'm-2', '2026-11-22T00:00:04.000Z');
      await store.putAck(1, 'm-1', '2026-11-22T00:00:05.000Z');
      assert.deepEqual((await store.listAcks(1)).sort(), ['m-1', 'm-2']);
      assert.deepEqual(await store.listAcks(2), []);
    });

    it('rounds: insert, update, get, list in round order', async () => {
      await store.insertRound(round(2));
      await store.insertRound(round(1));
      const released = round(1, { status: 'released', closedAt: '2026-11-22T00:01:50.000Z', contributors: 2 });
      await store.updateRound(released);
      assert.deepEqual(await store.getRound('job-1', 1), released);
      assert.equal(await store.getRound('job-1', 3), null);
      assert.deepEqual(await store.listRounds('job-1'), [released, round(2)]);
      assert.deepEqual(await store.listRounds('job-0'), []);
      await assert.rejects(store.insertRound(round(2)));
    });

    it('updates: binary payloads round-trip byte-exact (all byte values, views, empty, several MB)', async () => {
      const big = bytes(6 * 1024 * 1024 + 7);
      const backing = bytes(4096);
      const view = backing.subarray(1000, 3000); // a view into a larger buffer: only its own bytes are stored
      const rows = [
        update(2, 'm-1', ALL_BYTES, [256, 256]),
        update(2, 'm-2', view),
        update(2, 'm-3', big, [big.byteLength - 7, 7]),
        update(1, 'm-1', new Uint8Array(0), []),
      ];
      for (const u of rows) await store.insertUpdate(u);
      const got = await store.listUpdates('job-1', 2);
      assert.deepEqual(got.map((u) => u.memberId), ['m-1', 'm-2', 'm-3']);
      assert.deepEqual(got[0], rows[0]);
      assert.deepEqual(got[1], { ...rows[1]!, payload: new Uint8Array(view) });
      assert.equal(got[2]!.payload.byteLength, big.byteLength);
      assert.ok(Buffer.from(got[2]!.payload).equals(Buffer.from(big)), 'several-MB payload byte-exact');
      assert.ok(got.every((u) => u.payload instanceof Uint8Array));
      assert.deepEqual(await store.listUpdates('job-1', 1), [rows[3]]);
      assert.deepEqual(await store.listUpdates('job-1', 9), []);
      assert.deepEqual((await store.listContributors('job-1', 2)).sort(), ['m-1', 'm-2', 'm-3']);
      assert.deepEqual(await store.listUpdateSizes('job-1'), [
        { round: 1, memberId: 'm-1', sizes: [] },
        { round: 2, memberId: 'm-1', sizes: [256, 256] },
        { round: 2, memberId: 'm-2', sizes: [2000] },
        { round: 2, memberId: 'm-3', sizes: [big.byteLength - 7, 7] },
      ]);
      await assert.rejects(store.insertUpdate(update(2, 'm-1', bytes(8))), 'one update per member and round');
      assert.deepEqual((await store.listUpdates('job-1', 2))[0], rows[0], 'the refused duplicate changed nothing');
    });

    it('aggregates: insert and read back byte-exact; one per round', async () => {
      const agg: AggregateRow = { jobId: 'job-1', round: 1, encoding: 'ckks', sizes: [512], payload: ALL_BYTES, contributors: 3, releasedAt: '2026-11-22T00:01:50.000Z' };
      await store.insertAggregate(agg);
      assert.deepEqual(await store.getAggregate('job-1', 1), agg);
      assert.equal(await store.getAggregate('job-1', 2), null);
      await assert.rejects(store.insertAggregate({ ...agg, payload: bytes(4) }));
      assert.deepEqual(await store.getAggregate('job-1', 1), agg);
    });

    it('metrics: upsert per (job, round, member, name), doubles exact, listed in order', async () => {
      await store.putMetrics([
        { jobId: 'job-1', round: 2, memberId: 'm-2', name: 'auc', value: 0.75, holdoutRows: 100 },
        { jobId: 'job-1', round: 1, memberId: 'm-1', name: 'auc', value: 0.1 + 0.2, holdoutRows: 100 },
        { jobId: 'job-1', round: 1, memberId: 'm-1', name: 'ks', value: -1e-300, holdoutRows: 100 },
      ]);
      await store.putMetrics([]);
      await store.putMetrics([{ jobId: 'job-1', round: 2, memberId: 'm-2', name: 'auc', value: 0.8125, holdoutRows: 120 }]);
      assert.deepEqual(await store.listMetrics('job-1'), [
        { jobId: 'job-1', round: 1, memberId: 'm-1', name: 'auc', value: 0.1 + 0.2, holdoutRows: 100 },
        { jobId: 'job-1', round: 1, memberId: 'm-1', name: 'ks', value: -1e-300, holdoutRows: 100 },
        { jobId: 'job-1', round: 2, memberId: 'm-2', name: 'auc', value: 0.8125, holdoutRows: 120 },
      ]);
      assert.deepEqual(await store.listMetrics('job-0'), []);
    });

    it('transaction: commits together, and a throw rolls every write back', async () => {
      const agg: AggregateRow = { jobId: 'job-1', round: 2, encoding: 'ckks', sizes: [3], payload: bytes(3), contributors: 3, releasedAt: '2026-11-22T00:02:50.000Z' };
      const result = await store.transaction(async (tx) => {
        await tx.insertAggregate(agg);
        await tx.updateRound(round(2, { status: 'released', contributors: 3 }));
        assert.deepEqual(await tx.getAggregate('job-1', 2), agg, 'a transaction reads its own writes');
        return 42;
      });
      assert.equal(result, 42);
      assert.deepEqual(await store.getAggregate('job-1', 2), agg);
      assert.equal((await store.getRound('job-1', 2))?.status, 'released');

      await store.insertRound(round(3));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insertAggregate({ ...agg, round: 3 });
          await tx.updateRound(round(3, { status: 'released' }));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.getAggregate('job-1', 3), null);
      assert.equal((await store.getRound('job-1', 3))?.status, 'open');

      // A database error inside the transaction rolls back too, and the store stays usable afterwards.
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.updateRound(round(3, { status: 'failed' }));
          await tx.insertAggregate(agg); // duplicate (job-1, 2)
        }),
      );
      assert.equal((await store.getRound('job-1', 3))?.status, 'open');
      assert.deepEqual(await store.getAggregate('job-1', 2), agg);
    });

    it('a nested transaction runs inside the outer one', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.transaction(async (inner) => inner.updateRound(round(3, { status: 'failed' })));
          throw new Error('outer fails');
        }),
        /outer fails/,
      );
      assert.equal((await store.getRound('job-1', 3))?.status, 'open');
    });

    it('reopens on the same database with everything kept (migrations already applied)', async () => {
      const config = await env.config();
      const a = await KnexCoordinatorStore.open(config);
      await a.insertMember(member(1));
      await a.close();
      const b = await KnexCoordinatorStore.open(config);
      try {
        assert.deepEqual((await b.listMembers()).map((m) => m.id), ['m-1']);
      } finally {
        await b.close();
      }
    });
  },
};
