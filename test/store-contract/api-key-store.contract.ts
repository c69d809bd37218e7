import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { createApiKeyStore, type ApiKeyStore } from '../../decision/store/api-key-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

export const apiKeyStoreContract: StoreContract = {
  name: 'decision/ApiKeyStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let keys: ApiKeyStore;
    let clock = Date.parse('2026-11-22T00:00:00.000Z');
    before(async () => {
      knex = await open();
      keys = createApiKeyStore(knex, () => new Date((clock += 1000)));
    });

    it('creates a key and verifies it to its id and role', async () => {
      const { id, key } = await keys.create('app', 'mobile');
      assert.match(key, /^frk_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(await keys.verify(key), { id, role: 'app' });
    });

    it('stores only the hash of a key', async () => {
      const { key } = await keys.create('reviewer', 'desk');
      const rows = (await knex('api_keys').select('*')) as Record<string, unknown>[];
      assert.ok(rows.length >= 2);
      assert.ok(!JSON.stringify(rows).includes(key.slice(4)), 'the key itself is never stored');
    });

    it('verifies nothing for a wrong, malformed or empty key', async () => {
      const { key } = await keys.create('admin');
      assert.equal(await keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), null);
      assert.equal(await keys.verify('frk_short'), null);
      assert.equal(await keys.verify(''), null);
      assert.equal(await keys.verify(`frk_${'x'.repeat(43)}`), null);
    });

    it('revokes idempotently; a revoked key verifies to nothing; NOT_FOUND for an unknown id', async () => {
      const { id, key } = await keys.create('app', 'to revoke');
      await keys.revoke(id);
      await keys.revoke(id);
      assert.equal(await keys.verify(key), null);
      const listed = (await keys.list()).find((k) => k.id === id);
      assert.equal(typeof listed?.revokedAt, 'string');
      await assert.rejects(keys.revoke('00000000-0000-4000-8000-000000000000'), isCode('NOT_FOUND'));
      await assert.rejects(keys.revoke('not-a-uuid'), isCode('INVALID_ARGUMENT'));
    });

    it('lists keys in creation order with role and label, never the key', async () => {
      const list = await keys.list();
      assert.deepEqual(
        list.map((k) => [k.role, k.label]),
        [
          ['app', 'mobile'],
          ['reviewer', 'desk'],
          ['admin', ''],
          ['app', 'to revoke'],
        ],
      );
      assert.deepEqual(
        list.map((k) => k.createdAt),
        [...list.map((k) => k.createdAt)].sort(),
      );
      assert.equal(list.filter((k) => k.revokedAt !== null).length, 1);
    });

    it('refuses an unknown role and a label that is too long or holds control characters', async () => {
      await assert.rejects(keys.create('root' as 'app'), isCode('INVALID_ARGUMENT'));
      await assert.rejects(keys.create('app', 'x'.repeat(201)), isCode('INVALID_ARGUMENT'));
      await assert.rejects(keys.create('app', 'nul\u0000byte'), isCode('INVALID_ARGUMENT'));
      const { id } = await keys.create('app', 'ünïcødé 键 ✓'.padEnd(200, '.'));
      assert.equal((await keys.list()).find((k) => k.id === id)?.label, 'ünïcødé 键 ✓'.padEnd(200, '.'));
    });
  },
};
