/**
 * The wire, for real: the coordinator's gRPC server with its SQLite store and blind CKKS aggregator, and the node's
 * gRPC client. Covers authentication, chunked streaming both ways, the size limit enforced mid-stream, corrupt and
 * foreign ciphertexts, and an encrypted sum that decrypts to the plaintext sum.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { FedriskError, type ErrorCode } from '../common/errors.js';
import { silentLogger } from '../common/log.js';
import { buildJobSpec, statsRoundLength } from '../common/job-spec.js';
import { joinParts, splitPayload } from '../common/payload.js';
import { SCHEMA_FORMAT, type FeatureSchema } from '../common/schema/index.js';
import { CkksCipher, createCkksContext, generateSecretKey, DEFAULT_CKKS_PARAMS, type CkksContext } from '../common/he/index.js';
import { loadProtos } from '../protos/index.js';
import {
  CkksSumAggregator,
  CoordinatorService,
  KnexCoordinatorStore,
  hashToken,
  startCoordinatorServer,
  type CoordinatorServerHandle,
} from '../coordinator/index.js';
import { CoordinatorClient } from '../node/index.js';

const schema: FeatureSchema = {
  format: SCHEMA_FORMAT,
  name: 'wire',
  version: 1,
  label: { column: 'y', bad: '1', good: ['0'] },
  features: [{ name: 'a', kind: 'numeric', scale: 100, missing: 'mean' }],
};
const TOKEN = 'wire-test-join-token-0123456789';

let server: CoordinatorServerHandle;
let store: KnexCoordinatorStore;
let ctx: CkksContext;
let cipher: CkksCipher;
const clients: { client: CoordinatorClient; memberId: string; token: string }[] = [];
let epoch = 0;

async function rejects(p: Promise<unknown>, code: ErrorCode, re?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof FedriskError, String(err));
    assert.equal(err.code, code, err.message);
    if (re) assert.match(err.message, re);
    return true;
  });
}

const ref = (memberId: string, round = 0, keyEpoch = epoch) => ({ consortiumId: 'wire', jobId: 'wire-job', round, memberId, keyEpoch });

before(async () => {
  ctx = await createCkksContext(DEFAULT_CKKS_PARAMS);
  cipher = new CkksCipher(ctx, generateSecretKey(ctx));
  store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: join(mkdtempSync(join(tmpdir(), 'fedrisk-wire-')), 'c.sqlite') });
  const service = new CoordinatorService(
    store,
    new CkksSumAggregator(ctx),
    {
      consortiumId: 'wire',
      joinTokenHash: hashToken(TOKEN),
      minMembers: 3,
      minContributors: 3,
      allowTwoPartyAggregation: false,
      roundTimeoutMs: 60_000,
      keyingTimeoutMs: 60_000,
      job: buildJobSpec('wire-job', schema, { rounds: 1 }),
      ckks: DEFAULT_CKKS_PARAMS,
    },
    silentLogger,
  );
  await service.start();
  server = await startCoordinatorServer(service, { host: '127.0.0.1', port: 0 }, silentLogger);
  for (let i = 0; i < 3; i++) {
    // Small chunks, so every update crosses the wire as many messages.
    const client = new CoordinatorClient(server.address, 30_000, 4096);
    const res = await client.join({ consortiumId: 'wire', joinToken: TOKEN, memberName: `bank-${i}`, sealPublicKey: randomBytes(32) });
    client.setToken(res.memberToken);
    clients.push({ client, memberId: res.memberId, token: res.memberToken });
  }
  const plan = await clients[0]!.client.getPlan('wire', clients[0]!.memberId);
  epoch = plan.keyEpoch;
  await clients[0]!.client.publishEnvelopes({
    consortiumId: 'wire',
    memberId: clients[0]!.memberId,
    keyEpoch: epoch,
    keyFingerprint: 'ef'.repeat(16),
    envelopes: clients.slice(1).map((c) => ({ recipientMemberId: c.memberId, sealed: randomBytes(64) })),
  });
  for (const c of clients.slice(1)) {
    const env = await c.client.fetchEnvelope('wire', c.memberId, epoch);
    assert.equal(env.sealed.length, 64);
    await c.client.ackKeys('wire', c.memberId, epoch, 'ef'.repeat(16));
  }
});

after(async () => {
  for (const c of clients) c.client.close();
  await server.close();
  await store.close();
  cipher.dispose();
});

test('calls without a valid member token or join token are refused', async () => {
  const anon = new CoordinatorClient(server.address);
  try {
    await rejects(anon.getPlan('wire', clients[0]!.memberId), 'UNAUTHENTICATED');
    anon.setToken(`${clients[0]!.memberId}.not-the-secret`);
    await rejects(anon.getPlan('wire', clients[0]!.memberId), 'UNAUTHENTICATED');
    await rejects(anon.join({ consortiumId: 'wire', joinToken: 'nope-nope-nope-nope', memberName: 'x', sealPublicKey: randomBytes(32) }), 'UNAUTHENTICATED');
  } finally {
    anon.close();
  }
  // A member cannot speak for another member.
  await rejects(clients[0]!.client.getPlan('wire', clients[1]!.memberId), 'PERMISSION_DENIED');
});

test('an update beyond the round maximum is refused, even when its header lies about the size', async () => {
  const plan = await clients[0]!.client.getPlan('wire', clients[0]!.memberId);
  assert.equal(plan.phase, 'JOB_PHASE_ROUND_OPEN');
  const max = Number(plan.maxUpdateBytes);
  const huge = randomBytes(max + 1);
  await rejects(clients[0]!.client.submitUpdate(ref(clients[0]!.memberId), 'ckks', [huge.length], huge), 'PAYLOAD_TOO_LARGE');

  // Raw stream: announce 1000 bytes, then keep sending: refused mid-stream.
  const { training } = loadProtos();
  const raw = new training.Training(server.address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  const me = clients[0]!;
  md.set('authorization', `Bearer ${me.token}`);
  const err = await new Promise<grpc.ServiceError | null>((resolve) => {
    const call = raw.SubmitUpdate(md, (e) => resolve(e));
    call.on('error', () => undefined);
    call.write({ header: { ref: ref(me.memberId), encoding: 'ckks', ciphertextSizes: [1000], totalBytes: 1000 } });
    for (let i = 0; i < 64; i++) call.write({ data: randomBytes(4096) });
    call.end();
  });
  raw.close();
  assert.ok(err);
  assert.equal(err.code, grpc.status.RESOURCE_EXHAUSTED, err.details);
});

test('a corrupt ciphertext and a wrong ciphertext count are refused before they are stored', async () => {
  const me = clients[1]!;
  const good = cipher.encryptVector(new Array<number>(statsRoundLength(buildJobSpec('x', schema))).fill(1))[0]!;
  const corrupt = Uint8Array.from(good);
  corrupt.fill(0x5a, 40, 400);
  await rejects(me.client.submitUpdate(ref(me.memberId), 'ckks', [corrupt.length], corrupt), 'INVALID_ARGUMENT');
  const two = joinParts([good, good]);
  await rejects(me.client.submitUpdate(ref(me.memberId), 'ckks', two.sizes, two.payload), 'INVALID_ARGUMENT', /takes 1 ciphertext/);
  await rejects(me.client.submitUpdate(ref(me.memberId, 0, epoch + 1), 'ckks', [good.length], good), 'FAILED_PRECONDITION', /stale key epoch/);
  await rejects(me.client.submitUpdate(ref(me.memberId, 1), 'ckks', [good.length], good), 'FAILED_PRECONDITION', /not open/);
  assert.deepEqual(await store.listContributors('wire-job', 0), []);
});

test('a ciphertext made under other CKKS parameters is refused', async () => {
  const other = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [50, 50], scaleBits: 30 });
  const foreign = new CkksCipher(other, generateSecretKey(other));
  try {
    const ct = foreign.encryptVector([1, 2, 3])[0]!;
    await rejects(clients[2]!.client.submitUpdate(ref(clients[2]!.memberId), 'ckks', [ct.length], ct), 'INVALID_ARGUMENT');
  } finally {
    foreign.dispose();
  }
});

test('three encrypted updates, streamed in 4 KB chunks, sum to the plaintext sum; a replay is refused', async () => {
  const length = statsRoundLength(buildJobSpec('x', schema));
  const vectors = clients.map((_, i) => Array.from({ length }, (_, j) => (i + 1) * 10.5 + j * 0.25));
  for (const [i, c] of clients.entries()) {
    const { payload, sizes } = joinParts(cipher.encryptVector(vectors[i]!));
    const res = await c.client.submitUpdate(ref(c.memberId), 'ckks', sizes, payload);
    assert.equal(res.contributorsSoFar, i + 1);
  }
  const again = joinParts(cipher.encryptVector(vectors[0]!));
  await rejects(clients[0]!.client.submitUpdate(ref(clients[0]!.memberId), 'ckks', again.sizes, again.payload), 'FAILED_PRECONDITION');
  const agg = await clients[2]!.client.fetchAggregate(ref(clients[2]!.memberId));
  assert.equal(agg.header.contributors, 3);
  const sum = cipher.decryptVector(splitPayload(agg.payload, agg.header.ciphertextSizes), length);
  for (let j = 0; j < length; j++) {
    const want = vectors.reduce((a, v) => a + v[j]!, 0);
    assert.ok(Math.abs(sum[j]! - want) < 1e-6, `slot ${j}: ${sum[j]} vs ${want}`);
  }
  const plan = await clients[0]!.client.getPlan('wire', clients[0]!.memberId);
  assert.equal(plan.releasedRound, 0);
  assert.equal(plan.round, 1);
});
