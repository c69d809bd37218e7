import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { StoreContract } from './contract.js';
import type { JdmDocument } from '../../decision/rules/jdm-check.js';
import { RULES_MIGRATIONS, RULES_TABLE } from '../../decision/rules/rules-migrations.js';
import { createRulesStore, defaultRulesDocument, type RulesStore } from '../../decision/rules/rules-store.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

function variant(action: 'reject' | 'review'): JdmDocument {
  const doc = defaultRulesDocument();
  const rows = doc.nodes[1]!.content['rules'] as Record<string, string>[];
  rows.find((r) => r['_id'] === 'high_frequency_1h')!['action'] = JSON.stringify(action);
  return doc;
}

/**
 * The rules store on every backend (registered in test/store-contract/registry.ts): versions are allocated without
 * gaps or duplicates even when writers race, exactly one version is active, and the database refuses a second.
 */
export const rulesStoreContract: StoreContract = {
  name: 'decision/RulesStore',
  migrations: RULES_MIGRATIONS,
  migrationsTable: 'rules_test_migrations',
  suite(open) {
    let knex: Knex;
    let rules: RulesStore;
    before(async () => {
      knex = await open();
      rules = createRulesStore(knex);
    });
    const activeCount = async (): Promise<number> => (await rules.list()).filter((v) => v.active).length;

    it('starts empty, seeds the default rule set once as active version 1', async () => {
      assert.equal(await rules.getActive(), null);
      assert.equal(await rules.getActiveVersion(), null);
      assert.deepEqual(await rules.list(), []);
      assert.equal(await rules.seedDefault(), 1);
      assert.equal(await rules.seedDefault(), null);
      const v1 = await rules.get(1);
      assert.deepEqual(v1?.document, defaultRulesDocument());
      assert.equal(v1?.active, true);
    });

    it('puts new versions, activates and rolls back, always exactly one active', async () => {
      assert.equal(await rules.put(variant('reject'), 'alice', 'stricter'), 2);
      assert.equal(await rules.put(variant('review'), 'bob', 'staged', { activate: false }), 3);
      assert.equal(await rules.getActiveVersion(), 2);
      await rules.activate(3);
      await rules.activate(1);
      await rules.activate(1);
      assert.equal(await rules.getActiveVersion(), 1);
      assert.equal(await activeCount(), 1);
      assert.deepEqual((await rules.list()).map((v) => [v.version, v.createdBy]), [[1, 'system'], [2, 'alice'], [3, 'bob']]);
      await assert.rejects(rules.activate(42), isCode('NOT_FOUND'));
      await assert.rejects(rules.put({ nodes: [] }, 'mallory', 'broken'), isCode('INVALID_ARGUMENT'));
      assert.equal((await rules.list()).length, 3);
    });

    it('has the database refuse a second active row', async () => {
      await assert.rejects(knex(RULES_TABLE).where({ version: 2 }).update({ active: 1 }));
      assert.equal(await activeCount(), 1);
    });

    it('gives racing writers distinct consecutive versions and leaves one active', async () => {
      const before = (await rules.list()).length;
      const versions = await Promise.all(
        Array.from({ length: 6 }, (_, i) => rules.put(variant(i % 2 ? 'reject' : 'review'), `writer-${i}`, 'race')),
      );
      assert.deepEqual([...versions].sort((a, b) => a - b), Array.from({ length: 6 }, (_, i) => before + 1 + i));
      await Promise.all([rules.activate(1), rules.activate(2), rules.activate(3)]);
      assert.equal(await activeCount(), 1);
    });
  },
};
