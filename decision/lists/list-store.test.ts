import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { tempDir } from '../testing/tiny-model.js';
import { ListIndex, type ListMatchTokens } from './list-index.js';
import { EXPIRED_BY, createListStore, type ListStore, type NewListEntry } from './list-store.js';
import { LISTS_MIGRATIONS } from './lists-migrations.js';

const isCode = (code: string, field?: string) => (e: unknown) =>
  e instanceof FedriskError && e.code === code && (field === undefined || e.details.field === field);

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

const tokens: ListMatchTokens = { idNumber: 'tok-id', phone: 'tok-phone', bankCard: 'tok-card', deviceId: 'dev_0123456789abcdef0123456789abcdef' };

function entry(over: Partial<NewListEntry> = {}): NewListEntry {
  return { list: 'black', kind: 'idNumber', token: 'tok-id', reason: 'fraud ring', expiresAt: null, createdBy: 'admin-1', ...over };
}

describe('ListStore and ListIndex', () => {
  const tmp = tempDir('fedrisk-lists-');
  let knex: Knex;
  let clock = T0;
  let store: ListStore;

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: tmp.file('lists.sqlite') });
    assert.deepEqual(await migrate(knex, LISTS_MIGRATIONS, 'test_migrations'), ['20261122001210_list_entries']);
    store = createListStore(knex, () => new Date(clock));
  });
  beforeEach(async () => {
    await knex('list_entries').delete();
    clock = T0;
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('adds, lists and removes (soft) an entry', async () => {
    const e = await store.add(entry({ expiresAt: iso(T0 + DAY) }));
    assert.equal(e.list, 'black');
    assert.equal(e.createdAt, iso(T0));
    assert.deepEqual(await store.get(e.id), e);
    assert.deepEqual(await store.list({ limit: 10, offset: 0 }), [e]);
    clock += 1000;
    const removed = await store.remove(e.id, 'admin-2');
    assert.equal(removed.removedAt, iso(T0 + 1000));
    assert.equal(removed.removedBy, 'admin-2');
    assert.deepEqual(await store.remove(e.id, 'admin-3'), removed, 'removing twice changes nothing');
    assert.deepEqual(await store.list({ limit: 10, offset: 0 }), []);
    assert.deepEqual(await store.list({ limit: 10, offset: 0, includeRemoved: true }), [removed]);
    assert.equal((await knex('list_entries').count({ n: '*' }))[0]!.n, 1, 'the row is kept');
    await assert.rejects(store.remove('00000000-0000-4000-8000-000000000000', 'x'), isCode('NOT_FOUND', 'id'));
    await assert.rejects(store.remove('not-a-uuid', 'x'), isCode('NOT_FOUND', 'id'));
  });

  it('refuses a duplicate live entry with ALREADY_EXISTS, but not on the other list or after removal', async () => {
    const first = await store.add(entry());
    await assert.rejects(store.add(entry({ reason: 'again' })), isCode('ALREADY_EXISTS', 'value'));
    await store.add(entry({ list: 'white', reason: 'vip' }));
    await store.add(entry({ kind: 'phone' }));
    // The partial unique index backs the check even if two adds race past it.
    const raw = { list: 'black', kind: 'idNumber', token: 'tok-id', reason: 'r', created_at: iso(T0), created_by: 'x' };
    await assert.rejects(knex('list_entries').insert({ ...raw, id: '00000000-0000-4000-8000-000000000001' }));
    await store.remove(first.id, 'admin-1');
    await store.add(entry({ reason: 'listed again' }));
  });

  it('an expired entry stops counting as live and is retired by a new one', async () => {
    const old = await store.add(entry({ expiresAt: iso(T0 + DAY) }));
    await assert.rejects(store.add(entry()), isCode('ALREADY_EXISTS'));
    clock = T0 + DAY;
    assert.deepEqual(await store.list({ limit: 10, offset: 0 }), []);
    assert.deepEqual((await store.list({ limit: 10, offset: 0, includeExpired: true })).map((e) => e.id), [old.id]);
    const fresh = await store.add(entry({ reason: 'relisted' }));
    const retired = await store.get(old.id);
    assert.equal(retired?.removedBy, EXPIRED_BY);
    assert.deepEqual((await store.list({ limit: 10, offset: 0 })).map((e) => e.id), [fresh.id]);
  });

  it('filters by list and kind and pages newest first', async () => {
    for (let i = 0; i < 5; i++) {
      clock = T0 + i * 1000;
      await store.add(entry({ token: `t${i}`, list: i % 2 === 0 ? 'black' : 'white', kind: i < 3 ? 'phone' : 'bankCard' }));
    }
    const tokensOf = (es: { token: string }[]) => es.map((e) => e.token);
    assert.deepEqual(tokensOf(await store.list({ limit: 2, offset: 0 })), ['t4', 't3']);
    assert.deepEqual(tokensOf(await store.list({ limit: 2, offset: 2 })), ['t2', 't1']);
    assert.deepEqual(tokensOf(await store.list({ list: 'black', limit: 10, offset: 0 })), ['t4', 't2', 't0']);
    assert.deepEqual(tokensOf(await store.list({ kind: 'phone', list: 'white', limit: 10, offset: 0 })), ['t1']);
    await assert.rejects(store.list({ limit: 0, offset: 0 }), isCode('INVALID_ARGUMENT', 'limit'));
    await assert.rejects(store.list({ limit: 10, offset: -1 }), isCode('INVALID_ARGUMENT', 'offset'));
  });

  it('refuses malformed entries naming the field', async () => {
    await assert.rejects(store.add(entry({ reason: ' ' })), isCode('INVALID_ARGUMENT', 'reason'));
    await assert.rejects(store.add(entry({ token: '' })), isCode('INVALID_ARGUMENT', 'token'));
    await assert.rejects(store.add(entry({ expiresAt: iso(T0) })), isCode('INVALID_ARGUMENT', 'expiresAt'));
    await assert.rejects(store.add(entry({ expiresAt: '2027-01-01' })), isCode('INVALID_ARGUMENT', 'expiresAt'));
    await assert.rejects(store.add({ ...entry(), kind: 'ip' as 'phone' }), isCode('INVALID_ARGUMENT', 'kind'));
  });

  it('the index matches live entries only, in a fixed order, and expired entries never match', async () => {
    const index = await ListIndex.load(knex);
    const apply = async (e: NewListEntry) => {
      const added = await store.add(e);
      index.applyAdd(added);
      return added;
    };
    await apply(entry({ kind: 'deviceId', token: tokens.deviceId, reason: 'emulator farm' }));
    await apply(entry({ kind: 'phone', token: tokens.phone, list: 'white', reason: 'staff' }));
    const card = await apply(entry({ kind: 'bankCard', token: tokens.bankCard!, reason: 'chargebacks', expiresAt: iso(T0 + DAY) }));
    await apply(entry({ kind: 'idNumber', token: 'someone-else' }));
    assert.deepEqual(index.match(tokens, T0), [
      { list: 'white', kind: 'phone', reason: 'staff' },
      { list: 'black', kind: 'bankCard', reason: 'chargebacks' },
      { list: 'black', kind: 'deviceId', reason: 'emulator farm' },
    ]);
    assert.deepEqual(index.match({ ...tokens, bankCard: null }, T0).map((h) => h.kind), ['phone', 'deviceId']);
    assert.deepEqual(index.match(tokens, T0 + DAY).map((h) => h.kind), ['phone', 'deviceId'], 'expired at expiresAt');
    assert.equal(index.size, 3, 'the expired entry was dropped from memory');
    clock = T0 + DAY;
    const relisted = await apply(entry({ kind: 'bankCard', token: tokens.bankCard!, reason: 'relisted' }));
    assert.notEqual(relisted.id, card.id);
    assert.deepEqual(index.match(tokens, clock).map((h) => h.reason), ['staff', 'relisted', 'emulator farm']);
  });

  it('a rebuilt index answers like the one kept in step with add and remove', async () => {
    const live = await ListIndex.load(knex);
    const kinds = ['idNumber', 'phone', 'bankCard', 'deviceId'] as const;
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      clock = T0 + i * 60_000;
      const e = {
        list: i % 3 === 0 ? ('white' as const) : ('black' as const),
        kind: kinds[i % 4]!,
        token: `t${i % 7}`,
        reason: `r${i}`,
        expiresAt: i % 5 === 0 ? iso(clock + (i % 4) * 3_600_000 + 60_000) : null,
        createdBy: 'ops',
      };
      try {
        const added = await store.add(e);
        live.applyAdd(added);
        ids.push(added.id);
      } catch (err) {
        assert.ok(isCode('ALREADY_EXISTS')(err), String(err));
      }
      if (i % 4 === 3) {
        const victim = ids.splice(i % ids.length, 1)[0]!;
        await store.remove(victim, 'ops');
        live.applyRemove(victim);
      }
    }
    const rebuilt = await ListIndex.load(knex);
    let hits = 0;
    for (let probe = 0; probe < 200; probe++) {
      const now = T0 + probe * 60_000;
      const t = (k: number) => `t${(probe + k) % 8}`;
      const tk: ListMatchTokens = { idNumber: t(0), phone: t(1), bankCard: probe % 9 === 0 ? null : t(2), deviceId: t(3) };
      const expected = live.match(tk, now);
      assert.deepEqual(rebuilt.match(tk, now), expected, `probe ${probe}`);
      hits += expected.length;
    }
    assert.ok(hits > 100, `probes should hit (${hits})`);
  });
});
