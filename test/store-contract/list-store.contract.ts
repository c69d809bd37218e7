import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { ListIndex, type ListMatchTokens } from '../../decision/lists/list-index.js';
import { EXPIRED_BY, createListStore, type ListEntry, type ListEntryRow, type ListStore, type NewListEntry } from '../../decision/lists/list-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const T0 = Date.parse('2026-11-22T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

const entry = (over: Partial<NewListEntry> = {}): NewListEntry => ({
  list: 'black',
  kind: 'idNumber',
  token: 'tok-id-1',
  reason: 'fraud ring',
  expiresAt: null,
  createdBy: 'admin-1',
  ...over,
});

/** Match tokens where only one kind carries a real token. */
const only = (kind: keyof ListMatchTokens, token: string): ListMatchTokens => ({
  idNumber: kind === 'idNumber' ? token : 'none',
  phone: kind === 'phone' ? token : 'none',
  bankCard: kind === 'bankCard' ? token : null,
  deviceId: kind === 'deviceId' ? token : 'none',
});

/**
 * The black and white lists on every backend: live entries are unique per list, kind and token (also under
 * concurrent adds, where PostgreSQL's parallel connections reach the partial unique index), removal is a soft
 * delete, expired entries stop counting, and an index loaded from the table matches like the one kept in step.
 */
export const listStoreContract: StoreContract = {
  name: 'decision/ListStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let lists: ListStore;
    let clock = T0;
    const tick = (ms = 1): number => (clock += ms);
    /** Kept in step with every successful write, as the service does. */
    const live = new ListIndex();
    const probes: ListMatchTokens[] = [];
    const add = async (e: NewListEntry): Promise<ListEntry> => {
      tick();
      const added = await lists.add(e);
      live.applyAdd(added);
      probes.push(only(e.kind, e.token));
      return added;
    };

    before(async () => {
      knex = await open();
      lists = createListStore(knex, () => new Date(clock));
    });

    it('starts empty', async () => {
      assert.deepEqual(await lists.list({ limit: 10, offset: 0 }), []);
      assert.equal(await lists.get(randomUUID()), null);
      assert.equal(await lists.get('not-a-uuid'), null);
      assert.equal((await ListIndex.load(knex)).size, 0);
    });

    it('adds entries and reads them back exactly, newest first, filtered and paged', async () => {
      const a = await add(entry());
      const b = await add(entry({ list: 'white', kind: 'phone', token: 'tok-phone-1', reason: '白名单 VIP' }));
      const c = await add(entry({ kind: 'deviceId', token: 'tok-dev-1', expiresAt: iso(T0 + 86_400_000), createdBy: 'ops' }));
      assert.deepEqual(a, {
        id: a.id,
        list: 'black',
        kind: 'idNumber',
        token: 'tok-id-1',
        reason: 'fraud ring',
        expiresAt: null,
        createdAt: iso(T0 + 1),
        createdBy: 'admin-1',
        removedAt: null,
        removedBy: null,
      });
      for (const e of [a, b, c]) assert.deepEqual(await lists.get(e.id), e);
      assert.deepEqual(await lists.list({ limit: 10, offset: 0 }), [c, b, a]);
      assert.deepEqual(await lists.list({ list: 'black', limit: 10, offset: 0 }), [c, a]);
      assert.deepEqual(await lists.list({ kind: 'phone', limit: 10, offset: 0 }), [b]);
      assert.deepEqual(await lists.list({ limit: 1, offset: 1 }), [b]);
      await assert.rejects(lists.add(entry({ token: '' })), isCode('INVALID_ARGUMENT'));
      await assert.rejects(lists.list({ limit: 0, offset: 0 }), isCode('INVALID_ARGUMENT'));
    });

    it('refuses a second live entry for the same list, kind and token; other lists and kinds are separate', async () => {
      await assert.rejects(lists.add(entry({ reason: 'again' })), isCode('ALREADY_EXISTS'));
      await add(entry({ list: 'white' }));
      await add(entry({ kind: 'phone' }));
      const rows = await knex<ListEntryRow>('list_entries').where({ list: 'black', kind: 'idNumber', token: 'tok-id-1' });
      assert.equal(rows.length, 1);
    });

    it('has the database refuse a second live row, whatever code writes it', async () => {
      const [row] = await knex<ListEntryRow>('list_entries').where({ list: 'black', kind: 'idNumber', token: 'tok-id-1' });
      await assert.rejects(knex<ListEntryRow>('list_entries').insert({ ...row!, id: randomUUID() }));
      // A removed row does not count.
      await knex<ListEntryRow>('list_entries').insert({ ...row!, id: randomUUID(), removed_at: iso(T0), removed_by: 'x' });
    });

    it('refuses all but one of concurrent adds of the same entry', async () => {
      for (const token of ['race-1', 'race-2', 'race-3']) {
        tick();
        const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => lists.add(entry({ token, createdBy: `writer-${i}` }))));
        const won = results.filter((r): r is PromiseFulfilledResult<ListEntry> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, `one add of ${token} wins`);
        assert.ok(lost.every((r) => isCode('ALREADY_EXISTS')(r.reason)), lost.map((r) => String(r.reason)).join('; '));
        live.applyAdd(won[0]!.value);
        probes.push(only('idNumber', token));
        const rows = await knex<ListEntryRow>('list_entries').where({ token }).whereNull('removed_at');
        assert.deepEqual(rows.map((r) => r.id), [won[0]!.value.id]);
      }
    });

    it('removes softly and idempotently; the stamp of the first removal stays; a removed entry may be listed again', async () => {
      const e = await add(entry({ token: 'tok-remove', reason: 'to remove' }));
      tick();
      const removed = await lists.remove(e.id, 'admin-2');
      live.applyRemove(e.id);
      assert.deepEqual(removed, { ...e, removedAt: iso(clock), removedBy: 'admin-2' });
      assert.deepEqual(await lists.get(e.id), removed);
      tick();
      assert.deepEqual(await lists.remove(e.id, 'admin-3'), removed);
      await assert.rejects(lists.remove(randomUUID(), 'admin-2'), isCode('NOT_FOUND'));
      await assert.rejects(lists.remove('not-a-uuid', 'admin-2'), isCode('NOT_FOUND'));
      assert.equal((await lists.list({ limit: 1000, offset: 0 })).some((x) => x.id === e.id), false);
      assert.deepEqual((await lists.list({ includeRemoved: true, limit: 1000, offset: 0 })).find((x) => x.id === e.id), removed);
      const again = await add(entry({ token: 'tok-remove', reason: 'back' }));
      assert.notEqual(again.id, e.id);
    });

    it('finds and removes an entry by its id in upper case too (a uuid is a uuid)', async () => {
      const e = await add(entry({ token: 'tok-upper' }));
      assert.deepEqual(await lists.get(e.id.toUpperCase()), e);
      tick();
      const removed = await lists.remove(e.id.toUpperCase(), 'admin-2');
      live.applyRemove(e.id);
      assert.equal(removed.removedAt, iso(clock));
      assert.equal((await lists.get(e.id))?.removedAt, iso(clock), 'removed in the store, not only in the answer');
    });

    it('stops counting expired entries, and lets a new entry replace an expired one', async () => {
      const e = await add(entry({ kind: 'bankCard', token: 'tok-card', expiresAt: iso(clock + 1000) }));
      assert.deepEqual(await lists.list({ kind: 'bankCard', limit: 10, offset: 0 }), [e]);
      assert.deepEqual(live.match(only('bankCard', 'tok-card'), clock), [{ list: 'black', kind: 'bankCard', reason: 'fraud ring' }]);
      tick(1000);
      assert.deepEqual(await lists.list({ kind: 'bankCard', limit: 10, offset: 0 }), []);
      assert.deepEqual(await lists.list({ kind: 'bankCard', includeExpired: true, limit: 10, offset: 0 }), [e]);
      assert.deepEqual((await ListIndex.load(knex)).match(only('bankCard', 'tok-card'), clock), [], 'expired: no match');
      await assert.rejects(lists.add(entry({ kind: 'bankCard', token: 'tok-x', expiresAt: iso(clock) })), isCode('INVALID_ARGUMENT'));
      const next = await add(entry({ kind: 'bankCard', token: 'tok-card', reason: 'relisted' }));
      const old = await lists.get(e.id);
      assert.deepEqual(old, { ...e, removedAt: next.createdAt, removedBy: EXPIRED_BY });
      assert.deepEqual(await lists.list({ kind: 'bankCard', limit: 10, offset: 0 }), [next]);
    });

    it('an index loaded from the table matches exactly like the one kept in step with the writes', async () => {
      await add(entry({ list: 'white', kind: 'deviceId', token: 'tok-dev-1', reason: 'trusted device' }));
      await add(entry({ kind: 'phone', token: 'tok-soon', expiresAt: iso(clock + 5000) }));
      const loaded = await ListIndex.load(knex);
      const rows = await knex<ListEntryRow>('list_entries').whereNull('removed_at');
      assert.equal(loaded.size, rows.length);
      let hits = 0;
      for (const at of [clock, clock + 4000, clock + 10_000, T0 + 2 * 86_400_000]) {
        for (const p of probes) {
          const expected = live.match(p, at);
          hits += expected.length;
          assert.deepEqual(loaded.match(p, at), expected, `${JSON.stringify(p)} at ${iso(at)}`);
        }
      }
      assert.ok(hits > 20, `the probes should hit entries (${hits})`);
    });
  },
};
