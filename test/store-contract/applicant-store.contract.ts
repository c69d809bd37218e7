import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import {
  APPLICANTS_TABLE,
  createApplicantStore,
  touchApplicants,
  writeApplicants,
  type ApplicantPii,
  type ApplicantRow,
  type ApplicantStore,
  type ApplicantView,
} from '../../decision/pii/applicant-store.js';
import { normaliseApplicant } from '../../decision/pii/identifier-rules.js';
import { loadKeyring, loadOrCreateKeyring, rotateKeyring } from '../../decision/pii/pii-keyring.js';
import { PiiVault } from '../../decision/pii/pii-vault.js';
import { nthIdNumber, validBankCard, validPhone } from '../../decision/pii/valid-id-number.js';
import { reviewRow, writeReviews, type ReviewStatus } from '../../decision/reviews/review-row.js';
import { openReviewApplicantTokens } from '../../decision/reviews/review-store.js';
import { applicationRow, writeApplications } from '../../decision/store/application-store.js';
import { DECISION_MIGRATIONS, DECISION_MIGRATIONS_TABLE } from '../../decision/store/decision-db.js';
import { createModelStore } from '../../decision/store/model-store.js';
import { tinyModel } from '../../decision/testing/tiny-model.js';
import { applicantRowFor, applicantTokens, legacyApplicantRow } from '../../decision/testing/applicant-rows.js';
import type { StoreContract } from './contract.js';

const isCode = (code: string) => (e: unknown) => e instanceof FedriskError && e.code === code;

const T0 = '2026-11-22T10:00:00.000Z';
const OLD = '2020-01-01T00:00:00.000Z';
const CUTOFF = '2025-01-01T00:00:00.000Z';
const PURGED_AT = '2026-11-26T00:00:00.000Z';

function applicant(n: number, withCard = true): ApplicantPii {
  return normaliseApplicant({ idNumber: nthIdNumber(n), name: `测试${n}`, phone: validPhone(n), bankCard: withCard ? validBankCard(n) : undefined });
}


const rowFor = applicantRowFor;
const legacyRowFor = (vault: PiiVault, a: ApplicantPii, now: string): ApplicantRow => legacyApplicantRow(vault, applicantTokens(vault, a), a, now);

/** The per-field columns as a record-layout row (and an erased one) holds them. */
const NO_FIELD_BOXES = { id_number_enc: null, name_enc: null, phone_enc: null, bank_card_enc: null };

/** The view `get` must return for a row written from `a` (and never erased). */
function viewOf(row: ApplicantRow, a: ApplicantPii): ApplicantView {
  return {
    token: row.token,
    keyId: row.key_id,
    idNumber: a.idNumber,
    name: a.name,
    phone: a.phone,
    bankCard: a.bankCard ?? null,
    phoneToken: row.phone_token,
    bankCardToken: row.bank_card_token,
    consentAt: row.consent_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    erasedAt: row.erased_at,
    lastDecidedAt: row.last_decided_at,
  };
}

/**
 * The applicants table (PII boxes under the keyring's data keys) on every backend: upserts by token, decryption,
 * erasure, retention purge with the production "pending work" subquery, in-place re-encryption after a key
 * rotation, and binary columns that come back byte for byte; for rows in the record layout (one box) and rows stored
 * before it (one box per field).
 */
export const applicantStoreContract: StoreContract = {
  name: 'decision/ApplicantStore',
  migrations: DECISION_MIGRATIONS,
  migrationsTable: DECISION_MIGRATIONS_TABLE,
  database: 'decision',
  suite(open) {
    let dir: string;
    let keyringPath: string;
    let vault: PiiVault;
    let knex: Knex;
    let store: ApplicantStore;
    const raw = async (token: string, db: Knex = knex): Promise<ApplicantRow | undefined> => db<ApplicantRow>(APPLICANTS_TABLE).where({ token }).first();

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fedrisk-contract-pii-'));
      keyringPath = join(dir, 'pii-keyring.json');
      vault = new PiiVault(loadOrCreateKeyring(keyringPath));
      knex = await open();
      store = createApplicantStore(knex, vault);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('writes encrypted rows in a transaction, reads them back decrypted, and stores the row exactly as built', async () => {
      const withCard = applicant(1);
      const noCard = applicant(2, false);
      const rows = [rowFor(vault, withCard, T0), rowFor(vault, noCard, T0)];
      await knex.transaction((trx) => writeApplicants(trx, rows));
      assert.deepEqual(await store.get(rows[0]!.token), viewOf(rows[0]!, withCard));
      assert.deepEqual(await store.get(rows[1]!.token), viewOf(rows[1]!, noCard));
      for (const row of rows) {
        const stored = await raw(row.token);
        assert.ok(stored && Buffer.isBuffer(stored.pii_enc), 'binary columns come back as Buffers');
        assert.deepEqual(stored, row, 'every column, boxes byte for byte');
        assert.deepEqual({ ...row, ...NO_FIELD_BOXES }, row, 'one record box, no per-field boxes');
      }
      assert.equal(await store.get('no-such-token'), null);
    });

    it('keeps every byte value of a binary column exactly (NUL, high bytes, 64 KiB)', async () => {
      const allBytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      const big = randomBytes(64 * 1024);
      const edge = Buffer.from([0, 0, 0x27, 0x5c, 0xff, 0x00]);
      const row: ApplicantRow = {
        ...rowFor(vault, applicant(5), T0),
        id_number_enc: allBytes,
        name_enc: big,
        phone_enc: edge,
        bank_card_enc: Buffer.from([0]),
        pii_enc: Buffer.from(allBytes).reverse(),
      };
      await writeApplicants(knex, [row]);
      const stored = await raw(row.token);
      assert.deepEqual(stored, row);
      assert.ok(stored?.name_enc?.equals(big));
      assert.equal(stored?.pii_enc?.[0], 0xff);
      assert.equal(stored?.bank_card_enc?.length, 1);
    });

    it('upserts by token: the second write replaces PII, tokens and key, keeps created_at; duplicates in a batch collapse', async () => {
      const a = applicant(3);
      const first = rowFor(vault, a, T0);
      await writeApplicants(knex, [first]);
      const moved: ApplicantPii = { ...a, phone: validPhone(9999), bankCard: validBankCard(9999), name: '新名字' };
      const later = '2026-11-23T00:00:00.000Z';
      const second = rowFor(vault, moved, later);
      await knex.transaction((trx) => writeApplicants(trx, [rowFor(vault, a, '2026-11-22T12:00:00.000Z'), second]));
      assert.deepEqual(await store.get(first.token), { ...viewOf(second, moved), createdAt: T0 });
      assert.deepEqual(await raw(first.token), { ...second, created_at: T0 });
      const count = (await knex(APPLICANTS_TABLE).where({ token: first.token }).count({ n: '*' })) as { n: number | string }[];
      assert.equal(Number(count[0]!.n), 1);
    });

    it('erases: PII and secondary tokens nulled (in the table, not just the view), idempotent, returning applicant stored again', async () => {
      const a = applicant(4);
      const row = rowFor(vault, a, T0);
      await writeApplicants(knex, [row]);
      const at = '2026-11-24T00:00:00.000Z';
      assert.equal(await store.erase(row.token, at), true);
      assert.deepEqual(await raw(row.token), {
        ...row,
        ...NO_FIELD_BOXES,
        pii_enc: null,
        phone_token: null,
        bank_card_token: null,
        erased_at: at,
        updated_at: at,
      });
      const view = await store.get(row.token);
      assert.deepEqual(
        [view?.idNumber, view?.name, view?.phone, view?.bankCard, view?.phoneToken, view?.bankCardToken, view?.erasedAt],
        [null, null, null, null, null, null, at],
      );
      assert.equal(await store.erase(row.token, '2026-12-01T00:00:00.000Z'), true, 'idempotent');
      assert.equal((await raw(row.token))?.erased_at, at, 'the first erasure time is kept');
      assert.equal(await store.erase('unknown-token', at), false);
      const back = rowFor(vault, a, '2026-11-25T00:00:00.000Z');
      await writeApplicants(knex, [back]);
      assert.deepEqual(await store.get(row.token), { ...viewOf(back, a), createdAt: T0 });
    });

    it('purges applicants past retention, sparing those with pending work (the reviews x applications subquery)', async () => {
      const db = await open();
      const purgeStore = createApplicantStore(db, vault);
      await createModelStore(db).deploy(tinyModel('m1'), { activate: true });
      // o0 idle, o1 review pending, o2 review claimed, o3 review decided, o4 recently touched, o5 never decided and idle,
      // o6 recent.
      const people = Array.from({ length: 7 }, (_, i) => applicant(20 + i));
      const rows = people.map((a, i) => rowFor(vault, a, i === 6 ? '2026-11-01T00:00:00.000Z' : OLD));
      rows[5] = { ...rows[5]!, last_decided_at: null };
      await writeApplicants(db, rows);
      await touchApplicants(db, [rows[4]!.token], '2026-10-01T00:00:00.000Z');
      const reviewed: [number, ReviewStatus][] = [
        [1, 'pending'],
        [2, 'claimed'],
        [3, 'decided'],
      ];
      const apps = reviewed.map(([i]) => ({ id: randomUUID(), token: rows[i]!.token }));
      await writeApplications(
        db,
        apps.map((x) => ({
          ...applicationRow({
            id: x.id,
            createdAt: OLD,
            modelVersion: 'm1',
            probabilityOfDefault: 0.2,
            score: 550,
            grade: 'C',
            decision: 'review',
            featuresDigest: 'f'.repeat(64),
          }),
          applicant_token: x.token,
        })),
      );
      await writeReviews(
        db,
        reviewed.map(([, status], k) => ({ ...reviewRow(apps[k]!.id, { reasonCodes: ['R'], proposedApr: 0.2, proposedLimit: 1000 }, new Date(OLD)), status })),
      );
      // The subquery the service and the CLI pass (decision/service/admin-handlers.ts, decision/cli.ts).
      const pending = () => openReviewApplicantTokens(db);
      assert.equal(await purgeStore.purgeOlderThan(CUTOFF, PURGED_AT, { pendingTokens: pending() }), 3);
      const erased = async (i: number): Promise<boolean> => (await raw(rows[i]!.token, db))?.erased_at === PURGED_AT;
      assert.deepEqual(await Promise.all(rows.map((_, i) => erased(i))), [true, false, false, true, false, true, false]);
      const purged = await raw(rows[0]!.token, db);
      assert.deepEqual(
        [purged?.id_number_enc, purged?.name_enc, purged?.phone_enc, purged?.bank_card_enc, purged?.pii_enc, purged?.phone_token, purged?.bank_card_token],
        [null, null, null, null, null, null, null],
      );
      assert.equal((await purgeStore.get(rows[1]!.token))?.phone, people[1]!.phone, 'pending review kept');
      assert.equal((await purgeStore.get(rows[4]!.token))?.lastDecidedAt, '2026-10-01T00:00:00.000Z', 'recent activity kept');
      assert.equal(await purgeStore.purgeOlderThan(CUTOFF, PURGED_AT, { pendingTokens: pending() }), 0, 'nothing left to purge');
      assert.equal(await purgeStore.purgeOlderThan(CUTOFF, PURGED_AT), 2, 'without the subquery, age alone decides');
      assert.equal(await erased(6), false);
    });

    it('re-encrypts in place after a key rotation, in batches, and counts live rows per key', async () => {
      const db = await open();
      const rotating = createApplicantStore(db, vault);
      const people = Array.from({ length: 25 }, (_, i) => applicant(100 + i, i % 3 !== 0));
      const rows = people.map((a) => rowFor(vault, a, T0));
      await writeApplicants(db, rows);
      await rotating.erase(rows[24]!.token, '2026-11-23T00:00:00.000Z');
      const oldKey = vault.activeKeyId;
      assert.deepEqual(await rotating.countByKeyId(), { [oldKey]: 24 }, 'erased rows are not counted');

      rotateKeyring(keyringPath, new Date('2026-12-01T00:00:00Z'));
      vault.reload(loadKeyring(keyringPath));
      const newKey = vault.activeKeyId;
      assert.notEqual(newKey, oldKey);
      await assert.rejects(rotating.reencryptBatch(vault, newKey, 10), isCode('FAILED_PRECONDITION'));
      await assert.rejects(rotating.reencryptBatch(vault, 'k0-missing', 10), isCode('FAILED_PRECONDITION'));
      await assert.rejects(rotating.reencryptBatch(vault, oldKey, 0), isCode('INVALID_ARGUMENT'));

      assert.equal(await rotating.reencryptBatch(vault, oldKey, 10), 10);
      assert.deepEqual(await rotating.countByKeyId(), { [oldKey]: 14, [newKey]: 10 });
      // Passes racing each other (parallel connections on PostgreSQL) move each row once.
      const moved = await Promise.all([1, 2, 3].map(() => rotating.reencryptBatch(vault, oldKey, 100)));
      assert.equal(moved.reduce((s, n) => s + n, 0), 14);
      assert.equal(await rotating.reencryptBatch(vault, oldKey, 10), 0);
      assert.deepEqual(await rotating.countByKeyId(), { [newKey]: 24 });

      for (const [i, row] of rows.slice(0, 24).entries()) {
        const stored = await raw(row.token, db);
        assert.equal(stored?.key_id, newKey);
        assert.equal(stored?.updated_at, T0, 're-keying is not a data change');
        assert.equal(stored?.pii_enc?.equals(row.pii_enc!), false, 'new ciphertext');
        assert.deepEqual({ ...stored, ...NO_FIELD_BOXES }, stored, 'still one record box');
        assert.deepEqual(await rotating.get(row.token), { ...viewOf(row, people[i]!), keyId: newKey });
      }
      assert.equal((await raw(rows[24]!.token, db))?.key_id, oldKey, 'an erased row holds nothing to re-encrypt');
    });

    it('rows stored one box per field stay readable, erasable and purgeable; a new application or a key rotation moves them to one box', async () => {
      const db = await open();
      const ringPath = join(dir, 'legacy-keyring.json');
      const v = new PiiVault(loadOrCreateKeyring(ringPath));
      const legacyStore = createApplicantStore(db, v);
      // 0 and 1 (no card) are rotated, 2 is erased, 3 is purged, 4 applies again.
      const people = Array.from({ length: 5 }, (_, i) => applicant(200 + i, i !== 1));
      const rows = people.map((a, i) => legacyRowFor(v, a, i === 3 ? OLD : T0));
      await writeApplicants(db, rows);
      for (const [i, row] of rows.entries()) {
        assert.deepEqual(await raw(row.token, db), row, 'per-field boxes byte for byte');
        assert.deepEqual(await legacyStore.get(row.token), viewOf(row, people[i]!));
      }

      const at = '2026-11-24T00:00:00.000Z';
      assert.equal(await legacyStore.erase(rows[2]!.token, at), true);
      assert.deepEqual(await raw(rows[2]!.token, db), { ...rows[2]!, ...NO_FIELD_BOXES, phone_token: null, bank_card_token: null, erased_at: at, updated_at: at });
      assert.equal(await legacyStore.purgeOlderThan(CUTOFF, PURGED_AT), 1);
      assert.deepEqual(await raw(rows[3]!.token, db), { ...rows[3]!, ...NO_FIELD_BOXES, phone_token: null, bank_card_token: null, erased_at: PURGED_AT, updated_at: PURGED_AT });

      const later = '2026-11-25T00:00:00.000Z';
      const again = rowFor(v, people[4]!, later);
      await writeApplicants(db, [again]);
      assert.deepEqual(await raw(again.token, db), { ...again, created_at: T0 }, 'the upsert clears the per-field boxes');

      const oldKey = v.activeKeyId;
      rotateKeyring(ringPath, new Date('2026-12-01T00:00:00Z'));
      v.reload(loadKeyring(ringPath));
      assert.equal(await legacyStore.reencryptBatch(v, oldKey, 100), 3);
      assert.deepEqual(await legacyStore.countByKeyId(), { [v.activeKeyId]: 3 });
      for (const i of [0, 1]) {
        const stored = await raw(rows[i]!.token, db);
        assert.deepEqual({ ...stored, pii_enc: null }, { ...rows[i]!, ...NO_FIELD_BOXES, key_id: v.activeKeyId }, 'only the boxes and the key changed');
        assert.ok(stored?.pii_enc && stored.pii_enc.length > 0, 'one record box');
        assert.deepEqual(await legacyStore.get(rows[i]!.token), { ...viewOf(rows[i]!, people[i]!), keyId: v.activeKeyId });
      }
      assert.equal((await legacyStore.get(again.token))?.phone, people[4]!.phone);
    });
  },
};
