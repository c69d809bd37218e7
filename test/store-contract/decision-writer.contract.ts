import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { AUDIT_TABLE, AuditChain, type AuditRow } from '../../decision/audit/audit-chain.js';
import { verifyAuditLog } from '../../decision/audit/verify-audit-log.js';
import { CALLBACK_DELIVERIES_TABLE, callbackDeliveryRow, writeCallbackDeliveries, type CallbackDeliveryRow } from '../../decision/callbacks/callback-store.js';
import { IDEMPOTENCY_TABLE, idempotencyRow, type IdempotencyRow } from '../../decision/idempotency/idempotency-row.js';
import type { LinkEvent } from '../../decision/linkage/link-index.js';
import { LINKS_TABLE, linkRow, readLinkEvents, type LinkRow } from '../../decision/linkage/write-links.js';
import { DecisionWriter, type WriteItem } from '../../decision/pipeline/decision-writer.js';
import type { RulesContext } from '../../decision/pipeline/decision-types.js';
import { APPLICANTS_TABLE, applicantRow, createApplicantStore, type ApplicantRow } from '../../decision/pii/applicant-store.js';
import { normaliseApplicant } from '../../decision/pii/identifier-rules.js';
import { loadOrCreateKeyring } from '../../decision/pii/pii-keyring.js';
import { PiiVault } from '../../decision/pii/pii-vault.js';
import { nthIdNumber, validBankCard, validPhone } from '../../decision/pii/valid-id-number.js';
import { REVIEWS_TABLE, reviewFromRow, reviewRow, type ReviewRow } from '../../decision/reviews/review-row.js';
import { createReviewStore } from '../../decision/reviews/review-store.js';
import { applicationRow, createApplicationStore, type ApplicationRecord, type ApplicationRow } from '../../decision/store/application-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import { createModelStore } from '../../decision/store/model-store.js';
import { tinyModel } from '../../decision/testing/tiny-model.js';
import type { StoreContract } from './contract.js';

const T0 = Date.parse('2026-11-22T12:00:00.000Z');
const MAX_BATCH = 16;

const context = (n: number): RulesContext => ({
  application: { amount: 1000 + n, termMonths: 12 },
  device: { deviceId: `dev-${n % 7}`, emulator: false, root: n % 11 === 0, hook: false, proxy: n % 2 === 0, vpn: false, botLike: false, blacklisted: false },
  applicant: { blacklisted: false, whitelisted: n % 13 === 0, blacklistKinds: [] },
  velocity: { applications1h: 1, applications24h: 1 + (n % 3), applications30d: 2 },
  linkage: { applicantsPerDevice30d: 1, applicantsPerPhone30d: 1, applicantsPerIp30d: 2, clusterSize: 3 },
  behaviour: { formFillSeconds: 20.5, pasteEvents: null, screenSwitches: 1 },
  model: { probabilityOfDefault: 0.05, score: 610, grade: 'B' },
});

/** One decision's rows, built with the stages' own row builders, and what each table must hold afterwards. */
interface Decision {
  applicationId: string;
  /** The application record as stored, but for `details.auditSeq` (known once the writer assigns the seq). */
  record: ApplicationRecord & { details: NonNullable<ApplicationRecord['details']> };
  applicant: ApplicantRow;
  event: LinkEvent;
  link: LinkRow;
  review: ReviewRow | null;
  idempotency: IdempotencyRow | null;
  callback: CallbackDeliveryRow | null;
  item: WriteItem;
}

function decision(vault: PiiVault, n: number, over: { applicationId?: string } = {}): Decision {
  const applicationId = over.applicationId ?? randomUUID();
  const now = new Date(T0 + n * 1000);
  const iso = now.toISOString();
  const person = normaliseApplicant({ idNumber: nthIdNumber(5000 + n), name: `申请人${n}`, phone: validPhone(5000 + n), bankCard: n % 2 ? validBankCard(n) : undefined });
  const tokens = {
    idToken: vault.tokenize('idNumber', person.idNumber),
    phoneToken: vault.tokenize('phone', person.phone),
    bankCardToken: person.bankCard ? vault.tokenize('bankCard', person.bankCard) : null,
  };
  const outcome = n % 3 === 0 ? 'review' : n % 5 === 0 ? 'reject' : 'approve';
  const inputDigest = createHash('sha256').update(`input-${n}`).digest('hex');
  const record: Decision['record'] = {
    id: applicationId,
    createdAt: iso,
    modelVersion: 'm1',
    probabilityOfDefault: 0.05 + n / 10_000,
    score: 610 - n / 4,
    grade: 'B',
    decision: outcome,
    featuresDigest: inputDigest,
    details: {
      applicantToken: tokens.idToken,
      amount: 1000 + n,
      termMonths: 12,
      status: outcome === 'review' ? 'review' : 'decided',
      reasonCodes: outcome === 'review' ? ['R_GREY_ZONE'] : [],
      ruleHits: n % 2 === 0 ? [{ ruleId: 'proxy', flag: 'proxy', action: 'flag', reasonCode: 'D_PROXY' }] : [],
      flags: n % 2 === 0 ? ['proxy'] : [],
      rulesVersion: 1,
      policyVersion: 1,
      apr: outcome === 'reject' ? null : 0.1799,
      creditLimit: outcome === 'reject' ? 0 : 20000,
      rulesContext: context(n),
      apiKeyId: null,
      auditSeq: 0,
    },
  };
  const event: LinkEvent = { applicantToken: tokens.idToken, deviceId: `dev-${n % 7}`, phoneToken: tokens.phoneToken, ipToken: `ip-${n % 5}`, at: now.getTime() };
  const applicant = applicantRow(vault, tokens, person, iso);
  const link = linkRow(applicationId, event);
  const review = outcome === 'review' ? reviewRow(applicationId, { reasonCodes: ['R_GREY_ZONE'], proposedApr: 0.1799, proposedLimit: 20000 }, now) : null;
  const idempotency =
    n % 4 === 0 ? idempotencyRow('lender-1', `key-${n}`, { requestDigest: inputDigest, response: { status: 201, body: { applicationId, outcome } }, applicationId, now }) : null;
  const callback = n % 5 === 0 ? callbackDeliveryRow('https://lender.example.com/cb', { applicationId, outcome }, now) : null;
  const item: WriteItem = {
    audit: { kind: 'decision', at: iso, record: { type: 'decision', applicationId, inputDigest, outcome, n } },
    applicant,
    application: (auditSeq) => applicationRow({ ...record, details: { ...record.details, auditSeq } }),
    link,
    ...(review ? { review } : {}),
    ...(idempotency ? { idempotency } : {}),
    ...(callback ? { callback } : {}),
  };
  return { applicationId, record, applicant, event, link, review, idempotency, callback, item };
}

const count = async (knex: Knex, table: string): Promise<number> => {
  const rows = (await knex(table).count({ n: '*' })) as { n: number | string }[];
  return Number(rows[0]!.n);
};

const storedAudit = async (knex: Knex): Promise<AuditRow[]> => {
  const rows = (await knex(AUDIT_TABLE).select('*').orderBy('seq')) as (Omit<AuditRow, 'seq'> & { seq: number | string })[];
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
};

/**
 * The group-commit writer on every backend (SQLite: its literal-SQL `exec` fast path; PostgreSQL, and any batch with
 * an `extra` statement: the query-builder path). Concurrent decisions are stored once each with contiguous, verifiable
 * audit seqs that the application rows record; a batch that violates a constraint fails as a whole and the chain head
 * goes back to where it was.
 */
export const decisionWriterContract: StoreContract = {
  name: 'decision/DecisionWriter',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let dir: string;
    let vault: PiiVault;
    let knex: Knex;
    let writer: DecisionWriter;
    const commits: number[] = [];
    let failures = 0;
    const first: Decision[] = [];

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fedrisk-contract-writer-'));
      vault = new PiiVault(loadOrCreateKeyring(join(dir, 'pii-keyring.json')));
      knex = await open();
      await createModelStore(knex).deploy(tinyModel('m1'), { activate: true });
      writer = new DecisionWriter(knex, await AuditChain.load(knex), {
        log: silentLogger,
        maxBatch: MAX_BATCH,
        onCommit: (size) => commits.push(size),
        onFailure: async () => {
          failures++;
        },
      });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const absent = async (d: Decision): Promise<void> => {
      assert.equal(await knex(APPLICANTS_TABLE).where({ token: d.applicant.token }).first(), undefined, 'no applicant row');
      assert.equal(await createApplicationStore(knex).get(d.applicationId), null, 'no application row');
      assert.equal(await knex(LINKS_TABLE).where({ application_id: d.applicationId }).first(), undefined, 'no link row');
      assert.equal(await knex(REVIEWS_TABLE).where({ application_id: d.applicationId }).first(), undefined, 'no review row');
      if (d.idempotency) assert.equal(await knex(IDEMPOTENCY_TABLE).where({ key_hash: d.idempotency.key_hash }).first(), undefined);
      if (d.callback) assert.equal(await knex(CALLBACK_DELIVERIES_TABLE).where({ delivery_id: d.callback.delivery_id }).first(), undefined);
    };

    it('stores 100 concurrent decisions once each, with audit seqs 1..100 that verify and that the applications record', async () => {
      first.push(...Array.from({ length: 100 }, (_, n) => decision(vault, n)));
      const results = await Promise.all(first.map((d) => writer.submit(d.item)));

      assert.deepEqual(
        results.map((r) => r.seq),
        Array.from({ length: 100 }, (_, i) => i + 1),
        'contiguous, in submission order',
      );
      assert.deepEqual(commits, [16, 16, 16, 16, 16, 16, 4], 'grouped into batches of at most maxBatch');
      assert.deepEqual(writer.head, { seq: 100, hash: results[99]!.hash });
      assert.deepEqual(await verifyAuditLog(knex, { expectedHead: writer.head }), { ok: true, entries: 100, firstBroken: null, head: writer.head.hash, headSeq: 100 });
      assert.deepEqual(await storedAudit(knex), results);
      assert.deepEqual(
        results.map((r) => (JSON.parse(r.record_json) as { record: { applicationId: string } }).record.applicationId),
        first.map((d) => d.applicationId),
      );

      // Applications: once each, audit_seq = the seq of the entry that logged them; read back exactly.
      const apps = await knex<ApplicationRow>('applications').select('id', 'audit_seq');
      assert.equal(apps.length, 100);
      const seqById = new Map(apps.map((a) => [a.id, Number(a.audit_seq)]));
      assert.equal(seqById.size, 100);
      const applications = createApplicationStore(knex);
      for (const [i, d] of first.entries()) {
        assert.equal(seqById.get(d.applicationId), i + 1);
        assert.deepEqual(await applications.get(d.applicationId), { ...d.record, details: { ...d.record.details, auditSeq: i + 1 } });
      }

      // Applicants: every column as built, the PII boxes byte for byte, and they still open.
      assert.equal(await count(knex, APPLICANTS_TABLE), 100);
      for (const d of first) assert.deepEqual(await knex<ApplicantRow>(APPLICANTS_TABLE).where({ token: d.applicant.token }).first(), d.applicant);
      const sample = await createApplicantStore(knex, vault).get(first[7]!.applicant.token);
      assert.equal(sample?.phone, validPhone(5007));

      // Links, reviews, idempotency records, callbacks: once each, exactly as built.
      const events: LinkEvent[] = [];
      await readLinkEvents(knex, 0, (e) => events.push(e));
      assert.deepEqual(events, first.map((d) => d.event));
      const reviews = first.filter((d) => d.review !== null);
      assert.equal(await count(knex, REVIEWS_TABLE), reviews.length);
      const reviewStore = createReviewStore(knex);
      for (const d of reviews) assert.deepEqual(await reviewStore.get(d.applicationId), reviewFromRow(d.review!));
      const idem = first.flatMap((d) => (d.idempotency ? [d.idempotency] : []));
      assert.deepEqual(await knex<IdempotencyRow>(IDEMPOTENCY_TABLE).select('*').orderBy('key_hash'), [...idem].sort((a, b) => (a.key_hash < b.key_hash ? -1 : 1)));
      const callbacks = first.flatMap((d) => (d.callback ? [d.callback] : []));
      assert.deepEqual(
        await knex<CallbackDeliveryRow>(CALLBACK_DELIVERIES_TABLE).select('*').orderBy('delivery_id'),
        [...callbacks].sort((a, b) => (a.delivery_id < b.delivery_id ? -1 : 1)),
      );
      assert.equal(failures, 0);
    });

    it('fails every item of a batch that violates a constraint, stores none of it, and restores the chain head', async () => {
      const good = Array.from({ length: MAX_BATCH }, (_, i) => decision(vault, 200 + i));
      const bad = Array.from({ length: MAX_BATCH }, (_, i) => decision(vault, 300 + i));
      // The same application id as a stored decision: the applications (and links) primary key refuses it.
      bad[9] = decision(vault, 309, { applicationId: first[5]!.applicationId });
      commits.length = 0;
      const settled = await Promise.allSettled([...good, ...bad].map((d) => writer.submit(d.item)));

      const ok = settled.slice(0, MAX_BATCH);
      const failed = settled.slice(MAX_BATCH);
      assert.deepEqual(
        ok.map((r) => (r.status === 'fulfilled' ? r.value.seq : String(r.reason))),
        Array.from({ length: MAX_BATCH }, (_, i) => 101 + i),
        'the batch before it commits',
      );
      assert.ok(
        failed.every((r) => r.status === 'rejected' && r.reason instanceof FedriskError && r.reason.code === 'UNAVAILABLE'),
        'every item of the failing batch is refused',
      );
      assert.deepEqual(commits, [MAX_BATCH]);
      assert.equal(failures, 1);
      const last = ok[MAX_BATCH - 1]!;
      assert.equal(last.status, 'fulfilled');
      assert.deepEqual(writer.head, { seq: 116, hash: last.status === 'fulfilled' ? last.value.hash : '' });
      assert.deepEqual((await AuditChain.load(knex)).head, writer.head, 'the stored log ends where the writer thinks');
      assert.deepEqual(await verifyAuditLog(knex, { expectedHead: writer.head }), { ok: true, entries: 116, firstBroken: null, head: writer.head.hash, headSeq: 116 });

      for (const [i, d] of bad.entries()) if (i !== 9) await absent(d);
      assert.equal(await count(knex, 'applications'), 116);
      assert.equal(await count(knex, APPLICANTS_TABLE), 116);
      assert.equal(await count(knex, LINKS_TABLE), 116);
      assert.deepEqual(await createApplicationStore(knex).get(first[5]!.applicationId), { ...first[5]!.record, details: { ...first[5]!.record.details, auditSeq: 6 } });

      const next = decision(vault, 400);
      const row = await writer.submit(next.item);
      assert.deepEqual([row.seq, row.prev_hash], [117, last.status === 'fulfilled' ? last.value.hash : '']);
      assert.equal((await verifyAuditLog(knex, { expectedHead: writer.head })).entries, 117);
      assert.equal((await createApplicationStore(knex).get(next.applicationId))?.details?.auditSeq, 117);
    });

    it('commits an extra statement atomically with its batch (query-builder path on every backend)', async () => {
      const d = decision(vault, 500);
      const cb = callbackDeliveryRow('https://lender.example.com/extra', { applicationId: d.applicationId }, new Date(T0));
      const row = await writer.submit({ ...d.item, extra: (trx) => writeCallbackDeliveries(trx, [cb]) });
      assert.equal(row.seq, 118);
      assert.deepEqual(await knex<CallbackDeliveryRow>(CALLBACK_DELIVERIES_TABLE).where({ delivery_id: cb.delivery_id }).first(), cb);
      assert.deepEqual(await knex<ApplicantRow>(APPLICANTS_TABLE).where({ token: d.applicant.token }).first(), d.applicant);
      assert.equal((await createApplicationStore(knex).get(d.applicationId))?.details?.auditSeq, 118);

      const a = decision(vault, 501);
      const b = decision(vault, 502);
      const cb2 = callbackDeliveryRow('https://lender.example.com/extra', { applicationId: b.applicationId }, new Date(T0));
      const settled = await Promise.allSettled([
        writer.submit(a.item),
        writer.submit({
          ...b.item,
          extra: async (trx) => {
            await writeCallbackDeliveries(trx, [cb2]);
            throw new FedriskError('FAILED_PRECONDITION', 'the admin action was refused');
          },
        }),
      ]);
      assert.ok(settled.every((r) => r.status === 'rejected' && r.reason instanceof FedriskError && r.reason.code === 'FAILED_PRECONDITION'));
      await absent(a);
      await absent(b);
      assert.equal(await knex(CALLBACK_DELIVERIES_TABLE).where({ delivery_id: cb2.delivery_id }).first(), undefined);
      assert.equal(writer.head.seq, 118);
      assert.deepEqual(await verifyAuditLog(knex, { expectedHead: writer.head }), { ok: true, entries: 118, firstBroken: null, head: writer.head.hash, headSeq: 118 });
    });

    it('close() waits for queued writes, then refuses new ones; a reloaded chain resumes the head', async () => {
      const d = decision(vault, 600);
      const pending = writer.submit(d.item);
      await writer.close();
      assert.equal((await pending).seq, 119);
      await assert.rejects(writer.submit(decision(vault, 601).item), (e: unknown) => e instanceof FedriskError && e.code === 'UNAVAILABLE');
      assert.deepEqual((await AuditChain.load(knex)).head, writer.head);
      assert.equal((await verifyAuditLog(knex, { expectedHead: writer.head })).ok, true);
    });
  },
};
