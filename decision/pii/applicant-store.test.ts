import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { migrate, openKnex } from '../../common/db/index.js';
import { FedriskError } from '../../common/errors.js';
import { applicantRow, createApplicantStore, writeApplicants, touchApplicants, type ApplicantPii, type ApplicantRow, type ApplicantStore } from './applicant-store.js';
import { normaliseApplicant } from './identifier-rules.js';
import { loadKeyring, loadOrCreateKeyring } from './pii-keyring.js';
import { rotatePiiKey } from './pii-key-rotation.js';
import { PII_MIGRATIONS } from './pii-migrations.js';
import { PiiVault } from './pii-vault.js';
import { nthIdNumber, validBankCard, validIdNumber, validPhone } from './valid-id-number.js';
import { applicantRowFor, applicantTokens, legacyApplicantRow } from '../testing/applicant-rows.js';

const T0 = '2026-11-22T10:00:00.000Z';

function applicant(n: number, withCard = true): ApplicantPii {
  return normaliseApplicant({
    idNumber: nthIdNumber(n),
    name: `测试${n}`,
    phone: validPhone(n),
    bankCard: withCard ? validBankCard(n) : undefined,
  });
}


const rowFor = applicantRowFor;
const legacyRow = (vault: PiiVault, a: ApplicantPii, now: string): ApplicantRow => legacyApplicantRow(vault, applicantTokens(vault, a), a, now);

const PII_COLUMNS = ['id_number_enc', 'name_enc', 'phone_enc', 'bank_card_enc', 'pii_enc'] as const;

/** Which PII columns of a stored row hold a box. */
function boxed(row: ApplicantRow | undefined): string[] {
  return PII_COLUMNS.filter((c) => row?.[c] !== null && row?.[c] !== undefined);
}

describe('applicant store (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-applicants-'));
  const keyringPath = join(dir, 'pii-keyring.json');
  const dbPath = join(dir, 'decision.sqlite');
  const vault = new PiiVault(loadOrCreateKeyring(keyringPath));
  let knex: Knex;
  let store: ApplicantStore;
  // Applicants stored before the record box existed: 0 and 1 are read, 0 re-applies, 2 is erased, 3 is purged, 1 and
  // 4 are converted by the key rotation.
  const legacyPeople = [applicant(50), applicant(51, false), applicant(52), applicant(53), applicant(54)];
  const legacyRows = legacyPeople.map((a, i) => legacyRow(vault, a, i === 3 ? '2020-01-01T00:00:00.000Z' : T0));

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: dbPath });
    const [first] = Object.keys(PII_MIGRATIONS).sort();
    assert.deepEqual(await migrate(knex, { [first!]: PII_MIGRATIONS[first!]! }, 'test_migrations'), ['20261122001000_applicants']);
    // A store of that schema, with rows in it, then upgraded.
    await knex('applicants').insert(
      legacyRows.map((r) => {
        const old: Partial<ApplicantRow> = { ...r };
        delete old.pii_enc;
        return old;
      }),
    );
    assert.deepEqual(await migrate(knex, PII_MIGRATIONS, 'test_migrations'), ['20261122002200_applicant_pii_box']);
    assert.deepEqual(await migrate(knex, PII_MIGRATIONS, 'test_migrations'), []);
    store = createApplicantStore(knex, vault);
  });
  after(async () => {
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes encrypted rows and reads them back decrypted', async () => {
    const a = applicant(1);
    const row = rowFor(vault, a, T0);
    assert.equal(row.key_id, vault.activeKeyId);
    assert.ok(Buffer.isBuffer(row.pii_enc));
    assert.deepEqual(boxed(row), ['pii_enc'], 'one box per applicant, the per-field columns NULL');
    assert.deepEqual(vault.decryptRecord(row.token, row.key_id, row.pii_enc!), { ...a, bankCard: a.bankCard ?? null });
    await knex.transaction((trx) => writeApplicants(trx, [row, rowFor(vault, applicant(2, false), T0)]));
    assert.deepEqual(await knex<ApplicantRow>('applicants').where({ token: row.token }).first(), row, 'stored as built');
    const view = await store.get(row.token);
    assert.deepEqual(
      { idNumber: view?.idNumber, name: view?.name, phone: view?.phone, bankCard: view?.bankCard },
      { idNumber: a.idNumber, name: a.name, phone: a.phone, bankCard: a.bankCard },
    );
    assert.equal(view?.phoneToken, vault.tokenize('phone', a.phone));
    assert.equal(view?.consentAt, T0);
    assert.equal(view?.lastDecidedAt, T0);
    const noCard = await store.get(vault.tokenize('idNumber', applicant(2).idNumber));
    assert.equal(noCard?.bankCard, null);
    assert.equal(noCard?.bankCardToken, null);
    assert.equal(await store.get('no-such-token'), null);
    assert.throws(() => applicantRow(vault, { idToken: 'x', phoneToken: 'y', bankCardToken: null }, a, T0), FedriskError);
  });

  it('upserts by token: newest encryption wins, created_at kept, duplicates in a batch collapse', async () => {
    const a = applicant(3);
    await writeApplicants(knex, [rowFor(vault, a, T0)]);
    const moved = { ...a, phone: validPhone(9999) };
    const later = '2026-11-23T00:00:00.000Z';
    await writeApplicants(knex, [rowFor(vault, a, later), rowFor(vault, moved, later)]);
    const view = await store.get(vault.tokenize('idNumber', a.idNumber));
    assert.equal(view?.phone, validPhone(9999));
    assert.equal(view?.createdAt, T0);
    assert.equal(view?.updatedAt, later);
  });

  it('erases on consent withdrawal; a returning applicant is stored again', async () => {
    const a = applicant(4);
    const token = vault.tokenize('idNumber', a.idNumber);
    await writeApplicants(knex, [rowFor(vault, a, T0)]);
    const at = '2026-11-24T00:00:00.000Z';
    assert.equal(await store.erase(token, at), true);
    const erased = await store.get(token);
    assert.deepEqual(
      [erased?.idNumber, erased?.name, erased?.phone, erased?.bankCard, erased?.phoneToken, erased?.bankCardToken, erased?.erasedAt],
      [null, null, null, null, null, null, at],
    );
    const raw = await knex<ApplicantRow>('applicants').where({ token }).first();
    assert.deepEqual(boxed(raw), []);
    assert.equal(await store.erase(token, '2026-12-01T00:00:00.000Z'), true, 'idempotent');
    assert.equal((await store.get(token))?.erasedAt, at, 'first erasure time kept');
    assert.equal(await store.erase('unknown', at), false);
    await writeApplicants(knex, [rowFor(vault, a, '2026-11-25T00:00:00.000Z')]);
    const back = await store.get(token);
    assert.equal(back?.erasedAt, null);
    assert.equal(back?.idNumber, a.idNumber);
    assert.equal(back?.consentAt, '2026-11-25T00:00:00.000Z');
  });

  it('reads, erases and purges rows stored one box per field; a new application moves them to the record box', async () => {
    const raw = (token: string): Promise<ApplicantRow | undefined> => knex<ApplicantRow>('applicants').where({ token }).first();
    const [r0, r1, r2, r3] = legacyRows as [ApplicantRow, ApplicantRow, ApplicantRow, ApplicantRow];
    assert.deepEqual(boxed(await raw(r0.token)), ['id_number_enc', 'name_enc', 'phone_enc', 'bank_card_enc'], 'as written before the migration');
    assert.deepEqual(boxed(await raw(r1.token)), ['id_number_enc', 'name_enc', 'phone_enc']);
    for (const [i, r] of legacyRows.entries()) {
      const view = await store.get(r.token);
      const a = legacyPeople[i]!;
      assert.deepEqual(
        { idNumber: view?.idNumber, name: view?.name, phone: view?.phone, bankCard: view?.bankCard, keyId: view?.keyId },
        { idNumber: a.idNumber, name: a.name, phone: a.phone, bankCard: a.bankCard ?? null, keyId: vault.activeKeyId },
      );
    }

    const at = '2026-11-24T00:00:00.000Z';
    assert.equal(await store.erase(r2.token, at), true);
    const erased = await raw(r2.token);
    assert.deepEqual([boxed(erased), erased?.phone_token, erased?.bank_card_token, erased?.erased_at], [[], null, null, at]);
    assert.deepEqual([(await store.get(r2.token))?.idNumber, (await store.get(r2.token))?.name], [null, null]);

    assert.equal(await store.purgeOlderThan('2025-01-01T00:00:00.000Z', at), 1, 'only the old per-field row is that old');
    assert.deepEqual(boxed(await raw(r3.token)), []);
    assert.equal((await raw(r3.token))?.erased_at, at);

    const later = '2026-11-25T00:00:00.000Z';
    const again = rowFor(vault, legacyPeople[0]!, later);
    await writeApplicants(knex, [again]);
    assert.deepEqual(await raw(r0.token), { ...again, created_at: T0 }, 'record box written, per-field boxes cleared');
    assert.equal((await store.get(r0.token))?.bankCard, legacyPeople[0]!.bankCard);
  });

  it('a record box copied onto another applicant does not open there; erasure still works on that row', async () => {
    const a = rowFor(vault, applicant(60), T0);
    const b = rowFor(vault, applicant(61), T0);
    await writeApplicants(knex, [a, b]);
    await knex<ApplicantRow>('applicants').where({ token: b.token }).update({ pii_enc: a.pii_enc });
    await assert.rejects(store.get(b.token), (e: unknown) => e instanceof FedriskError && e.code === 'PERMISSION_DENIED');
    assert.equal((await store.get(a.token))?.idNumber, applicant(60).idNumber);
    assert.equal(await store.erase(b.token, '2026-11-24T00:00:00.000Z'), true);
    assert.equal((await store.get(b.token))?.idNumber, null);
  });

  it('a row a pre-migration process upserted over a record box reads as its (newer) per-field boxes', async () => {
    const a = applicant(62);
    const row = rowFor(vault, a, T0);
    await writeApplicants(knex, [row]);
    const moved = { ...a, phone: validPhone(6262) };
    // What the old code's upsert does: the per-field columns and the key, `pii_enc` left as it was.
    const { id_number_enc, name_enc, phone_enc, bank_card_enc } = legacyRow(vault, moved, T0);
    await knex<ApplicantRow>('applicants').where({ token: row.token }).update({ id_number_enc, name_enc, phone_enc, bank_card_enc });
    assert.equal((await store.get(row.token))?.phone, moved.phone);
    assert.equal(await store.erase(row.token, '2026-11-24T00:00:00.000Z'), true);
    assert.deepEqual(boxed(await knex<ApplicantRow>('applicants').where({ token: row.token }).first()), []);
  });

  it('purges PII past retention, sparing recent and pending applicants', async () => {
    await knex.schema.createTable('test_reviews', (t) => {
      t.string('applicant_token', 64);
      t.string('status', 16);
    });
    const old = [10, 11, 12].map((n) => applicant(n));
    await writeApplicants(knex, old.map((a) => rowFor(vault, a, '2020-01-01T00:00:00.000Z')));
    await writeApplicants(knex, [rowFor(vault, applicant(13), '2026-11-01T00:00:00.000Z')]);
    const tok = (a: ApplicantPii) => vault.tokenize('idNumber', a.idNumber);
    await knex('test_reviews').insert({ applicant_token: tok(old[1]!), status: 'pending' });
    await touchApplicants(knex, [tok(old[2]!)], '2026-10-01T00:00:00.000Z');
    const pendingTokens = knex('test_reviews').where({ status: 'pending' }).select('applicant_token');
    const n = await store.purgeOlderThan('2025-01-01T00:00:00.000Z', '2026-11-26T00:00:00.000Z', { pendingTokens });
    assert.equal(n, 1);
    assert.notEqual((await store.get(tok(old[0]!)))?.erasedAt, null);
    assert.equal((await store.get(tok(old[1]!)))?.phone, old[1]!.phone, 'pending review kept');
    assert.equal((await store.get(tok(old[2]!)))?.phone, old[2]!.phone, 'recent activity kept');
    assert.equal(await store.purgeOlderThan('2025-01-01T00:00:00.000Z', '2026-11-26T00:00:00.000Z', { pendingTokens }), 0);
    assert.equal(await store.purgeOlderThan('2025-01-01T00:00:00.000Z', '2026-11-26T00:00:00.000Z'), 1, 'without the subquery, age alone decides');
  });

  it('rotates the key without downtime: rows re-encrypted in place, old key retired but present', async () => {
    const many = Array.from({ length: 450 }, (_, i) => applicant(100 + i, i % 2 === 0));
    await writeApplicants(knex, many.map((a) => rowFor(vault, a, T0)));
    const oldKey = vault.activeKeyId;
    const before = await store.countByKeyId();
    const live = before[oldKey]!;
    assert.ok(live >= 450);

    // A straggler row written under the old key by a process that has not reloaded yet.
    const stale = new PiiVault(loadKeyring(keyringPath));
    const result = await rotatePiiKey({ keyringPath, vault, store, batchSize: 100, now: new Date('2026-12-01T00:00:00Z') });
    assert.notEqual(result.activeKeyId, oldKey);
    assert.equal(vault.activeKeyId, result.activeKeyId);
    assert.equal(result.reencrypted, live);
    assert.deepEqual(result.retired, [oldKey]);
    assert.deepEqual(await store.countByKeyId(), { [result.activeKeyId]: live });
    const sample = await store.get(vault.tokenize('idNumber', many[7]!.idNumber));
    assert.equal(sample?.keyId, result.activeKeyId);
    assert.equal(sample?.idNumber, many[7]!.idNumber);
    assert.equal(sample?.bankCard, null);
    assert.equal(sample?.updatedAt, T0, 're-keying is not a data change');
    // Rows stored one box per field come out as a record box under the new key, still opening to the same values.
    for (const i of [1, 4]) {
      const r = legacyRows[i]!;
      const stored = await knex<ApplicantRow>('applicants').where({ token: r.token }).first();
      assert.deepEqual([boxed(stored), stored?.key_id, stored?.updated_at], [['pii_enc'], result.activeKeyId, T0]);
      const a = legacyPeople[i]!;
      const view = await store.get(r.token);
      assert.deepEqual([view?.idNumber, view?.name, view?.phone, view?.bankCard], [a.idNumber, a.name, a.phone, a.bankCard ?? null]);
    }
    assert.deepEqual(boxed(await knex<ApplicantRow>('applicants').where({ token: legacyRows[2]!.token }).first()), [], 'erased rows stay empty');

    const straggler = applicant(900);
    await writeApplicants(knex, [rowFor(stale, straggler, '2026-12-01T00:00:01.000Z')]);
    const ring = loadKeyring(keyringPath);
    assert.notEqual(ring.keys.find((k) => k.id === oldKey)?.retiredAt, null);
    assert.ok(vault.hasKey(oldKey), 'retired but present');
    assert.equal((await store.get(vault.tokenize('idNumber', straggler.idNumber)))?.phone, straggler.phone);
    const again = await rotatePiiKey({ keyringPath, vault, store, rotate: false });
    assert.equal(again.reencrypted, 1);
    assert.deepEqual(again.retired, []);
    assert.deepEqual(Object.keys(await store.countByKeyId()), [result.activeKeyId]);
    await assert.rejects(store.reencryptBatch(vault, vault.activeKeyId, 10), /active key/);
    await assert.rejects(store.reencryptBatch(vault, 'k0-missing', 10), /not in the keyring/);
  });

  it('never stores a submitted ID number, phone, bank card or name in plaintext (either layout)', async () => {
    const secrets = { idNumber: validIdNumber({ region: '320102', birth: '19851111', sequence: '777' }), name: '王秘密', phone: '13712345670', bankCard: validBankCard(31415926) };
    const legacySecrets = { idNumber: validIdNumber({ region: '320102', birth: '19790203', sequence: '555' }), name: '李旧格式', phone: '13612345671', bankCard: validBankCard(27182818) };
    const a = normaliseApplicant(secrets);
    await writeApplicants(knex, [rowFor(vault, a, T0), legacyRow(vault, normaliseApplicant(legacySecrets), T0)]);
    const token = vault.tokenize('idNumber', a.idNumber);
    assert.equal((await store.get(token))?.bankCard, secrets.bankCard);
    assert.equal((await store.get(vault.tokenize('idNumber', legacySecrets.idNumber)))?.name, legacySecrets.name);
    const search = (when: string): void => {
      const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter((f) => existsSync(f));
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      assert.ok(bytes.length > 4096);
      assert.ok(bytes.includes(Buffer.from(token)), `the token is stored ${when} (sanity check of the search)`);
      for (const [field, value] of [...Object.entries(secrets), ...Object.entries(legacySecrets)]) {
        assert.ok(!bytes.includes(Buffer.from(value, 'utf8')), `${field} found in plaintext ${when}`);
        assert.ok(!bytes.includes(Buffer.from(value, 'utf16le')), `${field} found as UTF-16 ${when}`);
      }
    };
    assert.ok(existsSync(`${dbPath}-wal`));
    search('while open (in the WAL)');
    await knex.destroy();
    search('after close');
    knex = openKnex({ client: 'sqlite', filename: dbPath });
    store = createApplicantStore(knex, vault);
    assert.equal((await store.get(token))?.phone, secrets.phone);
  });
});
