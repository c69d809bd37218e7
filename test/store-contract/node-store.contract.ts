import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { openKnex, type DbConfig } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { tinyModel } from '../../decision/testing/tiny-model.js';
import { NODE_MIGRATIONS, NODE_MIGRATIONS_TABLE, NodeStore, type ModelVersionRow } from '../../node/store/node-store.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const version = (v: string, jobId: string, round: number, createdAt: string): ModelVersionRow => ({
  version: v,
  jobId,
  round,
  model: tinyModel(v, { createdAt }),
  metrics: { auc: 0.5 + round / 100, ks: null },
  createdAt,
});

export const nodeStoreContract: StoreContract = {
  name: 'node/NodeStore',
  migrations: NODE_MIGRATIONS,
  migrationsTable: NODE_MIGRATIONS_TABLE,
  database: 'node',
  suite(_open, env) {
    const nodeKey = new Uint8Array(randomBytes(32));
    let config: DbConfig;
    let store: NodeStore;
    before(async () => {
      config = await env.config();
      store = await NodeStore.open(config, nodeKey);
    });
    after(async () => {
      await store.close();
    });

    it('secrets: round-trip byte-exact, overwrite, unknown is null', async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      await store.putSecret('he/epoch-1', all);
      await store.putSecret('empty', new Uint8Array(0));
      assert.deepEqual(await store.getSecret('he/epoch-1'), all);
      assert.deepEqual(await store.getSecret('empty'), new Uint8Array(0));
      const big = new Uint8Array(randomBytes(1 << 20));
      await store.putSecret('he/epoch-1', big);
      assert.deepEqual(await store.getSecret('he/epoch-1'), big);
      assert.equal(await store.getSecret('nope'), null);
    });

    it('secrets: stored only as boxes (no plaintext), unreadable under another node key', async () => {
      const marker = Buffer.from('plaintext-marker-that-must-not-be-stored');
      await store.putSecret('member/token', marker);
      const raw = openKnex(config);
      try {
        const rows = (await raw('secrets').select('name', 'box')) as { name: string; box: Uint8Array }[];
        const box = rows.find((r) => r.name === 'member/token')?.box;
        assert.ok(box instanceof Uint8Array && box.byteLength > marker.byteLength);
        assert.equal(Buffer.from(box).indexOf(marker), -1);
      } finally {
        await raw.destroy();
      }
      const other = await NodeStore.open(config, new Uint8Array(randomBytes(32)));
      try {
        await assert.rejects(other.getSecret('member/token'), isCode('PERMISSION_DENIED'));
      } finally {
        await other.close();
      }
    });

    it('models: put, list by job and round, latest by creation time, upsert by version', async () => {
      assert.deepEqual(await store.listModels(), []);
      assert.equal(await store.latestModel(), null);
      const rows = [
        version('j2-r1', 'job-2', 1, '2026-11-22T02:00:00.000Z'),
        version('j1-r2', 'job-1', 2, '2026-11-22T01:00:01.000Z'),
        version('j1-r1', 'job-1', 1, '2026-11-22T01:00:00.000Z'),
      ];
      for (const r of rows) await store.putModel(r);
      assert.deepEqual(await store.listModels(), [rows[2], rows[1], rows[0]]);
      assert.deepEqual(await store.latestModel(), rows[0]);
      const redone = { ...rows[1]!, metrics: { auc: 0.9, ks: 0.4 } };
      await store.putModel(redone);
      assert.deepEqual(await store.listModels(), [rows[2], redone, rows[0]]);
    });

    it('reopens on the same database with everything kept', async () => {
      const again = await NodeStore.open(config, nodeKey);
      try {
        assert.deepEqual(await again.getSecret('member/token'), new Uint8Array(Buffer.from('plaintext-marker-that-must-not-be-stored')));
        assert.equal((await again.listModels()).length, 3);
      } finally {
        await again.close();
      }
    });
  },
};
