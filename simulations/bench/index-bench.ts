/**
 * Cost of the decision path's in-memory indexes (linkage, velocity, lists) on this machine, so the claim "served from
 * memory within the p99 budget" rests on figures: builds a SQLite store with N links spread over 30 days (most
 * applicants alone, some gangs sharing devices and IPs, one carrier-grade NAT address shared by thousands), rebuilds
 * the indexes from it as a restart would, then times `assess`/`match` per call and `apply` per event.
 *
 *   node --import tsx simulations/bench/index-bench.ts [--links 100000] [--probes 50000] [--nat 3000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openKnex } from '../../common/db/index.js';
import { createRng, type Rng } from '../../common/random.js';
import { LINK_WINDOW_MS, LINKAGE_MIGRATIONS, LinkIndex, linkRow, writeLinks, type LinkEvent } from '../../decision/linkage/index.js';
import { ListIndex, type ListEntry } from '../../decision/lists/index.js';
import { VelocityIndex } from '../../decision/velocity/index.js';

const { values } = parseArgs({
  options: {
    links: { type: 'string', default: '100000' },
    probes: { type: 'string', default: '50000' },
    nat: { type: 'string', default: '3000' },
  },
});
const LINKS = Number(values.links);
const PROBES = Number(values.probes);
const NAT_APPLICANTS = Number(values.nat);
const NOW = Date.parse('2026-11-22T12:00:00.000Z');

const pick = (rng: Rng, n: number, prefix: string): string => `${prefix}${Math.floor(rng() * n)}`;

/** N events over the 30 days before NOW: 1/25 of them in gangs of ~20 sharing 3 devices and 2 IPs. */
function traffic(n: number, rng: Rng): LinkEvent[] {
  const events: LinkEvent[] = [];
  const applicants = Math.floor(n * 0.6);
  for (let i = 0; i < n; i++) {
    const at = NOW - Math.floor(rng() * LINK_WINDOW_MS);
    if (i % 25 === 0) {
      const gang = Math.floor(rng() * (n / 500));
      events.push({
        applicantToken: `g${gang}-${Math.floor(rng() * 20)}`,
        deviceId: `gd${gang}-${Math.floor(rng() * 3)}`,
        phoneToken: pick(rng, n, 'gp'),
        ipToken: `gi${gang}-${Math.floor(rng() * 2)}`,
        at,
      });
    } else {
      const a = Math.floor(rng() * applicants);
      events.push({ applicantToken: `a${a}`, deviceId: `d${a}`, phoneToken: `p${a}`, ipToken: pick(rng, n / 3, 'i'), at });
    }
  }
  for (let i = 0; i < NAT_APPLICANTS; i++) {
    events.push({ applicantToken: `nat${i}`, deviceId: `natd${i}`, phoneToken: `natp${i}`, ipToken: 'cgnat', at: NOW - Math.floor(rng() * LINK_WINDOW_MS) });
  }
  return events.sort((x, y) => x.at - y.at);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Times `fn` once per probe, returns per-call microseconds (mean, p50, p99, max). */
function timeCalls<T>(probes: readonly T[], fn: (probe: T) => unknown): string {
  const us = new Float64Array(probes.length);
  let sink = 0;
  for (let i = 0; i < probes.length; i++) {
    const t0 = process.hrtime.bigint();
    if (fn(probes[i]!)) sink++;
    us[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  us.sort();
  const mean = us.reduce((s, v) => s + v, 0) / us.length;
  const f = (v: number) => v.toFixed(1).padStart(7);
  return `mean ${f(mean)} us  p50 ${f(percentile(us, 0.5))} us  p99 ${f(percentile(us, 0.99))} us  max ${f(us[us.length - 1]!)} us${sink < 0 ? '' : ''}`;
}

async function main(): Promise<void> {
  const rng = createRng(20261122);
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-index-bench-'));
  const knex = openKnex({ client: 'sqlite', filename: join(dir, 'bench.sqlite'), durability: 'normal' });
  try {
    await migrate(knex, LINKAGE_MIGRATIONS, 'bench_migrations');
    const events = traffic(LINKS, rng);
    let t = performance.now();
    await knex.transaction(async (trx) => writeLinks(trx, events.map((e, i) => linkRow(`app-${i}`, e))));
    console.log(`stored ${events.length} links (${NAT_APPLICANTS} behind one NAT address) in ${(performance.now() - t).toFixed(0)} ms`);

    t = performance.now();
    const links = await LinkIndex.load(knex, NOW);
    const tLinks = performance.now() - t;
    t = performance.now();
    const velocity = await VelocityIndex.load(knex, NOW);
    const tVelocity = performance.now() - t;
    const heap = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(`load: LinkIndex ${tLinks.toFixed(0)} ms ${JSON.stringify(links.stats)}, VelocityIndex ${tVelocity.toFixed(0)} ms; heap ${heap.toFixed(0)} MiB`);

    const probes: LinkEvent[] = Array.from({ length: PROBES }, (_, i) => {
      const known = events[Math.floor(rng() * events.length)]!;
      return i % 2 === 0
        ? { ...known, at: NOW + i }
        : { applicantToken: `new${i}`, deviceId: `newd${i}`, phoneToken: `newp${i}`, ipToken: pick(rng, LINKS / 3, 'i'), at: NOW + i };
    });
    const gangProbes = probes.map((p, i) => ({ ...p, applicantToken: `g${i % 100}-1`, deviceId: `gd${i % 100}-0`, ipToken: `gi${i % 100}-1` }));
    const natProbes = probes.slice(0, 2000).map((p, i) => ({ ...p, applicantToken: `nat${i}`, deviceId: `natd${i}`, ipToken: 'cgnat' }));

    console.log(`LinkIndex.assess, mixed traffic   ${timeCalls(probes, (p) => links.assess(p).clusterSize > 1)}`);
    console.log(`LinkIndex.assess, gang members    ${timeCalls(gangProbes, (p) => links.assess(p).clusterSize > 1)}`);
    console.log(`LinkIndex.assess, shared NAT IP   ${timeCalls(natProbes, (p) => links.assess(p).clusterSize > 1)}`);
    console.log(`VelocityIndex.assess              ${timeCalls(probes, (p) => velocity.assess(p.applicantToken, p.at).applications30d > 1)}`);

    const entries: ListEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
      id: `e${i}`,
      list: i % 10 === 0 ? 'white' : 'black',
      kind: (['idNumber', 'phone', 'bankCard', 'deviceId'] as const)[i % 4]!,
      token: i % 4 === 3 ? `d${i}` : `p${i}`,
      reason: 'bench',
      expiresAt: i % 3 === 0 ? new Date(NOW + 86_400_000).toISOString() : null,
      createdAt: new Date(NOW - i).toISOString(),
      createdBy: 'bench',
      removedAt: null,
      removedBy: null,
    }));
    const lists = ListIndex.fromEntries(entries);
    console.log(
      `ListIndex.match (20k entries)     ${timeCalls(probes, (p) => lists.match({ idNumber: p.applicantToken, phone: p.phoneToken, bankCard: null, deviceId: p.deviceId }, p.at).length > 0)}`,
    );

    const batches = Array.from({ length: 1000 }, (_, b) =>
      Array.from({ length: 20 }, (_, i) => ({ ...probes[(b * 20 + i) % probes.length]!, at: NOW + PROBES + b })),
    );
    console.log(`LinkIndex.apply, batch of 20      ${timeCalls(batches, (batch) => links.apply(batch))}`);
    console.log(`VelocityIndex.apply, batch of 20  ${timeCalls(batches, (batch) => velocity.apply(batch))}`);
  } finally {
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
