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

const T0 = '2026-11-22T10:00:00.000Z';

function applicant(n: number, withCard = true): ApplicantPii {
  return normaliseApplicant({
    idNumber: nthIdNumber(n),
    name: `测试${n}`,
    phone: validPhone(n),
    bankCard: withCard ? validBankCard(n) : undefined,
  });
}

function rowFor(vault: PiiVault, a: ApplicantPii, now: string): ApplicantRow {
  const card = a.bankCard ?? null;
  return applicantRow(
    vault,
    {
      idToken: vault.tokenize('idNumber', a.idNumber),
      phoneToken: vault.tokenize('phone', a.phone),
      bankCardToken: card === null ? null : vault.tokenize('bankCard', card),
    },
    a,
    now,
  );
}

describe('applicant store (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-applicants-'));
  const keyringPath = join(dir, 'pii-keyring.json');
  const dbPath = join(dir, 'decision.sqlite');
  const vault = new PiiVault(loadOrCreateKeyring(keyringPath));
  let knex: Knex;
  let store: ApplicantStore;

  before(async () => {
    knex = openKnex({ client: 'sqlite', filename: dbPath });
    assert.deepEqual(await migrate(knex, PII_MIGRATIONS, 'test_migrations'), ['20261122001000_applicants']);
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
    assert.ok(Buffer.isBuffer(row.id_number_enc));
    await knex.transaction((trx) => writeApplicants(trx, [row, rowFor(vault, applicant(2, false), T0)]));
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
    assert.equal(raw?.id_number_enc, null);
    assert.equal(await store.erase(token, '2026-12-01T00:00:00.000Z'), true, 'idempotent');
    assert.equal((await store.get(token))?.erasedAt, at, 'first erasure time kept');
    assert.equal(await store.erase('unknown', at), false);
    await writeApplicants(knex, [rowFor(vault, a, '2026-11-25T00:00:00.000Z')]);
    const back = await store.get(token);
    assert.equal(back?.erasedAt, null);
    assert.equal(back?.idNumber, a.idNumber);
    assert.equal(back?.consentAt, '2026-11-25T00:00:00.000Z');
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

  it('never stores a submitted ID number, phone, bank card or name in plaintext', async () => {
    const secrets = { idNumber: validIdNumber({ region: '320102', birth: '19851111', sequence: '777' }), name: '王秘密', phone: '13712345670', bankCard: validBankCard(31415926) };
    const a = normaliseApplicant(secrets);
    await writeApplicants(knex, [rowFor(vault, a, T0)]);
    const token = vault.tokenize('idNumber', a.idNumber);
    assert.equal((await store.get(token))?.bankCard, secrets.bankCard);
    const search = (when: string): void => {
      const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter((f) => existsSync(f));
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      assert.ok(bytes.length > 4096);
      assert.ok(bytes.includes(Buffer.from(token)), `the token is stored ${when} (sanity check of the search)`);
      for (const [field, value] of Object.entries(secrets)) {
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
