import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { createRng } from '../../common/random.js';
import { tempDir } from '../testing/tiny-model.js';
import { LINK_WINDOW_MS, LinkIndex, type LinkEvent } from './link-index.js';
import { LINKAGE_MIGRATIONS } from './linkage-migrations.js';
import { linkRow, readLinkEvents, writeLinks } from './write-links.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const MIN = 60_000;

function ev(applicant: string, device: string, phone: string, ip: string, at = T0): LinkEvent {
  return { applicantToken: applicant, deviceId: device, phoneToken: phone, ipToken: ip, at };
}

/** Applicants a1..a5 joined alternately by a shared device and a shared IP; each has its own phone. */
function chain(at = T0): LinkEvent[] {
  return [
    ev('a1', 'd1', 'p1', 'i-a1', at),
    ev('a2', 'd1', 'p2', 'i12', at),
    ev('a3', 'd23', 'p3', 'i12', at),
    ev('a4', 'd23', 'p4', 'i45', at),
    ev('a5', 'd-a5', 'p5', 'i45', at),
  ];
}

/** Brute force: links last seen inside the window ending at `probe.at`, union-find, the probe's own links added. */
function reference(all: readonly LinkEvent[], probe: LinkEvent, windowMs: number) {
  const cutoff = probe.at - windowMs;
  const last = new Map<string, number>();
  for (const e of all) {
    for (const k of [`d:${e.deviceId}`, `p:${e.phoneToken}`, `i:${e.ipToken}`]) {
      const key = `${e.applicantToken}|${k}`;
      last.set(key, Math.max(last.get(key) ?? -Infinity, e.at));
    }
  }
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const perIdentifier = new Map<string, Set<string>>();
  for (const [key, t] of last) {
    if (t <= cutoff) continue;
    const [a, k] = key.split('|') as [string, string];
    union(`a:${a}`, k);
    if (!perIdentifier.has(k)) perIdentifier.set(k, new Set());
    perIdentifier.get(k)!.add(a);
  }
  const own = [`d:${probe.deviceId}`, `p:${probe.phoneToken}`, `i:${probe.ipToken}`];
  for (const k of own) union(`a:${probe.applicantToken}`, k);
  const root = find(`a:${probe.applicantToken}`);
  let clusterSize = 0;
  for (const x of parent.keys()) if (x.startsWith('a:') && find(x) === root) clusterSize++;
  const on = (k: string) => new Set([...(perIdentifier.get(k) ?? []), probe.applicantToken]).size;
  return { applicantsPerDevice30d: on(own[0]!), applicantsPerPhone30d: on(own[1]!), applicantsPerIp30d: on(own[2]!), clusterSize };
}

describe('LinkIndex on a crafted graph', () => {
  it('a first-time applicant on fresh identifiers counts itself only', () => {
    const index = new LinkIndex();
    assert.deepEqual(index.assess(ev('x', 'dx', 'px', 'ix')), {
      applicantsPerDevice30d: 1,
      applicantsPerPhone30d: 1,
      applicantsPerIp30d: 1,
      clusterSize: 1,
    });
  });

  it('a chain of 5 applicants linked alternately by device and IP is one cluster of 5', () => {
    const index = new LinkIndex();
    index.apply(chain());
    const at = T0 + MIN;
    for (const e of chain(at)) assert.equal(index.assess(e).clusterSize, 5, e.applicantToken);
    // A newcomer on a5's IP joins the gang; one on unrelated identifiers does not.
    assert.equal(index.assess(ev('a6', 'd6', 'p6', 'i45', at)).clusterSize, 6);
    assert.equal(index.assess(ev('z', 'dz', 'pz', 'iz', at)).clusterSize, 1);
    // A newcomer who bridges two separate components joins both.
    index.apply([ev('b1', 'db', 'pb1', 'ib', T0), ev('b2', 'db', 'pb2', 'ib2', T0)]);
    assert.equal(index.assess(ev('bridge', 'db', 'pbr', 'i-a1', at)).clusterSize, 8);
  });

  it('counts distinct applicants per device, phone and IP, this one included', () => {
    const index = new LinkIndex();
    index.apply(chain());
    index.apply([ev('a1', 'd1', 'p1', 'i-a1', T0 + MIN)]); // the same applicant again: still one applicant
    const at = T0 + 2 * MIN;
    assert.deepEqual(index.assess(ev('a2', 'd1', 'p2', 'i12', at)), {
      applicantsPerDevice30d: 2,
      applicantsPerPhone30d: 1,
      applicantsPerIp30d: 2,
      clusterSize: 5,
    });
    const newcomer = index.assess(ev('n', 'd1', 'p1', 'i12', at));
    assert.equal(newcomer.applicantsPerDevice30d, 3);
    assert.equal(newcomer.applicantsPerPhone30d, 2);
    assert.equal(newcomer.applicantsPerIp30d, 3);
  });

  it('links leave the window exactly 30 days after they were made', () => {
    const index = new LinkIndex();
    index.apply(chain());
    const probe = (at: number) => index.assess(ev('a1', 'd1', 'p1', 'i-a1', at));
    assert.equal(probe(T0 + LINK_WINDOW_MS - 1).clusterSize, 5);
    assert.equal(probe(T0 + LINK_WINDOW_MS - 1).applicantsPerDevice30d, 2);
    assert.deepEqual(probe(T0 + LINK_WINDOW_MS), {
      applicantsPerDevice30d: 1,
      applicantsPerPhone30d: 1,
      applicantsPerIp30d: 1,
      clusterSize: 1,
    });
  });

  it('an expired link splits the cluster while fresh links keep theirs', () => {
    const index = new LinkIndex();
    const [e1, e2, ...rest] = chain();
    index.apply([e1!, e2!]); // a1-a2 via d1, old
    const later = T0 + 20 * 24 * 60 * MIN;
    index.apply(rest.map((e) => ({ ...e, at: later })));
    index.apply([{ ...e2!, at: later }]); // a2 re-applies: a2-i12 is fresh again, a2-d1 and a1-d1 are not
    const at = T0 + LINK_WINDOW_MS + MIN;
    assert.equal(index.assess(ev('a5', 'd-a5', 'p5', 'i45', at)).clusterSize, 4);
    // a1's own link to d1 has expired, but applying again on d1 re-joins it through a2's fresh link.
    assert.equal(index.assess(ev('a1', 'd1', 'p1', 'i-a1', at)).clusterSize, 5);
    assert.equal(index.assess(ev('a1', 'd1', 'p1', 'i-a1', at)).applicantsPerDevice30d, 2);
  });

  it('evicts as the window moves: memory returns to empty once everything left the window', () => {
    const index = new LinkIndex();
    index.apply(chain());
    // The chain is a tree: 16 vertices, 15 links, all of them in the spanning forest.
    assert.deepEqual(index.stats, { applicants: 5, identifiers: 11, links: 15, queued: 5, treeEdges: 15 });
    index.assess(ev('late', 'dl', 'pl', 'il', T0 + LINK_WINDOW_MS));
    assert.deepEqual(index.stats, { applicants: 0, identifiers: 0, links: 0, queued: 0, treeEdges: 0 });
  });

  it('agrees with a brute-force union-find on random graphs with expiry and out-of-order batches', () => {
    const rng = createRng(1234);
    const window = 10 * MIN;
    const index = new LinkIndex(window);
    const all: LinkEvent[] = [];
    const pick = (n: number, p: string) => `${p}${Math.floor(rng() * n)}`;
    let at = T0;
    let big = 0;
    for (let step = 0; step < 1500; step++) {
      at += Math.floor(rng() * 20_000);
      const probe = ev(pick(150, 'a'), pick(90, 'd'), pick(160, 'p'), pick(70, 'i'), at);
      const expected = reference(all, probe, window);
      assert.deepEqual(index.assess(probe), expected, `step ${step}`);
      if (expected.clusterSize > 10) big++;
      const batch = Array.from({ length: 1 + Math.floor(rng() * 3) }, () =>
        ev(pick(150, 'a'), pick(90, 'd'), pick(160, 'p'), pick(70, 'i'), at - Math.floor(rng() * 5000)),
      );
      index.apply(batch);
      all.push(...batch);
    }
    assert.ok(big > 100, `clusters should grow and shrink (${big})`);
  });

  it('counts exactly when batches arrive out of time order', () => {
    const index = new LinkIndex();
    const events = Array.from({ length: 50 }, (_, i) => ev(`o${i}`, 'dev', `p${i}`, `ip${i}`, T0 + ((i * 37) % 50) * MIN));
    index.apply(events);
    for (let k = 0; k <= 50; k += 5) {
      const at = T0 + LINK_WINDOW_MS + k * MIN;
      const expected = events.filter((e) => e.at > at - LINK_WINDOW_MS).length + 1;
      assert.equal(index.assess(ev('new', 'dev', 'pn', 'in', at)).applicantsPerDevice30d, expected, `k=${k}`);
    }
  });
});

describe('LinkIndex and application_links', () => {
  const tmp = tempDir('fedrisk-links-');
  let knex: Knex;

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: tmp.file('links.sqlite'), durability: 'normal' });
    await migrate(knex, LINKAGE_MIGRATIONS, 'test_migrations');
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('round-trips rows and refuses a second row for one application', async () => {
    const e = ev('rt', 'drt', 'prt', 'irt', T0 - 10 * LINK_WINDOW_MS);
    await knex.transaction((trx) => writeLinks(trx, [linkRow('app-rt', e)]));
    const seen: LinkEvent[] = [];
    await readLinkEvents(knex, e.at - 1, (x) => seen.push(x));
    assert.deepEqual(seen, [e]);
    await assert.rejects(knex.transaction((trx) => writeLinks(trx, [linkRow('app-rt', e)])));
    assert.throws(() => linkRow('app-x', { ...e, at: 1.5 }), (err) => err instanceof FedriskError && err.details.field === 'at');
    assert.throws(() => linkRow('app-x', { ...e, ipToken: '' }), (err) => err instanceof FedriskError && err.details.field === 'ipToken');
  });

  it('reads in pages, oldest first, ties by application id, only after the given time', async () => {
    const base = T0 - 5 * LINK_WINDOW_MS; // after the round-trip row, before the traffic below
    const events = Array.from({ length: 10 }, (_, i) => ev(`pg${i}`, 'dpg', 'ppg', 'ipg', base + Math.floor(i / 3)));
    await knex.transaction((trx) => writeLinks(trx, events.map((e, i) => linkRow(`page-${9 - i}`, e)).reverse()));
    for (const pageSize of [1, 2, 3, 10, 11]) {
      const seen: string[] = [];
      const n = await readLinkEvents(knex, base, (e) => seen.push(e.applicantToken), pageSize);
      // at = base is excluded (strictly after); within one millisecond, application ids ascend (page-6 < page-5 ...).
      assert.deepEqual(seen, ['pg5', 'pg4', 'pg3', 'pg8', 'pg7', 'pg6', 'pg9'], `page size ${pageSize}`);
      assert.equal(n, 7);
    }
    await knex('application_links').where('applicant_token', 'like', 'pg%').delete();
  });

  it('a rebuild from the table answers exactly like the index that applied the batches', async () => {
    const rng = createRng(42);
    const pick = (n: number, p: string) => `${p}${Math.floor(rng() * n)}`;
    const live = new LinkIndex();
    let at = T0;
    let id = 0;
    // 45 days of traffic in batches, so part of it has left the window; small pools make real clusters.
    for (let batch = 0; batch < 300; batch++) {
      at += Math.floor(rng() * 4 * 60 * MIN);
      const events = Array.from({ length: 1 + Math.floor(rng() * 8) }, () =>
        ev(pick(400, 'a'), pick(250, 'd'), pick(420, 'p'), pick(200, 'i'), at - Math.floor(rng() * 3000)),
      );
      for (const e of events.slice(0, 2)) live.assess({ ...e, at });
      await knex.transaction((trx) => writeLinks(trx, events.map((e) => linkRow(`app-${id++}`, e))));
      live.apply(events);
    }
    const rebuilt = await LinkIndex.load(knex, at);
    const probes = [
      ...Array.from({ length: 300 }, () => ev(pick(420, 'a'), pick(260, 'd'), pick(430, 'p'), pick(210, 'i'), at)),
      ...Array.from({ length: 100 }, () => ev(pick(420, 'a'), pick(260, 'd'), pick(430, 'p'), pick(210, 'i'), at + Math.floor(rng() * 5 * 24 * 60 * MIN))),
    ].sort((x, y) => x.at - y.at);
    let clustered = 0;
    for (const p of probes) {
      const expected = live.assess(p);
      assert.deepEqual(rebuilt.assess(p), expected, JSON.stringify(p));
      if (expected.clusterSize > 5) clustered++;
    }
    assert.ok(clustered > 50, `the data should form clusters (${clustered})`);
  });
});
