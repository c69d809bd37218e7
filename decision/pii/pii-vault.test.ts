import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedriskError } from '../../common/errors.js';
import { checkKeyring, loadKeyring, loadOrCreateKeyring, PII_KEYRING_FORMAT, retireKey, rotateKeyring } from './pii-keyring.js';
import { encryptAtRest, importAtRestKey } from '../../common/crypto/index.js';
import { PiiVault, piiRecordAad, type PiiRecord } from './pii-vault.js';

const isCode = (code: string, pattern?: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof FedriskError, String(err));
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
};

describe('PII keyring file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-pii-keyring-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 0600 v1 keyring with one active key and reloads it identically', () => {
    const path = join(dir, 'nested', 'pii-keyring.json');
    const k = loadOrCreateKeyring(path);
    assert.equal(k.format, PII_KEYRING_FORMAT);
    assert.equal(Buffer.from(k.tokenKey, 'base64').byteLength, 32);
    assert.equal(k.keys.length, 1);
    assert.equal(k.activeKeyId, k.keys[0]!.id);
    assert.equal(Buffer.from(k.keys[0]!.key, 'base64').byteLength, 32);
    assert.equal(k.keys[0]!.retiredAt, null);
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKeyring(path), k);
    assert.notEqual(loadOrCreateKeyring(join(dir, 'other.json')).tokenKey, k.tokenKey);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['pii-keyring.json'], 'no temp file left behind');
  });

  it('can be created around a given token key', () => {
    const tokenKey = new Uint8Array(32).fill(7);
    const k = loadOrCreateKeyring(join(dir, 'given.json'), { tokenKey });
    assert.deepEqual(new Uint8Array(Buffer.from(k.tokenKey, 'base64')), tokenKey);
    assert.throws(() => loadOrCreateKeyring(join(dir, 'short.json'), { tokenKey: new Uint8Array(16) }), isCode('INVALID_ARGUMENT'));
  });

  it('refuses readable-by-others, symlinked, malformed and inconsistent files', () => {
    const path = join(dir, 'perm.json');
    loadOrCreateKeyring(path);
    chmodSync(path, 0o640);
    assert.throws(() => loadOrCreateKeyring(path), isCode('FAILED_PRECONDITION', /mode 640/));
    chmodSync(path, 0o600);
    const link = join(dir, 'link.json');
    symlinkSync(path, link);
    assert.throws(() => loadKeyring(link), isCode('FAILED_PRECONDITION', /not a regular file/));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json', { mode: 0o600 });
    assert.throws(() => loadKeyring(bad), isCode('FAILED_PRECONDITION', /not valid JSON/));
    assert.throws(() => loadKeyring(join(dir, 'absent.json')), isCode('NOT_FOUND'));
    const good = loadKeyring(path);
    assert.throws(() => checkKeyring({ ...good, format: 'x' }), isCode('FAILED_PRECONDITION', /format/));
    assert.throws(() => checkKeyring({ ...good, tokenKey: 'AAAA' }), isCode('FAILED_PRECONDITION', /tokenKey/));
    assert.throws(() => checkKeyring({ ...good, activeKeyId: 'nope' }), isCode('FAILED_PRECONDITION', /activeKeyId/));
    assert.throws(() => checkKeyring({ ...good, keys: [good.keys[0], good.keys[0]] }), isCode('FAILED_PRECONDITION', /twice/));
    assert.throws(() => checkKeyring({ ...good, keys: [{ ...good.keys[0]!, retiredAt: 'now' }] }), isCode('FAILED_PRECONDITION', /is retired/));
  });

  it('rotates (new active key, token key kept) and retires only unused, inactive keys', () => {
    const path = join(dir, 'rotate.json');
    const k1 = loadOrCreateKeyring(path);
    const k2 = rotateKeyring(path, new Date('2026-12-01T00:00:00Z'));
    assert.equal(k2.tokenKey, k1.tokenKey);
    assert.equal(k2.keys.length, 2);
    assert.notEqual(k2.activeKeyId, k1.activeKeyId);
    assert.equal(k2.keys[1]!.createdAt, '2026-12-01T00:00:00.000Z');
    assert.deepEqual(loadKeyring(path), k2);
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.throws(() => retireKey(path, k2.activeKeyId, { rowsUsingKey: 0 }), isCode('FAILED_PRECONDITION', /active/));
    assert.throws(() => retireKey(path, k1.activeKeyId, { rowsUsingKey: 3 }), isCode('FAILED_PRECONDITION', /still encrypts 3 rows/));
    assert.throws(() => retireKey(path, 'k9-none', { rowsUsingKey: 0 }), isCode('NOT_FOUND'));
    const k3 = retireKey(path, k1.activeKeyId, { rowsUsingKey: 0, now: new Date('2026-12-02T00:00:00Z') });
    assert.equal(k3.keys[0]!.retiredAt, '2026-12-02T00:00:00.000Z');
    assert.equal(k3.keys[0]!.key, k1.keys[0]!.key, 'a retired key stays present');
    assert.deepEqual(retireKey(path, k1.activeKeyId, { rowsUsingKey: 0 }), k3, 'idempotent');
    assert.ok(!existsSync(`${path}.lock`));
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('rotate.json')), ['rotate.json']);
  });

  it('refuses to rotate while another rotation holds the lock', () => {
    const path = join(dir, 'locked.json');
    loadOrCreateKeyring(path);
    writeFileSync(`${path}.lock`, '');
    assert.throws(() => rotateKeyring(path), isCode('FAILED_PRECONDITION', /another rotation/));
    rmSync(`${path}.lock`);
    assert.equal(rotateKeyring(path).keys.length, 2);
  });
});

describe('PII vault', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-pii-vault-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'keyring.json');
  const vault = new PiiVault(loadOrCreateKeyring(path));

  it('makes stable, kind-separated, 43-character base64url tokens', () => {
    const t = vault.tokenize('phone', '13912345678');
    assert.match(t, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(vault.tokenize('phone', '13912345678'), t);
    assert.equal(new PiiVault(loadKeyring(path)).tokenize('phone', '13912345678'), t, 'stable across loads');
    assert.notEqual(vault.tokenize('bankCard', '13912345678'), t, 'kind is inside the MAC');
    assert.notEqual(vault.tokenize('phone', '13912345679'), t);
    assert.notEqual(new PiiVault(loadOrCreateKeyring(join(dir, 'other.json'))).tokenize('phone', '13912345678'), t, 'keyed');
    const { tokenize } = vault;
    assert.equal(tokenize('phone', '13912345678'), t, 'bound');
  });

  it('encrypts with a fresh nonce and decrypts only as the same kind', () => {
    const a = vault.encrypt('idNumber', '11010519491231002X');
    const b = vault.encrypt('idNumber', '11010519491231002X');
    assert.equal(a.keyId, vault.activeKeyId);
    assert.notDeepEqual(a.box, b.box);
    assert.ok(!Buffer.from(a.box).includes(Buffer.from('11010519491231002X')));
    assert.equal(vault.decrypt('idNumber', a.keyId, a.box), '11010519491231002X');
    assert.equal(vault.decrypt('name', vault.activeKeyId, vault.encrypt('name', '张三').box), '张三');
    assert.throws(() => vault.decrypt('phone', a.keyId, a.box), isCode('PERMISSION_DENIED'));
    assert.throws(() => vault.decrypt('idNumber', 'k7-missing', a.box), isCode('FAILED_PRECONDITION', /not in the keyring/));
    const t = a.box.slice();
    t[20] = t[20]! ^ 1;
    assert.throws(() => vault.decrypt('idNumber', a.keyId, t), isCode('PERMISSION_DENIED'));
  });

  it('boxes a whole applicant record once, bound to its token; opens it only for that token', () => {
    const token = vault.tokenize('idNumber', '11010519491231002X');
    const other = vault.tokenize('idNumber', '110105194912310037');
    const record: PiiRecord = { idNumber: '11010519491231002X', name: '张 "三" \\ \u0000', phone: '13912345678', bankCard: '6222021234567890128' };
    const a = vault.encryptRecord(token, record);
    const b = vault.encryptRecord(token, record);
    assert.equal(a.keyId, vault.activeKeyId);
    assert.notDeepEqual(a.box, b.box, 'fresh nonce');
    for (const v of Object.values(record)) assert.ok(!Buffer.from(a.box).includes(Buffer.from(v, 'utf8')), 'no plaintext in the box');
    assert.deepEqual(vault.decryptRecord(token, a.keyId, a.box), record);
    assert.equal(piiRecordAad(token), `fedrisk/pii/applicant/v1/${token}`);

    // Without a bank card: null in, null out.
    const noCard = vault.encryptRecord(token, { ...record, bankCard: null });
    assert.deepEqual(vault.decryptRecord(token, noCard.keyId, noCard.box), { ...record, bankCard: null });

    // Moved onto another applicant's row, or opened as a single-field box (and the reverse): refused.
    assert.throws(() => vault.decryptRecord(other, a.keyId, a.box), isCode('PERMISSION_DENIED'));
    assert.throws(() => vault.decrypt('idNumber', a.keyId, a.box), isCode('PERMISSION_DENIED'));
    assert.throws(() => vault.decryptRecord(token, a.keyId, vault.encrypt('idNumber', record.idNumber).box), isCode('PERMISSION_DENIED'));
    assert.throws(() => vault.decryptRecord(token, 'k7-missing', a.box), isCode('FAILED_PRECONDITION', /not in the keyring/));

    // Any flipped bit (version byte, nonce, ciphertext, tag) or a truncation: refused.
    for (const at of [0, 5, 20, a.box.byteLength - 1]) {
      const t = a.box.slice();
      t[at] = t[at]! ^ 1;
      assert.throws(() => vault.decryptRecord(token, a.keyId, t), isCode('PERMISSION_DENIED'), `bit flipped at ${at}`);
    }
    assert.throws(() => vault.decryptRecord(token, a.keyId, a.box.subarray(0, a.box.byteLength - 1)), isCode('PERMISSION_DENIED'));

    assert.throws(() => vault.encryptRecord('', record), isCode('INVALID_ARGUMENT'));
    // A box that authenticates but holds no v1 record (only a bug could write one): INTERNAL, without echoing it.
    const key = importAtRestKey(new Uint8Array(Buffer.from(loadKeyring(path).keys.find((k) => k.id === vault.activeKeyId)!.key, 'base64')));
    for (const plain of ['{"idNumber":"11010519491231002X"}', '["11010519491231002X","n","p"]', '["11010519491231002X","n","p",7]', 'not json 11010519491231002X']) {
      const bad = encryptAtRest(key, new TextEncoder().encode(plain), piiRecordAad(token));
      assert.throws(
        () => vault.decryptRecord(token, vault.activeKeyId, bad),
        (err: unknown) => isCode('INTERNAL')(err) && !(err as Error).message.includes('11010519491231002X'),
      );
    }
  });

  it('reloads a rotated keyring in place, still opening old boxes, and refuses a new token key', () => {
    const old = vault.encrypt('phone', '13900000000');
    const oldRecord = vault.encryptRecord('tok', { idNumber: 'i', name: 'n', phone: 'p', bankCard: null });
    const token = vault.tokenize('idNumber', 'x');
    vault.reload(rotateKeyring(path));
    assert.notEqual(vault.activeKeyId, old.keyId);
    assert.ok(vault.hasKey(old.keyId));
    assert.equal(vault.decrypt('phone', old.keyId, old.box), '13900000000');
    assert.deepEqual(vault.decryptRecord('tok', oldRecord.keyId, oldRecord.box), { idNumber: 'i', name: 'n', phone: 'p', bankCard: null });
    assert.equal(vault.encryptRecord('tok', { idNumber: 'i', name: 'n', phone: 'p', bankCard: null }).keyId, vault.activeKeyId);
    assert.equal(vault.encrypt('phone', '1').keyId, vault.activeKeyId);
    assert.equal(vault.tokenize('idNumber', 'x'), token);
    assert.throws(() => vault.reload(loadOrCreateKeyring(join(dir, 'foreign.json'))), isCode('FAILED_PRECONDITION', /different token key/));
  });

  it('is fast enough for the request path', () => {
    const n = 20000;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) vault.tokenize('phone', `139${String(i).padStart(8, '0')}`);
    const tokenUs = ((performance.now() - t0) * 1000) / n;
    t0 = performance.now();
    for (let i = 0; i < n; i++) vault.encrypt('phone', `139${String(i).padStart(8, '0')}`);
    const encUs = ((performance.now() - t0) * 1000) / n;
    t0 = performance.now();
    for (let i = 0; i < n; i++) vault.encryptRecord('t', { idNumber: '11010519491231002X', name: '测试', phone: `139${String(i).padStart(8, '0')}`, bankCard: '6222021234567890128' });
    const recordUs = ((performance.now() - t0) * 1000) / n;
    console.log(`tokenize ${tokenUs.toFixed(2)} us, encrypt ${encUs.toFixed(2)} us per value, ${recordUs.toFixed(2)} us per applicant record`);
    assert.ok(tokenUs < 100 && encUs < 200 && recordUs < 200, `tokenize ${tokenUs} us, encrypt ${encUs} us, record ${recordUs} us`);
    assert.ok(readFileSync(path, 'utf8').includes(PII_KEYRING_FORMAT));
  });
});
