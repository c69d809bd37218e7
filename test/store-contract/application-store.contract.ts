import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { RulesContext } from '../../decision/pipeline/decision-types.js';
import {
  applicationRow,
  createApplicationStore,
  writeApplications,
  type ApplicationRecord,
  type ApplicationStore,
  type DecisionDetails,
} from '../../decision/store/application-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import { createModelStore } from '../../decision/store/model-store.js';
import { tinyModel } from '../../decision/testing/tiny-model.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const record = (over: Partial<ApplicationRecord> = {}): ApplicationRecord => ({
  id: randomUUID(),
  createdAt: '2026-11-22T01:00:00.000Z',
  modelVersion: 'm1',
  probabilityOfDefault: 0.0196078431372549,
  score: 600,
  grade: 'A',
  decision: 'approve',
  featuresDigest: 'a'.repeat(64),
  ...over,
});

const context = (amount: number): RulesContext => ({
  application: { amount, termMonths: 12 },
  device: { deviceId: 'dev-1', emulator: false, root: false, hook: false, proxy: true, vpn: false, botLike: false, blacklisted: false },
  applicant: { blacklisted: false, whitelisted: false, blacklistKinds: ['phone'] },
  velocity: { applications1h: 1, applications24h: 2, applications30d: 3 },
  linkage: { applicantsPerDevice30d: 1, applicantsPerPhone30d: 1, applicantsPerIp30d: 4, clusterSize: 4 },
  behaviour: { formFillSeconds: 12.5, pasteEvents: null, screenSwitches: 0 },
  model: { probabilityOfDefault: 0.02, score: 600, grade: 'A' },
});

const details = (over: Partial<DecisionDetails> = {}): DecisionDetails => ({
  applicantToken: 't'.repeat(43),
  amount: 5000.5,
  termMonths: 12,
  status: 'decided',
  reasonCodes: ['R_OK'],
  ruleHits: [{ ruleId: 'proxy', flag: 'proxy', action: 'flag', reasonCode: 'D_PROXY' }],
  flags: ['proxy'],
  rulesVersion: 3,
  policyVersion: 2,
  apr: 0.1799,
  creditLimit: 20000,
  rulesContext: context(5000.5),
  apiKeyId: '6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  // Beyond 32 bits: a bigint column, which PostgreSQL hands back as a string.
  auditSeq: 2 ** 40 + 3,
  ...over,
});

export const applicationStoreContract: StoreContract = {
  name: 'decision/ApplicationStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let knex: Knex;
    let apps: ApplicationStore;
    before(async () => {
      knex = await open();
      await createModelStore(knex).deploy(tinyModel('m1'), { activate: true });
      apps = createApplicationStore(knex);
    });

    it('stores an application and reads it back exactly (floats, grade, decision)', async () => {
      const a = record();
      await apps.insert(a);
      assert.deepEqual(await apps.get(a.id), a);
      const b = record({ probabilityOfDefault: 0.1 + 0.2, score: 512.25, grade: 'E', decision: 'reject' });
      await apps.insert(b);
      assert.deepEqual(await apps.get(b.id), b);
    });

    it('stores the full decision record (details) and reads it back exactly', async () => {
      const a = record({ details: details() });
      await apps.insert(a);
      assert.deepEqual(await apps.get(a.id), a);
      const review = record({ decision: 'review', details: details({ status: 'review', apr: null, creditLimit: null, apiKeyId: null, auditSeq: 1 }) });
      await apps.insert(review);
      assert.deepEqual(await apps.get(review.id), review);
    });

    it('batch-writes rows in a transaction (writeApplications) and lists the newest for dry runs', async () => {
      const batch = Array.from({ length: 45 }, (_, i) =>
        record({
          createdAt: `2026-11-23T00:00:${String(i).padStart(2, '0')}.000Z`,
          decision: i % 2 === 0 ? 'approve' : 'reject',
          details: details({ rulesContext: context(i), auditSeq: 100 + i }),
        }),
      );
      await knex.transaction((trx) => writeApplications(trx, batch.map(applicationRow)));
      for (const a of [batch[0]!, batch[44]!]) assert.deepEqual(await apps.get(a.id), a);
      const recent = await apps.recentForDryRun(3);
      assert.deepEqual(
        recent,
        [44, 43, 42].map((i) => ({ applicationId: batch[i]!.id, context: context(i), outcome: batch[i]!.decision })),
      );
      assert.equal((await apps.recentForDryRun(1000)).length, 45 + 2, 'only records with a rules context');
    });

    it('answers null for an unknown id, and for a string that is not an id at all', async () => {
      assert.equal(await apps.get('00000000-0000-4000-8000-000000000000'), null);
      assert.equal(await apps.get('not-a-uuid'), null);
      assert.equal(await apps.get(''), null);
    });

    it('treats ids case-insensitively (a uuid is a uuid)', async () => {
      const a = record();
      await apps.insert({ ...a, id: a.id.toUpperCase() });
      assert.deepEqual(await apps.get(a.id), a);
      assert.deepEqual(await apps.get(a.id.toUpperCase()), a);
    });

    it('refuses an id that is not a uuid', async () => {
      await assert.rejects(apps.insert(record({ id: 'app-1' })), isCode('INVALID_ARGUMENT'));
    });

    it('is append-only: the same id twice is refused and the first record stays', async () => {
      const a = record();
      await apps.insert(a);
      await assert.rejects(apps.insert({ ...a, decision: 'reject' }));
      assert.deepEqual(await apps.get(a.id), a);
    });

    it('refuses an application of a model that was never deployed (foreign key)', async () => {
      const ghost = record({ modelVersion: 'ghost' });
      await assert.rejects(apps.insert(ghost));
      assert.equal(await apps.get(ghost.id), null);
    });
  },
};
