import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { ActiveRules } from './active-rules.js';
import type { JdmDocument } from './jdm-check.js';
import { RULES_MIGRATIONS, RULES_TABLE } from './rules-migrations.js';
import { createRulesStore, defaultRulesDocument, type RulesStore } from './rules-store.js';
import { sampleRulesContext } from './sample-rules-context.js';

let knex: Knex;
let store: RulesStore;
let clock = Date.parse('2026-11-22T10:00:00Z');

before(async () => {
  knex = openKnex({ client: 'sqlite', filename: ':memory:' });
  assert.deepEqual(await migrate(knex, RULES_MIGRATIONS, 'test_migrations'), ['20261122001100_rules_versions']);
  store = createRulesStore(knex, { now: () => new Date((clock += 1000)) });
});

after(async () => {
  await knex.destroy();
});

/** The default document with the 1-hour high-frequency rule turned from review into reject. */
function stricterVelocity(): JdmDocument {
  const doc = defaultRulesDocument();
  const rows = doc.nodes[1]!.content['rules'] as Record<string, string>[];
  rows.find((r) => r['_id'] === 'high_frequency_1h')!['action'] = '"reject"';
  return doc;
}

const busy = sampleRulesContext({ velocity: { applications1h: 6, applications24h: 6 } });

test('seedDefault stores the default rule set once, as version 1, active', async () => {
  assert.equal(await store.getActive(), null);
  assert.equal(await store.getActiveVersion(), null);
  assert.equal(await store.seedDefault(), 1);
  assert.equal(await store.seedDefault(), null);
  const active = await store.getActive();
  assert.ok(active);
  assert.equal(active.version, 1);
  assert.equal(active.active, true);
  assert.equal(active.createdBy, 'system');
  assert.deepEqual(active.document, defaultRulesDocument());
  assert.match(active.digest, /^[0-9a-f]{64}$/);
});

test('put validates, never overwrites, and activates by default; list and get', async () => {
  const before = await store.list();
  await assert.rejects(store.put({ nodes: 'x', edges: [] }, 'alice', 'broken'), (e: unknown) => {
    return e instanceof FedriskError && e.code === 'INVALID_ARGUMENT' && e.details.field === 'rules.nodes';
  });
  await assert.rejects(store.put(defaultRulesDocument(), '', 'no author'), (e: unknown) => e instanceof FedriskError && e.details.field === 'createdBy');
  assert.deepEqual(await store.list(), before, 'a refused put stores nothing');

  const v2 = await store.put(stricterVelocity(), 'alice', 'high frequency now rejects');
  assert.equal(v2, 2);
  const v3 = await store.put(defaultRulesDocument(), 'bob', 'staged, not active', { activate: false });
  assert.equal(v3, 3);
  assert.equal(await store.getActiveVersion(), 2);
  const list = await store.list();
  assert.deepEqual(list.map((v) => [v.version, v.active, v.createdBy]), [[1, false, 'system'], [2, true, 'alice'], [3, false, 'bob']]);
  assert.equal(list[1]!.note, 'high frequency now rejects');
  assert.equal((await store.get(1))?.document.nodes.length, 3);
  assert.equal(await store.get(99), null);
  const v1 = await store.get(1);
  assert.equal(v1?.digest, (await store.get(3))?.digest, 'same document, same digest, distinct versions');
});

test('activate is the rollback; exactly one version is active; unknown versions are NOT_FOUND', async () => {
  await store.activate(1);
  assert.equal(await store.getActiveVersion(), 1);
  const rows = await knex(RULES_TABLE).where({ active: 1 }).count({ n: '*' });
  assert.equal(Number(rows[0]!['n']), 1);
  await assert.rejects(store.activate(99), (e: unknown) => e instanceof FedriskError && e.code === 'NOT_FOUND');
  await assert.rejects(store.activate(0), (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT');
  // The database itself refuses a second active row.
  await assert.rejects(knex(RULES_TABLE).where({ version: 2 }).update({ active: 1 }));
  await store.activate(2);
});

test('hot reload: put changes the next evaluation without a restart; rollback restores it', async () => {
  const rules = await ActiveRules.open({ store });
  assert.equal(rules.version, 2);
  assert.equal((await rules.evaluate(busy)).action, 'reject');

  await rules.activate(1);
  let r = await rules.evaluate(busy);
  assert.deepEqual([r.rulesVersion, r.action], [1, 'review']);

  const pinned = rules.current();
  const v4 = await rules.put(stricterVelocity(), 'carol', 'reject again');
  r = await rules.evaluate(busy);
  assert.deepEqual([r.rulesVersion, r.action], [v4, 'reject']);
  // A decision that took its rules before the reload finishes on the version it started with.
  assert.equal((await pinned.evaluate(busy)).action, 'review');

  await rules.activate(1);
  assert.deepEqual([(await rules.evaluate(busy)).rulesVersion, (await rules.evaluate(busy)).action], [1, 'review']);
  await rules.stop();
});

test('refresh picks up another process\'s change with a cheap version check', async () => {
  const here = await ActiveRules.open({ store });
  const elsewhere = await ActiveRules.open({ store: createRulesStore(knex) });
  assert.equal(await here.refresh(), false);
  const v = await elsewhere.put(stricterVelocity(), 'dave', 'from another process');
  assert.equal(here.version, 1);
  assert.equal(await here.refresh(), true);
  assert.equal(here.version, v);
  assert.equal((await here.evaluate(busy)).action, 'reject');
  assert.equal(await here.refresh(), false);
  await elsewhere.activate(1);
  assert.equal(await here.refresh(), true);
  assert.equal((await here.evaluate(busy)).action, 'review');
});

test('without an active version the rules are unavailable, never silently passing', async () => {
  const empty = openKnex({ client: 'sqlite', filename: ':memory:' });
  try {
    await migrate(empty, RULES_MIGRATIONS, 'test_migrations');
    const rules = await ActiveRules.open({ store: createRulesStore(empty) });
    assert.equal(rules.currentOrNull(), null);
    assert.throws(() => rules.current(), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
    await assert.rejects(async () => rules.evaluate(busy), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
  } finally {
    await empty.destroy();
  }
});
