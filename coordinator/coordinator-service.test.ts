import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FedriskError, type ErrorCode } from '../common/errors.js';
import { silentLogger } from '../common/log.js';
import { buildJobSpec, statsRoundLength, trainRoundLength } from '../common/job-spec.js';
import { bytesToFloat64, float64ToBytes } from '../common/payload.js';
import { SCHEMA_FORMAT, type FeatureSchema } from '../common/schema/index.js';
import { CoordinatorService } from './coordinator-service.js';
import { hashToken, validateCoordinatorConfig, type CoordinatorConfig } from './coordinator-config.js';
import { KnexCoordinatorStore } from './store/knex-coordinator-store.js';
import { PlainSumAggregator } from './aggregation/plain-sum-aggregator.js';
import type { MemberRow } from './store/coordinator-store.js';
import type { UpdateHeaderInput } from './coordinator-types.js';

const schema: FeatureSchema = {
  format: SCHEMA_FORMAT,
  name: 'tiny',
  version: 1,
  label: { column: 'y', bad: '1', good: ['0'] },
  features: [
    { name: 'a', kind: 'numeric', scale: 10, missing: 'mean' },
    { name: 'c', kind: 'categorical', levels: ['x', 'y'], missing: 'level' },
  ],
};
const CKKS = { polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 40 };
const TOKEN = 'join-token-for-tests-0123456789';

interface Harness {
  service: CoordinatorService;
  store: KnexCoordinatorStore;
  clock: { t: number };
  config: CoordinatorConfig;
  dbFile: string;
}

async function harness(overrides: Partial<CoordinatorConfig> = {}, dbFile?: string): Promise<Harness> {
  const file = dbFile ?? join(mkdtempSync(join(tmpdir(), 'fedrisk-coord-')), 'c.sqlite');
  const store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: file });
  const clock = { t: Date.parse('2026-11-22T00:00:00Z') };
  const config: CoordinatorConfig = {
    consortiumId: 'test',
    joinTokenHash: hashToken(TOKEN),
    minMembers: 3,
    minContributors: 3,
    allowTwoPartyAggregation: false,
    roundTimeoutMs: 60_000,
    keyingTimeoutMs: 60_000,
    job: buildJobSpec('job-1', schema, { rounds: 2, encrypted: false }),
    ckks: CKKS,
    ...overrides,
  };
  const service = new CoordinatorService(store, new PlainSumAggregator(), config, silentLogger, () => clock.t);
  await service.start();
  return { service, store, clock, config, dbFile: file };
}

async function rejects(p: Promise<unknown>, code: ErrorCode, re?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof FedriskError, `expected FedriskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (re) assert.match(err.message, re);
    return true;
  });
}

async function joinMembers(h: Harness, n: number): Promise<{ member: MemberRow; token: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: `bank-${i + 1}`, sealPublicKey: randomBytes(32) });
    out.push({ member: await h.service.authenticate(r.memberToken), token: r.memberToken });
  }
  return out;
}

/** Runs keying with opaque envelopes: the coordinator only relays bytes it cannot open. */
async function keyAll(h: Harness, members: { member: MemberRow }[]): Promise<number> {
  const plan = await h.service.getPlan(members[0]!.member, 'test', members[0]!.member.id);
  assert.equal(plan.phase, 'KEYING');
  assert.equal(plan.keyHolder, true);
  await h.service.publishEnvelopes(members[0]!.member, {
    consortiumId: 'test',
    memberId: members[0]!.member.id,
    keyEpoch: plan.keyEpoch,
    keyFingerprint: 'ab'.repeat(16),
    envelopes: members.slice(1).map((m) => ({ recipientMemberId: m.member.id, sealed: randomBytes(100) })),
  });
  for (const m of members.slice(1)) await h.service.ackKeys(m.member, 'test', m.member.id, plan.keyEpoch, 'ab'.repeat(16));
  return plan.keyEpoch;
}

function header(member: MemberRow, round: number, epoch: number, bytes: number, jobId = 'job-1'): UpdateHeaderInput {
  return { ref: { consortiumId: 'test', jobId, round, memberId: member.id, keyEpoch: epoch }, encoding: 'plain-f64', ciphertextSizes: [bytes], totalBytes: bytes };
}

async function submit(h: Harness, member: MemberRow, round: number, epoch: number, values: number[]) {
  const payload = float64ToBytes(values);
  return h.service.submitUpdate(member, header(member, round, epoch, payload.byteLength), payload);
}

test('join: the token, consortium and key are checked; the first member holds the key; re-join rotates the token', async () => {
  const h = await harness();
  await rejects(h.service.join({ consortiumId: 'test', joinToken: 'wrong-token-wrong-token', memberName: 'x', sealPublicKey: randomBytes(32) }), 'UNAUTHENTICATED');
  await rejects(h.service.join({ consortiumId: 'other', joinToken: TOKEN, memberName: 'x', sealPublicKey: randomBytes(32) }), 'PERMISSION_DENIED');
  await rejects(h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'x', sealPublicKey: randomBytes(31) }), 'INVALID_ARGUMENT', /32-byte/);
  await rejects(h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'bad name!', sealPublicKey: randomBytes(32) }), 'INVALID_ARGUMENT');
  const key = randomBytes(32);
  const a = await h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'a', sealPublicKey: key });
  const b = await h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'b', sealPublicKey: randomBytes(32) });
  assert.equal(a.keyHolder, true);
  assert.equal(b.keyHolder, false);
  await rejects(h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'a', sealPublicKey: randomBytes(32) }), 'ALREADY_EXISTS');
  const again = await h.service.join({ consortiumId: 'test', joinToken: TOKEN, memberName: 'a', sealPublicKey: key });
  assert.equal(again.memberId, a.memberId);
  await rejects(h.service.authenticate(a.memberToken), 'UNAUTHENTICATED');
  assert.equal((await h.service.authenticate(again.memberToken)).id, a.memberId);
  await rejects(h.service.authenticate(undefined), 'UNAUTHENTICATED');
  await rejects(h.service.authenticate(`${a.memberId}.forged`), 'UNAUTHENTICATED');
  await h.store.close();
});

test('a full job: keying, statistics round, training rounds; aggregates are the sums', async () => {
  const h = await harness();
  const ms = await joinMembers(h, 3);
  const epoch = await keyAll(h, ms);
  let plan = await h.service.getPlan(ms[1]!.member, 'test', ms[1]!.member.id);
  assert.equal(plan.phase, 'ROUND_OPEN');
  assert.equal(plan.kind, 'STATS');
  assert.equal(plan.vectorLength, statsRoundLength(h.config.job));
  const len = plan.vectorLength;
  for (const [i, m] of ms.entries()) await submit(h, m.member, 0, epoch, new Array<number>(len).fill(i + 1));
  const stats = await h.service.fetchAggregate(ms[0]!.member, { consortiumId: 'test', jobId: 'job-1', round: 0, memberId: ms[0]!.member.id, keyEpoch: epoch });
  assert.deepEqual([...bytesToFloat64(stats.payload)], new Array<number>(len).fill(6));
  assert.equal(stats.contributors, 3);
  for (const round of [1, 2]) {
    plan = await h.service.getPlan(ms[0]!.member, 'test', ms[0]!.member.id);
    assert.equal(plan.round, round);
    assert.equal(plan.vectorLength, trainRoundLength(h.config.job));
    for (const m of ms) await submit(h, m.member, round, epoch, new Array<number>(plan.vectorLength).fill(round));
  }
  plan = await h.service.getPlan(ms[2]!.member, 'test', ms[2]!.member.id);
  assert.equal(plan.phase, 'COMPLETED');
  assert.equal(plan.releasedRound, 2);
  await h.store.close();
});

test('updates for a wrong round, a stale key epoch, a replay, too many bytes or a foreign job are refused', async () => {
  const h = await harness();
  const ms = await joinMembers(h, 3);
  const epoch = await keyAll(h, ms);
  const m = ms[0]!.member;
  const len = statsRoundLength(h.config.job);
  const good = float64ToBytes(new Array<number>(len).fill(1));
  await rejects(h.service.submitUpdate(m, header(m, 1, epoch, good.byteLength), good), 'FAILED_PRECONDITION', /round 1 is not open/);
  await rejects(h.service.submitUpdate(m, header(m, 0, epoch + 1, good.byteLength), good), 'FAILED_PRECONDITION', /stale key epoch/);
  await rejects(h.service.submitUpdate(m, header(m, 0, epoch, good.byteLength, 'job-2'), good), 'FAILED_PRECONDITION', /job-2/);
  const big = float64ToBytes(new Array<number>(len + 1).fill(1));
  await rejects(h.service.submitUpdate(m, header(m, 0, epoch, big.byteLength), big), 'PAYLOAD_TOO_LARGE');
  await rejects(h.service.submitUpdate(m, { ...header(m, 0, epoch, good.byteLength), encoding: 'ckks' }, good), 'INVALID_ARGUMENT', /encoding/);
  const other = ms[1]!.member;
  await rejects(h.service.submitUpdate(other, header(m, 0, epoch, good.byteLength), good), 'PERMISSION_DENIED');
  await submit(h, m, 0, epoch, new Array<number>(len).fill(1));
  await rejects(submit(h, m, 0, epoch, new Array<number>(len).fill(1)), 'ALREADY_EXISTS', /replay/);
  await rejects(
    h.service.fetchAggregate(m, { consortiumId: 'test', jobId: 'job-1', round: 0, memberId: m.id, keyEpoch: epoch }),
    'FAILED_PRECONDITION',
    /no released aggregate/,
  );
  await h.store.close();
});

test('an aggregate of fewer than 3 contributions is never released', async () => {
  const h = await harness();
  const ms = await joinMembers(h, 3);
  const epoch = await keyAll(h, ms);
  const len = statsRoundLength(h.config.job);
  await submit(h, ms[0]!.member, 0, epoch, new Array<number>(len).fill(1));
  await submit(h, ms[1]!.member, 0, epoch, new Array<number>(len).fill(2));
  h.clock.t += 61_000;
  await h.service.tick();
  const plan = await h.service.getPlan(ms[0]!.member, 'test', ms[0]!.member.id);
  assert.equal(plan.phase, 'FAILED');
  assert.match(plan.statusMessage, /2 of 3 contributions; at least 3 are required/);
  await rejects(
    h.service.fetchAggregate(ms[0]!.member, { consortiumId: 'test', jobId: 'job-1', round: 0, memberId: ms[0]!.member.id, keyEpoch: epoch }),
    'FAILED_PRECONDITION',
  );
  assert.equal(await h.store.getAggregate('job-1', 0), null);
  await h.store.close();
});

test('a node that dies is data: with 4 participants, 3 contributions release the round at its deadline', async () => {
  const h = await harness({ minMembers: 4 });
  const ms = await joinMembers(h, 4);
  const epoch = await keyAll(h, ms);
  const len = statsRoundLength(h.config.job);
  for (const m of ms.slice(0, 3)) await submit(h, m.member, 0, epoch, new Array<number>(len).fill(1));
  let plan = await h.service.getPlan(ms[0]!.member, 'test', ms[0]!.member.id);
  assert.equal(plan.round, 0, 'waits for the fourth until the deadline');
  h.clock.t += 61_000;
  plan = await h.service.getPlan(ms[0]!.member, 'test', ms[0]!.member.id);
  assert.equal(plan.releasedRound, 0);
  assert.equal(plan.round, 1);
  const agg = await h.service.fetchAggregate(ms[0]!.member, { consortiumId: 'test', jobId: 'job-1', round: 0, memberId: ms[0]!.member.id, keyEpoch: epoch });
  assert.equal(agg.contributors, 3);
  await h.store.close();
});

test('only the key holder publishes envelopes, covering every other participant once', async () => {
  const h = await harness();
  const ms = await joinMembers(h, 3);
  const plan = await h.service.getPlan(ms[1]!.member, 'test', ms[1]!.member.id);
  const base = { consortiumId: 'test', keyEpoch: plan.keyEpoch, keyFingerprint: 'cd'.repeat(16) };
  await rejects(
    h.service.publishEnvelopes(ms[1]!.member, { ...base, memberId: ms[1]!.member.id, envelopes: [{ recipientMemberId: ms[0]!.member.id, sealed: randomBytes(8) }] }),
    'PERMISSION_DENIED',
  );
  await rejects(
    h.service.publishEnvelopes(ms[0]!.member, { ...base, memberId: ms[0]!.member.id, envelopes: [{ recipientMemberId: ms[1]!.member.id, sealed: randomBytes(8) }] }),
    'INVALID_ARGUMENT',
    /missing 1/,
  );
  await rejects(h.service.ackKeys(ms[1]!.member, 'test', ms[1]!.member.id, plan.keyEpoch, 'cd'.repeat(16)), 'FAILED_PRECONDITION');
  await h.store.close();
});

test('a restarted coordinator resumes the stored job where it was', async () => {
  const h = await harness();
  const ms = await joinMembers(h, 3);
  const epoch = await keyAll(h, ms);
  const len = statsRoundLength(h.config.job);
  await submit(h, ms[0]!.member, 0, epoch, new Array<number>(len).fill(1));
  await h.store.close();
  const h2 = await harness({}, h.dbFile);
  const m1 = await h2.service.authenticate(ms[1]!.token);
  const plan = await h2.service.getPlan(m1, 'test', m1.id);
  assert.equal(plan.phase, 'ROUND_OPEN');
  assert.equal(plan.round, 0);
  const m0 = await h2.service.authenticate(ms[0]!.token);
  assert.equal((await h2.service.getPlan(m0, 'test', m0.id)).alreadySubmitted, true);
  await h2.store.close();
});

test('two-party aggregation needs its explicit setting; fewer than 2 never', () => {
  const base = {
    consortiumId: 'test',
    joinTokenHash: hashToken(TOKEN),
    minMembers: 2,
    allowTwoPartyAggregation: false,
    roundTimeoutMs: 1000,
    keyingTimeoutMs: 1000,
    job: buildJobSpec('j', schema),
    ckks: CKKS,
  };
  assert.throws(() => validateCoordinatorConfig({ ...base, minContributors: 2 }, silentLogger), /allow-two-party-aggregation/);
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
  validateCoordinatorConfig({ ...base, minContributors: 2, allowTwoPartyAggregation: true }, log);
  assert.match(warnings.join(' '), /TWO-PARTY/);
  assert.throws(() => validateCoordinatorConfig({ ...base, minContributors: 1, allowTwoPartyAggregation: true }, silentLogger), FedriskError);
});
