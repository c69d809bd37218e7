import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { createRng } from '../../common/random.js';
import { LINKAGE_MIGRATIONS, linkRow, writeLinks, type LinkEvent } from '../linkage/index.js';
import { tempDir } from '../testing/tiny-model.js';
import { DAY_MS, HOUR_MS, VELOCITY_WINDOW_MS, VelocityIndex } from './velocity-index.js';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');

const app = (applicantToken: string, at: number) => ({ applicantToken, at });

describe('VelocityIndex', () => {
  it('the first application counts itself in every window', () => {
    assert.deepEqual(new VelocityIndex().assess('a', T0), { applications1h: 1, applications24h: 1, applications30d: 1 });
  });

  it('counts within 1 h, 24 h and 30 days, boundaries excluded (at - t < window)', () => {
    const index = new VelocityIndex();
    index.apply([app('a', T0), app('other', T0)]);
    const at = (offset: number) => index.assess('a', T0 + offset);
    assert.deepEqual(at(HOUR_MS - 1), { applications1h: 2, applications24h: 2, applications30d: 2 });
    assert.deepEqual(at(HOUR_MS), { applications1h: 1, applications24h: 2, applications30d: 2 });
    assert.deepEqual(at(DAY_MS - 1), { applications1h: 1, applications24h: 2, applications30d: 2 });
    assert.deepEqual(at(DAY_MS), { applications1h: 1, applications24h: 1, applications30d: 2 });
    assert.deepEqual(at(VELOCITY_WINDOW_MS - 1), { applications1h: 1, applications24h: 1, applications30d: 2 });
    assert.deepEqual(at(VELOCITY_WINDOW_MS), { applications1h: 1, applications24h: 1, applications30d: 1 });
  });

  it('flags the documents\' example: a 6th application within the hour scores 6', () => {
    const index = new VelocityIndex();
    for (let i = 0; i < 5; i++) index.apply([app('burst', T0 + i * 10 * 60_000)]);
    assert.equal(index.assess('burst', T0 + 55 * 60_000).applications1h, 6);
    assert.equal(index.assess('burst', T0 + 65 * 60_000).applications1h, 5);
  });

  it('accepts out-of-order batches and evicts what left the window', () => {
    const index = new VelocityIndex();
    index.apply([app('a', T0 + 3), app('a', T0 + 1), app('a', T0 + 2), app('b', T0)]);
    assert.deepEqual(index.stats, { applicants: 2, applications: 4 });
    assert.equal(index.assess('a', T0 + VELOCITY_WINDOW_MS + 1).applications30d, 3);
    index.assess('c', T0 + 2 * VELOCITY_WINDOW_MS);
    assert.deepEqual(index.stats, { applicants: 0, applications: 0 });
  });
});

describe('VelocityIndex and application_links', () => {
  const tmp = tempDir('fedrisk-velocity-');
  let knex: Knex;

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: tmp.file('velocity.sqlite'), durability: 'normal' });
    await migrate(knex, LINKAGE_MIGRATIONS, 'test_migrations');
  });
  after(async () => {
    await knex.destroy();
    tmp.cleanup();
  });

  it('a rebuild from the table answers exactly like the index that applied the batches', async () => {
    const rng = createRng(7);
    const live = new VelocityIndex();
    let at = T0;
    let id = 0;
    for (let batch = 0; batch < 200; batch++) {
      at += Math.floor(rng() * 5 * HOUR_MS);
      const events: LinkEvent[] = Array.from({ length: 1 + Math.floor(rng() * 6) }, () => ({
        applicantToken: `a${Math.floor(rng() * 60)}`,
        deviceId: 'd',
        phoneToken: 'p',
        ipToken: 'i',
        at: at - Math.floor(rng() * 2000),
      }));
      await knex.transaction((trx) => writeLinks(trx, events.map((e) => linkRow(`app-${id++}`, e))));
      live.apply(events);
    }
    const rebuilt = await VelocityIndex.load(knex, at);
    let busy = 0;
    const probes = Array.from({ length: 300 }, () => ({
      applicant: `a${Math.floor(rng() * 70)}`,
      when: at + Math.floor(rng() * 2 * DAY_MS),
    })).sort((x, y) => x.when - y.when);
    for (const { applicant, when } of probes) {
      const expected = live.assess(applicant, when);
      assert.deepEqual(rebuilt.assess(applicant, when), expected, `${applicant} at ${when}`);
      if (expected.applications30d > 3) busy++;
    }
    assert.ok(busy > 50, `the data should have repeat applicants (${busy})`);
  });
});
