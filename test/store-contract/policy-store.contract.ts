import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { StoreContract } from './contract.js';
import { clonePolicy, DEFAULT_POLICY } from '../../decision/policy/policy.js';
import { POLICY_MIGRATIONS, POLICY_TABLE } from '../../decision/policy/policy-migrations.js';
import { createPolicyStore, type PolicyStore } from '../../decision/policy/policy-store.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

function priced(a: number) {
  const p = clonePolicy();
  p.pricing = { A: a, B: a + 0.02, C: a + 0.04, D: a + 0.06, E: a + 0.08 };
  return p;
}

/** The policy store on every backend (registered in test/store-contract/registry.ts). */
export const policyStoreContract: StoreContract = {
  name: 'decision/PolicyStore',
  migrations: POLICY_MIGRATIONS,
  migrationsTable: 'policy_test_migrations',
  suite(open) {
    let knex: Knex;
    let policies: PolicyStore;
    before(async () => {
      knex = await open();
      policies = createPolicyStore(knex);
    });
    const activeCount = async (): Promise<number> => (await policies.list()).filter((v) => v.active).length;

    it('seeds the default policy once and reads it back exactly', async () => {
      assert.equal(await policies.getActive(), null);
      assert.equal(await policies.seedDefault(), 1);
      assert.equal(await policies.seedDefault(), null);
      assert.deepEqual((await policies.getActive())?.document, DEFAULT_POLICY);
    });

    it('puts, activates and rolls back with exactly one active; refuses bad policies without writing', async () => {
      assert.equal(await policies.put(priced(0.05), 'ops', 'cheaper'), 2);
      assert.equal((await policies.getActive())?.document.pricing.E, 0.13);
      await policies.activate(1);
      assert.equal(await policies.getActiveVersion(), 1);
      await assert.rejects(policies.put(priced(0.3), 'ops', 'over the cap'), (e: unknown) => {
        return isCode('INVALID_ARGUMENT')(e) && (e as FedriskError).details.field === 'policy.pricing.E';
      });
      await assert.rejects(policies.activate(9), isCode('NOT_FOUND'));
      assert.equal((await policies.list()).length, 2);
      assert.equal(await activeCount(), 1);
      await assert.rejects(knex(POLICY_TABLE).where({ version: 2 }).update({ active: 1 }));
    });

    it('gives racing writers distinct versions and leaves one active', async () => {
      const versions = await Promise.all(Array.from({ length: 5 }, (_, i) => policies.put(priced(0.01 * i), `w${i}`, 'race')));
      assert.deepEqual([...versions].sort((a, b) => a - b), [3, 4, 5, 6, 7]);
      await Promise.all([policies.activate(2), policies.activate(1), policies.activate(5)]);
      assert.equal(await activeCount(), 1);
    });
  },
};
