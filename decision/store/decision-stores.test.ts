import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { tempDir, tinyModel } from '../testing/tiny-model.js';
import { createApiKeyStore } from './api-key-store.js';
import { createApplicationStore } from './application-store.js';
import { createDecisionDb, DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE, migrateDecisionDb } from './decision-db.js';
import { createModelStore } from './model-store.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

describe('decision store', () => {
  const tmp = tempDir();
  let knex: Knex;

  before(async () => {
    knex = createDecisionDb({ filename: tmp.file('decision.sqlite') });
    assert.equal((await migrateDecisionDb(knex)).length, Object.keys(DECISION_MIGRATIONS).length);
    await createModelStore(knex).deploy(tinyModel('m1'), { activate: true });
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('migrates idempotently, in WAL mode with foreign keys on', async () => {
    assert.deepEqual(await migrateDecisionDb(knex), []);
    const done = await knex(DECISION_MIGRATIONS_TABLE).select('name').orderBy('id');
    assert.deepEqual(
      done.map((r: { name: string }) => r.name),
      Object.keys(DECISION_MIGRATIONS).sort(),
    );
    const [wal] = (await knex.raw('PRAGMA journal_mode')) as { journal_mode: string }[];
    assert.equal(wal!.journal_mode, 'wal');
    const [fk] = (await knex.raw('PRAGMA foreign_keys')) as { foreign_keys: number }[];
    assert.equal(fk!.foreign_keys, 1);
  });

  // The model store's behaviour is the contract suite's (test/store-contract, on SQLite and PostgreSQL); here only
  // what is particular to the SQLite decision file.
  it('stores applications (with a foreign key to the model) and reads them back', async () => {
    const apps = createApplicationStore(knex);
    const record = {
      id: '6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
      createdAt: '2026-11-22T01:00:00.000Z',
      modelVersion: 'm1',
      probabilityOfDefault: 0.0196,
      score: 600,
      grade: 'A' as const,
      decision: 'approve' as const,
      featuresDigest: 'a'.repeat(64),
    };
    await apps.insert(record);
    assert.deepEqual(await apps.get(record.id), record);
    assert.equal(await apps.get('00000000-0000-4000-8000-000000000000'), null);
    await assert.rejects(apps.insert({ ...record, id: '00000000-0000-4000-8000-000000000001', modelVersion: 'ghost' }));
  });

  it('creates, verifies and revokes API keys, storing only their hash', async () => {
    const keys = createApiKeyStore(knex);
    const { id, key } = await keys.create('app', 'mobile');
    assert.match(key, /^frk_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(await keys.verify(key), { id, role: 'app' });
    const rows = (await knex('api_keys').select('*')) as Record<string, unknown>[];
    assert.ok(!JSON.stringify(rows).includes(key.slice(4)), 'the key itself is never stored');
    assert.equal(await keys.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), null);
    assert.equal(await keys.verify('frk_short'), null);
    assert.equal(await keys.verify(''), null);
    await keys.revoke(id);
    await keys.revoke(id);
    assert.equal(await keys.verify(key), null);
    assert.equal((await keys.list()).find((k) => k.id === id)!.revokedAt !== null, true);
    await assert.rejects(keys.revoke('00000000-0000-4000-8000-000000000000'), isCode('NOT_FOUND'));
    await assert.rejects(keys.create('root' as 'app'), isCode('INVALID_ARGUMENT'));
  });

  it('deploys from a second connection while the first keeps recording applications (no SQLITE_BUSY)', async () => {
    const other = createDecisionDb({ filename: tmp.file('decision.sqlite') });
    const models = createModelStore(other);
    const apps = createApplicationStore(knex);
    let stop = false;
    const writer = (async () => {
      let n = 0;
      while (!stop) {
        await apps.insert({
          id: randomUUID(),
          createdAt: new Date().toISOString(),
          modelVersion: 'm1',
          probabilityOfDefault: 0.1,
          score: 560,
          grade: 'C',
          decision: 'approve',
          featuresDigest: 'b'.repeat(64),
        });
        n++;
      }
      return n;
    })();
    try {
      for (let i = 0; i < 30; i++) await models.deploy(tinyModel(`race-${i}`), { activate: true });
    } finally {
      stop = true;
      assert.ok((await writer) > 0);
      await other.destroy();
    }
    assert.equal(await createModelStore(knex).getActiveVersion(), 'race-29');
  });
});
