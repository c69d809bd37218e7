import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { scoreProbability } from '../scoring/score-card.js';
import { ActivePolicy } from './active-policy.js';
import { resolveAprCap } from './apr-cap.js';
import { clonePolicy, DEFAULT_POLICY } from './policy.js';
import { POLICY_MIGRATIONS, POLICY_TABLE } from './policy-migrations.js';
import { createPolicyStore, type PolicyStore } from './policy-store.js';
import { offerFor } from './pricing.js';

let knex: Knex;
let store: PolicyStore;

before(async () => {
  knex = openKnex({ client: 'sqlite', filename: ':memory:' });
  assert.deepEqual(await migrate(knex, POLICY_MIGRATIONS, 'test_migrations'), ['20261122001150_policy_versions']);
  store = createPolicyStore(knex);
});

after(async () => {
  await knex.destroy();
});

function cheaper() {
  const p = clonePolicy();
  p.pricing = { A: 0.08, B: 0.12, C: 0.16, D: 0.2, E: 0.25 };
  return p;
}

test('seedDefault stores DEFAULT_POLICY once as the active version 1', async () => {
  assert.equal(await store.getActive(), null);
  assert.equal(await store.seedDefault(), 1);
  assert.equal(await store.seedDefault(), null);
  const active = await store.getActive();
  assert.equal(active?.version, 1);
  assert.deepEqual(active?.document, DEFAULT_POLICY);
  assert.equal(active?.createdBy, 'system');
});

test('put validates (fields named), versions never overwrite, activate rolls back', async () => {
  const bad = clonePolicy();
  bad.pricing.C = 0.45;
  await assert.rejects(store.put(bad, 'risk-ops', 'too expensive'), (e: unknown) => {
    return e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.details.field === 'policy.pricing.C';
  });
  assert.equal((await store.list()).length, 1);
  const v2 = await store.put(cheaper(), 'risk-ops', 'cheaper pricing');
  assert.equal(v2, 2);
  assert.equal((await store.getActive())?.document.pricing.A, 0.08);
  await store.activate(1);
  assert.equal(await store.getActiveVersion(), 1);
  assert.deepEqual((await store.list()).map((v) => [v.version, v.active, v.note]), [
    [1, true, 'default policy'],
    [2, false, 'cheaper pricing'],
  ]);
  assert.equal((await store.get(2))?.document.pricing.E, 0.25);
  await assert.rejects(store.activate(7), (e: unknown) => e instanceof FedriskError && e.code === 'NOT_FOUND');
  const active = await knex(POLICY_TABLE).where({ active: 1 }).count({ n: '*' });
  assert.equal(Number(active[0]!['n']), 1);
});

test('a store with a lowered cap refuses prices above it', async () => {
  const strict = createPolicyStore(knex, { aprCap: resolveAprCap(0.2) });
  await assert.rejects(strict.put(clonePolicy(), 'risk-ops', 'E at 30%'), (e: unknown) => {
    return e instanceof FedriskError && e.details.field === 'policy.pricing.D' && /APR cap 0.2/.test(e.message);
  });
  // A policy stored under the ceiling still loads; pricing caps it.
  const loaded = await strict.getActive();
  assert.equal(loaded?.document.pricing.E, 0.3);
  const offer = offerFor({ grade: 'E', features: { Income: 500 }, amount: 500, termMonths: 12 }, loaded!.document, resolveAprCap(0.2));
  assert.equal(offer.apr, 0.2);
});

test('active policy: hot reload on put/activate, refresh for other processes', async () => {
  const active = await ActivePolicy.open({ store });
  const other = await ActivePolicy.open({ store: createPolicyStore(knex) });
  assert.equal(active.version, 1);
  assert.equal(active.current().policy.pricing.A, 0.1);
  assert.deepEqual(scoreProbability(1 / 51, active.current().scoring), { score: 600, grade: 'A', decision: 'approve' });

  const v = await active.put(cheaper(), 'risk-ops', 'cheaper again');
  assert.equal(active.version, v);
  assert.equal(active.current().policy.pricing.A, 0.08);

  assert.equal(other.version, 1);
  assert.equal(await other.refresh(), true);
  assert.equal(other.current().policy.pricing.A, 0.08);
  assert.equal(await other.refresh(), false);

  await active.activate(1);
  assert.equal(active.current().policy.pricing.A, 0.1);
  await active.stop();
  await other.stop();
});

test('without an active policy pricing is unavailable', async () => {
  const empty = openKnex({ client: 'sqlite', filename: ':memory:' });
  try {
    await migrate(empty, POLICY_MIGRATIONS, 'test_migrations');
    const active = await ActivePolicy.open({ store: createPolicyStore(empty) });
    assert.equal(active.currentOrNull(), null);
    assert.throws(() => active.current(), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
  } finally {
    await empty.destroy();
  }
});
