import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { createRng } from '../../common/random.js';
import { LinkIndex, type LinkEvent } from '../../decision/linkage/link-index.js';
import { LINKS_TABLE, linkRow, readLinkEvents, writeLinks, type LinkRow } from '../../decision/linkage/write-links.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import { DAY_MS, VelocityIndex } from '../../decision/velocity/velocity-index.js';
import type { StoreContract } from './contract.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const MIN = 60_000;

const ev = (applicant: string, device: string, phone: string, ip: string, at: number): LinkEvent => ({
  applicantToken: applicant,
  deviceId: device,
  phoneToken: phone,
  ipToken: ip,
  at,
});

const readAll = async (knex: Knex, sinceMs: number, pageSize?: number): Promise<LinkEvent[]> => {
  const seen: LinkEvent[] = [];
  const n = await readLinkEvents(knex, sinceMs, (e) => seen.push(e), pageSize);
  assert.equal(n, seen.length);
  return seen;
};

/**
 * `application_links`, the one table behind the link and velocity indexes, on every backend: rows round-trip
 * (`at_ms` is a bigint, which PostgreSQL hands back as text), reads page in a stable order, and both indexes
 * rebuilt from the table answer exactly like the ones that applied the same events after each commit.
 */
export const applicationLinksContract: StoreContract = {
  name: 'decision/application_links (LinkIndex, VelocityIndex)',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    before(async () => {
      knex = await open();
    });

    it('round-trips rows and events: at_ms comes back as the same number', async () => {
      const events = [
        ev('rt-a', 'rt-d', 'rt-p', 'rt-i', T0 - 400 * DAY_MS),
        ev('rt-b', 'rt-d', 'rt-p2', 'rt-i', T0 - 400 * DAY_MS + 1),
        ev('rt-c', 'd'.repeat(64), 'p'.repeat(128), 'i'.repeat(128), T0 - 399 * DAY_MS),
      ];
      const rows = events.map((e, i) => linkRow(`app-rt-${i}`, e));
      await knex.transaction((trx) => writeLinks(trx, rows));
      const stored = await knex<LinkRow>(LINKS_TABLE).whereIn('application_id', rows.map((r) => r.application_id)).orderBy('application_id');
      assert.deepEqual(
        stored.map((r) => ({ ...r, at_ms: Number(r.at_ms) })),
        rows,
      );
      const seen = await readAll(knex, events[0]!.at - 1);
      assert.deepEqual(seen, events);
      assert.ok(seen.every((e) => typeof e.at === 'number'));
    });

    it('keeps the largest time a row may hold exactly', async () => {
      const db = await open();
      const far = ev('far', 'far-d', 'far-p', 'far-i', 8.64e15);
      await writeLinks(db, [linkRow('app-far', far)]);
      assert.deepEqual(await readAll(db, 8.64e15 - 1), [far]);
      assert.deepEqual(await readAll(db, 8.64e15), []);
    });

    it('refuses a second row for one application and stores nothing of that statement', async () => {
      const e = ev('dup-a', 'dup-d', 'dup-p', 'dup-i', T0 - 300 * DAY_MS);
      await writeLinks(knex, [linkRow('app-dup', e)]);
      const fresh = ev('dup-b', 'dup-d', 'dup-p', 'dup-i', T0 - 300 * DAY_MS + 5);
      await assert.rejects(knex.transaction((trx) => writeLinks(trx, [linkRow('app-dup-2', fresh), linkRow('app-dup', e)])));
      assert.deepEqual(await readAll(knex, T0 - 300 * DAY_MS - 1).then((s) => s.filter((x) => x.applicantToken.startsWith('dup-'))), [e]);
    });

    it('reads in pages, oldest first, ties by application id, strictly after the given time', async () => {
      const base = T0 - 200 * DAY_MS;
      const events = Array.from({ length: 10 }, (_, i) => ev(`pg${i}`, 'dpg', 'ppg', 'ipg', base + Math.floor(i / 3)));
      await knex.transaction((trx) => writeLinks(trx, events.map((e, i) => linkRow(`page-${9 - i}`, e)).reverse()));
      for (const pageSize of [1, 2, 3, 10, 11]) {
        const seen = (await readAll(knex, base, pageSize)).filter((e) => e.applicantToken.startsWith('pg')).map((e) => e.applicantToken);
        assert.deepEqual(seen, ['pg5', 'pg4', 'pg3', 'pg8', 'pg7', 'pg6', 'pg9'], `page size ${pageSize}`);
      }
    });

    it('LinkIndex and VelocityIndex loaded from the table answer exactly like the ones fed by apply()', async () => {
      const rng = createRng(20261122);
      const pick = (n: number, p: string): string => `${p}${Math.floor(rng() * n)}`;
      const links = new LinkIndex();
      const velocity = new VelocityIndex();
      let at = T0;
      let id = 0;
      // 40 days of traffic, so part of it has left the 30-day window; small pools make clusters and repeat applicants.
      for (let batch = 0; batch < 160; batch++) {
        at += Math.floor(rng() * 6 * 60 * MIN);
        const events = Array.from({ length: 1 + Math.floor(rng() * 6) }, () =>
          ev(pick(150, 'a'), pick(90, 'd'), pick(160, 'p'), pick(70, 'i'), at - Math.floor(rng() * 3000)),
        );
        for (const e of events.slice(0, 2)) {
          links.assess({ ...e, at });
          velocity.assess(e.applicantToken, at);
        }
        await knex.transaction((trx) => writeLinks(trx, events.map((e) => linkRow(`app-${id++}`, e))));
        links.apply(events);
        velocity.apply(events);
      }
      const [loadedLinks, loadedVelocity] = await Promise.all([LinkIndex.load(knex, at), VelocityIndex.load(knex, at)]);
      assert.ok(loadedLinks.stats.links > 0 && loadedVelocity.stats.applications > 0);
      const probes = [
        ...Array.from({ length: 200 }, () => ev(pick(160, 'a'), pick(95, 'd'), pick(170, 'p'), pick(75, 'i'), at)),
        ...Array.from({ length: 100 }, () => ev(pick(160, 'a'), pick(95, 'd'), pick(170, 'p'), pick(75, 'i'), at + Math.floor(rng() * 5 * DAY_MS))),
      ].sort((x, y) => x.at - y.at);
      let clustered = 0;
      let repeat = 0;
      for (const p of probes) {
        const expected = links.assess(p);
        assert.deepEqual(loadedLinks.assess(p), expected, JSON.stringify(p));
        if (expected.clusterSize > 5) clustered++;
        const v = velocity.assess(p.applicantToken, p.at);
        assert.deepEqual(loadedVelocity.assess(p.applicantToken, p.at), v, `${p.applicantToken} at ${p.at}`);
        if (v.applications30d > 2) repeat++;
      }
      assert.ok(clustered > 30, `the data should form clusters (${clustered})`);
      assert.ok(repeat > 30, `the data should have repeat applicants (${repeat})`);
    });
  },
};
