import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import { createModelStore, type ModelStore } from '../../decision/store/model-store.js';
import { tinyModel } from '../../decision/testing/tiny-model.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

export const modelStoreContract: StoreContract = {
  name: 'decision/ModelStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let models: ModelStore;
    before(async () => {
      knex = await open();
      models = createModelStore(knex);
    });
    const activeCount = async (): Promise<number> => (await models.list()).filter((m) => m.active).length;

    it('starts empty', async () => {
      assert.equal(await models.getActive(), null);
      assert.equal(await models.getActiveVersion(), null);
      assert.deepEqual(await models.list(), []);
    });

    it('deploys without activating, then activates and reads the model back exactly', async () => {
      await models.deploy(tinyModel('m1'), { activate: false });
      assert.equal(await models.getActiveVersion(), null);
      await models.activate('m1');
      assert.equal(await models.getActiveVersion(), 'm1');
      assert.deepEqual(await models.getActive(), tinyModel('m1'));
      const [m1] = await models.list();
      assert.equal(m1!.version, 'm1');
      assert.equal(m1!.active, true);
      assert.equal(m1!.createdAt, '2026-11-22T00:00:00.000Z');
      assert.equal(typeof m1!.deployedAt, 'string');
      assert.equal(typeof m1!.activatedAt, 'string');
    });

    it('keeps exactly one model active across deploys and rollbacks', async () => {
      await models.deploy(tinyModel('m2', { bias: -3 }), { activate: true });
      await models.deploy(tinyModel('m3', { bias: -4 }), { activate: false });
      assert.equal(await models.getActiveVersion(), 'm2');
      assert.equal(await activeCount(), 1);
      await models.activate('m3');
      await models.activate('m1');
      await models.activate('m1');
      assert.equal(await activeCount(), 1);
      assert.equal(await models.getActiveVersion(), 'm1');
      assert.deepEqual((await models.list()).map((m) => m.version).sort(), ['m1', 'm2', 'm3']);
      await assert.rejects(models.activate('nope'), isCode('NOT_FOUND'));
    });

    it('has the database refuse a second active row, whatever code writes it', async () => {
      await assert.rejects(knex('models').where({ version: 'm2' }).update({ active: 1 }));
      assert.equal(await activeCount(), 1);
    });

    it('is idempotent for an identical body and refuses a different one under the same version', async () => {
      await models.deploy(tinyModel('m4'), { activate: false });
      await models.deploy(tinyModel('m4'), { activate: false });
      await assert.rejects(models.deploy(tinyModel('m4', { bias: 1 }), { activate: true }), isCode('ALREADY_EXISTS'));
      assert.equal(await models.getActiveVersion(), 'm1', 'a refused deploy activates nothing');
      assert.deepEqual(await models.getActive(), tinyModel('m1'));
    });

    it('refuses a model that cannot score and stores nothing of it', async () => {
      await assert.rejects(models.deploy(tinyModel('bad1', { weights: [1, 2] }), { activate: true }), isCode('INVALID_ARGUMENT'));
      await assert.rejects(models.deploy(tinyModel('bad2', { bias: Number.NaN }), { activate: true }), isCode('INVALID_ARGUMENT'));
      await assert.rejects(models.deploy(tinyModel('bad3', { standardisation: { mean: [0], std: [0] } }), { activate: true }), isCode('INVALID_ARGUMENT'));
      await assert.rejects(models.deploy(tinyModel('has space'), { activate: true }), isCode('INVALID_ARGUMENT'));
      assert.equal((await models.list()).some((m) => m.version.startsWith('bad')), false);
    });

    it('keeps provenance values and float weights exact', async () => {
      const m = tinyModel('exact', { weights: [0.1 + 0.2, -1e-300, 123456789.123456789], provenance: { job: 'j', round: 3, final: true, note: null } });
      await models.deploy(m, { activate: true });
      assert.deepEqual(await models.getActive(), m);
      await models.activate('m1');
    });

    it('serialises concurrent deploys and activations: none fails, exactly one active, the store stays usable', async () => {
      // SQLite has one connection per handle (writes queue); PostgreSQL runs these on parallel pool connections.
      const versions = Array.from({ length: 12 }, (_, i) => `c${i}`);
      const results = await Promise.allSettled([
        ...versions.map((v, i) => models.deploy(tinyModel(v, { bias: -i }), { activate: true })),
        ...versions.slice(0, 6).map(() => models.activate('m1')),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.deepEqual(failed.map((r) => String(r.reason)), []);
      assert.equal(await activeCount(), 1);
      const active = await models.getActiveVersion();
      assert.ok(active === 'm1' || versions.includes(active ?? ''), `active ${active}`);
      await models.activate('m3');
      assert.equal(await models.getActiveVersion(), 'm3');
    });
  },
};
