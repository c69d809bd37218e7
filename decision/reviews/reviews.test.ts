import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { resolveAprCap } from '../policy/apr-cap.js';
import { tempDir } from '../testing/tiny-model.js';
import {
  REVIEWS_MIGRATIONS,
  createReviewHandlers,
  createReviewStore,
  reviewRow,
  validateReviewDecision,
  validateReviewPage,
  writeReviews,
  type ReviewHandlers,
} from './index.js';

const CAP = resolveAprCap();

const isError = (code: string, field?: string, text?: string) => (e: unknown) => {
  assert.ok(e instanceof FedriskError, String(e));
  assert.equal(e.code, code, e.message);
  if (field !== undefined) assert.equal(e.details.field, field);
  if (text !== undefined) assert.ok(e.message.includes(text), e.message);
  return true;
};

describe('review queue', () => {
  const tmp = tempDir('fedrisk-reviews-');
  const file = tmp.file('reviews.sqlite');
  let knex: Knex;
  let handlers: ReviewHandlers;
  let clock = new Date('2026-11-22T09:00:00.000Z');
  const tick = (ms: number) => (clock = new Date(clock.getTime() + ms));
  let seq = 0;

  const enqueue = async (proposal: Partial<Parameters<typeof reviewRow>[1]> = {}): Promise<string> => {
    const id = `app-${++seq}`;
    const row = reviewRow(id, { reasonCodes: ['GREY_ZONE_E'], proposedApr: 0.24, proposedLimit: 5000, ...proposal }, clock);
    await knex.transaction((trx) => writeReviews(trx, [row]));
    tick(1000);
    return id;
  };

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: file });
    assert.deepEqual(await migrate(knex, REVIEWS_MIGRATIONS, 'test_migrations'), ['20261122001300_reviews']);
    handlers = createReviewHandlers(createReviewStore(knex), { now: () => clock });
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('writes pending rows in the caller transaction: rolled back with it, committed with it', async () => {
    const row = reviewRow('app-tx', { reasonCodes: ['RULE_CLUSTER'], proposedApr: 0.2, proposedLimit: 1000 }, clock);
    await assert.rejects(
      knex.transaction(async (trx) => {
        await writeReviews(trx, [row]);
        throw new Error('decision write failed');
      }),
      /decision write failed/,
    );
    await assert.rejects(handlers.get('app-tx'), isError('NOT_FOUND', 'applicationId'));
    await knex.transaction((trx) => writeReviews(trx, [row]));
    const r = await handlers.get('app-tx');
    assert.equal(r.status, 'pending');
    assert.deepEqual(r.reasonCodes, ['RULE_CLUSTER']);
    assert.equal(r.version, 0);
    assert.throws(() => reviewRow('x', { reasonCodes: [''], proposedApr: 0.1, proposedLimit: 1 }, clock), isError('INVALID_ARGUMENT', 'reasonCodes'));
    assert.throws(() => reviewRow('x', { reasonCodes: [], proposedApr: Number.NaN, proposedLimit: 1 }, clock), isError('INVALID_ARGUMENT', 'proposedApr'));
    assert.throws(() => reviewRow('x', { reasonCodes: [], proposedApr: 0.1, proposedLimit: -1 }, clock), isError('INVALID_ARGUMENT', 'proposedLimit'));
    assert.throws(() => reviewRow('', { reasonCodes: [], proposedApr: 0.1, proposedLimit: 1 }, clock), isError('INVALID_ARGUMENT', 'applicationId'));
  });

  it('round trip: pending -> claim -> approve with an APR override above the cap -> capped and reported', async () => {
    const id = await enqueue({ reasonCodes: ['GREY_ZONE_E', 'HIGH_FREQUENCY'] });
    const listed = await handlers.listPending({ limit: 500 });
    const mine = listed.items.find((r) => r.applicationId === id);
    assert.equal(mine?.status, 'pending');
    assert.deepEqual(mine?.reasonCodes, ['GREY_ZONE_E', 'HIGH_FREQUENCY']);

    const claimed = await handlers.claim(id, 'reviewer-1');
    assert.equal(claimed.status, 'claimed');
    assert.equal(claimed.claimedBy, 'reviewer-1');
    assert.equal(claimed.claimedAt, clock.toISOString());

    const note = '收入证明已核实 / income verified by phone';
    const result = await handlers.decide(id, 'reviewer-1', { outcome: 'approve', creditLimit: 8000, apr: 0.5, note }, { aprCap: CAP });
    assert.deepEqual(result.applied, { outcome: 'approve', apr: CAP, creditLimit: 8000, requestedApr: 0.5, aprCapped: true });
    assert.equal(result.review.status, 'decided');
    assert.equal(result.review.outcome, 'approve');
    assert.equal(result.review.finalApr, CAP);
    assert.equal(result.review.finalLimit, 8000);
    assert.equal(result.review.decidedBy, 'reviewer-1');
    assert.equal(result.review.note, note);
    assert.deepEqual(result.auditRecord, {
      type: 'review-decision',
      applicationId: id,
      reviewerId: 'reviewer-1',
      outcome: 'approve',
      apr: CAP,
      creditLimit: 8000,
      aprCapped: true,
      noteDigest: createHash('sha256').update(note, 'utf8').digest('hex'),
      decidedAt: clock.toISOString(),
    });
    assert.ok(!JSON.stringify(result.auditRecord).includes('income'));
    assert.deepEqual(await handlers.get(id), result.review);
    assert.ok(!(await handlers.listPending({ limit: 500 })).items.some((r) => r.applicationId === id));
    await assert.rejects(handlers.decide(id, 'reviewer-1', { outcome: 'reject' }, { aprCap: CAP }), isError('FAILED_PRECONDITION', 'applicationId', 'already decided'));
    await assert.rejects(handlers.claim(id, 'reviewer-2'), isError('FAILED_PRECONDITION', 'applicationId', 'already decided'));
  });

  it('approve without overrides applies the proposal, re-capped under a lowered cap; reject carries no price', async () => {
    const plain = await enqueue({ proposedApr: 0.3, proposedLimit: 4200 });
    await handlers.claim(plain, 'reviewer-1');
    const r1 = await handlers.decide(plain, 'reviewer-1', { outcome: 'approve' }, { aprCap: resolveAprCap(0.24) });
    assert.deepEqual(r1.applied, { outcome: 'approve', apr: 0.24, creditLimit: 4200, requestedApr: 0.3, aprCapped: true });
    assert.equal(r1.auditRecord.noteDigest, null);

    const under = await enqueue({ proposedApr: 0.18 });
    await handlers.claim(under, 'reviewer-1');
    const r2 = await handlers.decide(under, 'reviewer-1', { outcome: 'approve', apr: 0.2 }, { aprCap: CAP });
    assert.deepEqual(r2.applied, { outcome: 'approve', apr: 0.2, creditLimit: 5000, requestedApr: 0.2, aprCapped: false });

    const rej = await enqueue();
    await handlers.claim(rej, 'reviewer-1');
    const r3 = await handlers.decide(rej, 'reviewer-1', { outcome: 'reject', note: 'docs forged' }, { aprCap: CAP });
    assert.deepEqual(r3.applied, { outcome: 'reject', apr: null, creditLimit: null, requestedApr: null, aprCapped: false });
    assert.equal(r3.review.finalApr, null);

    const unpriced = await enqueue({ proposedApr: null, proposedLimit: null });
    await handlers.claim(unpriced, 'reviewer-1');
    await assert.rejects(handlers.decide(unpriced, 'reviewer-1', { outcome: 'approve', apr: 0.2 }, { aprCap: CAP }), isError('INVALID_ARGUMENT', 'creditLimit'));
    await assert.rejects(handlers.decide(unpriced, 'reviewer-1', { outcome: 'approve', creditLimit: 100 }, { aprCap: CAP }), isError('INVALID_ARGUMENT', 'apr'));
    const ok = await handlers.decide(unpriced, 'reviewer-1', { outcome: 'approve', creditLimit: 0, apr: 9 }, { aprCap: CAP });
    assert.equal(ok.applied.apr, CAP);
    assert.equal(ok.applied.creditLimit, 0);
  });

  it('a claim held by someone else is refused naming who; the holder may renew; an expired lease is taken over', async () => {
    const id = await enqueue();
    await assert.rejects(handlers.decide(id, 'reviewer-1', { outcome: 'reject' }, { aprCap: CAP }), isError('FAILED_PRECONDITION', 'applicationId', 'must be claimed'));
    await handlers.claim(id, 'alice');
    await assert.rejects(handlers.claim(id, 'bob'), (e: unknown) => {
      isError('FAILED_PRECONDITION', 'applicationId', 'claimed by alice')(e);
      assert.equal((e as FedriskError).details['claimedBy'], 'alice');
      return true;
    });
    await assert.rejects(handlers.decide(id, 'bob', { outcome: 'approve' }, { aprCap: CAP }), isError('FAILED_PRECONDITION', 'applicationId', 'claimed by alice'));
    await assert.rejects(handlers.release(id, 'bob'), isError('FAILED_PRECONDITION', 'applicationId', 'claimed by alice'));

    tick(20 * 60 * 1000);
    const renewed = await handlers.claim(id, 'alice');
    assert.equal(renewed.claimedAt, clock.toISOString());
    tick(29 * 60 * 1000);
    await assert.rejects(handlers.claim(id, 'bob'), isError('FAILED_PRECONDITION', 'applicationId', 'claimed by alice'));
    tick(2 * 60 * 1000);
    const taken = await handlers.claim(id, 'bob');
    assert.equal(taken.claimedBy, 'bob');
    await assert.rejects(handlers.decide(id, 'alice', { outcome: 'approve' }, { aprCap: CAP }), isError('FAILED_PRECONDITION', 'applicationId', 'claimed by bob'));
    const released = await handlers.release(id, 'bob');
    assert.equal(released.status, 'pending');
    assert.equal(released.claimedBy, null);
    assert.equal((await handlers.claim(id, 'carol')).claimedBy, 'carol');

    const short = createReviewHandlers(createReviewStore(knex), { now: () => clock, leaseMs: 1000 });
    const other = await enqueue();
    await short.claim(other, 'alice');
    tick(1001);
    assert.equal((await short.claim(other, 'bob')).claimedBy, 'bob');
    await assert.rejects(handlers.claim('no-such-app', 'alice'), isError('NOT_FOUND', 'applicationId'));
  });

  it('concurrent decides: exactly one wins (same connection and across two connections)', async () => {
    const other = openKnex({ client: 'sqlite', filename: file });
    try {
      const handlers2 = createReviewHandlers(createReviewStore(other), { now: () => clock });
      for (let round = 0; round < 10; round++) {
        const id = await enqueue();
        await handlers.claim(id, 'reviewer-1');
        const second = round % 2 === 0 ? handlers : handlers2;
        const settled = await Promise.allSettled([
          handlers.decide(id, 'reviewer-1', { outcome: 'approve', creditLimit: 1000 }, { aprCap: CAP }),
          second.decide(id, 'reviewer-1', { outcome: 'reject' }, { aprCap: CAP }),
        ]);
        const won = settled.filter((s) => s.status === 'fulfilled');
        const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        assert.equal(won.length, 1, `round ${round}`);
        assert.equal(lost.length, 1);
        isError('FAILED_PRECONDITION', 'applicationId')(lost[0]!.reason);
        const winner = won[0]!.status === 'fulfilled' ? won[0]!.value : assert.fail();
        const stored = await handlers.get(id);
        assert.equal(stored.outcome, winner.applied.outcome);
        assert.equal(stored.version, 2); // claim + one decision: the loser wrote nothing
      }
    } finally {
      await other.destroy();
    }
  });

  it('lists open reviews oldest first with paging', async () => {
    const page1 = await handlers.listPending({ limit: 2, offset: 0 });
    const page2 = await handlers.listPending({ limit: 2, offset: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.total >= 3);
    assert.ok(page1.items.every((r) => r.status !== 'decided'));
    assert.ok(page1.items[0]!.createdAt <= page1.items[1]!.createdAt);
    assert.ok(page1.items[1]!.createdAt <= (page2.items[0]?.createdAt ?? '9'));
    await assert.rejects(handlers.listPending({ limit: 0 }), isError('INVALID_ARGUMENT', 'limit'));
  });

  it('validation errors name their fields', () => {
    assert.deepEqual(validateReviewDecision({ outcome: 'approve', creditLimit: 10, apr: 0.1, note: 'n' }), { outcome: 'approve', creditLimit: 10, apr: 0.1, note: 'n' });
    assert.deepEqual(validateReviewDecision({ outcome: 'reject', apr: null, note: null }), { outcome: 'reject' });
    assert.equal(validateReviewDecision({ outcome: 'approve', note: '审'.repeat(1000) }).note?.length, 1000);
    const cases: [unknown, string][] = [
      [null, 'body'],
      [[], 'body'],
      ['approve', 'body'],
      [{}, 'outcome'],
      [{ outcome: 'review' }, 'outcome'],
      [{ outcome: 'approve', creditlimit: 5 }, 'creditlimit'],
      [{ outcome: 'approve', creditLimit: -1 }, 'creditLimit'],
      [{ outcome: 'approve', creditLimit: '100' }, 'creditLimit'],
      [{ outcome: 'approve', creditLimit: Number.POSITIVE_INFINITY }, 'creditLimit'],
      [{ outcome: 'approve', creditLimit: 1e12 }, 'creditLimit'],
      [{ outcome: 'approve', apr: -0.1 }, 'apr'],
      [{ outcome: 'approve', apr: Number.NaN }, 'apr'],
      [{ outcome: 'approve', apr: '0.2' }, 'apr'],
      [{ outcome: 'approve', note: 5 }, 'note'],
      [{ outcome: 'approve', note: 'x'.repeat(1001) }, 'note'],
      [{ outcome: 'reject', apr: 0.1 }, 'apr'],
      [{ outcome: 'reject', creditLimit: 10 }, 'creditLimit'],
    ];
    for (const [body, field] of cases) assert.throws(() => validateReviewDecision(body), isError('INVALID_ARGUMENT', field), JSON.stringify(body));
    assert.deepEqual(validateReviewPage({ limit: '10', offset: '20' }), { limit: 10, offset: 20 });
    assert.deepEqual(validateReviewPage(undefined), { limit: 50, offset: 0 });
    assert.throws(() => validateReviewPage({ limit: 'ten' }), isError('INVALID_ARGUMENT', 'limit'));
    assert.throws(() => validateReviewPage({ limit: 501 }), isError('INVALID_ARGUMENT', 'limit'));
    assert.throws(() => validateReviewPage({ offset: -1 }), isError('INVALID_ARGUMENT', 'offset'));
    assert.throws(() => validateReviewPage({ offset: 1.5 }), isError('INVALID_ARGUMENT', 'offset'));
  });

  it('handlers check ids and typed input too', async () => {
    await assert.rejects(handlers.claim('', 'alice'), isError('INVALID_ARGUMENT', 'applicationId'));
    await assert.rejects(handlers.claim('app-1', ''), isError('INVALID_ARGUMENT', 'reviewerId'));
    await assert.rejects(handlers.decide('app-1', 'alice', { outcome: 'approve', creditLimit: -5 }, { aprCap: CAP }), isError('INVALID_ARGUMENT', 'creditLimit'));
  });
});
