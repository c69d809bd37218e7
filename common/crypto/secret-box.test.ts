import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedriskError } from '../errors.js';
import { decryptAtRest, encryptAtRest, loadOrCreateKeyFile } from './secret-box.js';

const isCode = (code: string, pattern?: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof FedriskError, String(err));
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
};

describe('secret box (key material at rest)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-secret-box-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips and refuses tampering, a wrong key and a wrong aad', () => {
    const key = loadOrCreateKeyFile(join(dir, 'a.key'));
    const secret = new TextEncoder().encode('the consortium token key');
    const box = encryptAtRest(key, secret, 'fedrisk/node-secret/token');
    assert.equal(box.byteLength, 1 + 12 + secret.byteLength + 16);
    assert.deepEqual(decryptAtRest(key, box, 'fedrisk/node-secret/token'), secret);
    assert.notDeepEqual(encryptAtRest(key, secret, 'fedrisk/node-secret/token'), box);
    for (let pos = 0; pos < box.byteLength; pos += 5) {
      const t = box.slice();
      t[pos] = t[pos]! ^ 0x80;
      assert.throws(() => decryptAtRest(key, t, 'fedrisk/node-secret/token'), isCode('PERMISSION_DENIED'), `flip at ${pos}`);
    }
    assert.throws(() => decryptAtRest(key, box, 'fedrisk/node-secret/seal-private'), isCode('PERMISSION_DENIED'));
    const other = key.slice();
    other[0] = other[0]! ^ 1;
    assert.throws(() => decryptAtRest(other, box, 'fedrisk/node-secret/token'), isCode('PERMISSION_DENIED'));
    assert.throws(() => decryptAtRest(key, box.subarray(0, 20), 'fedrisk/node-secret/token'), isCode('PERMISSION_DENIED'));
    assert.throws(() => encryptAtRest(key.subarray(0, 16), secret, 'x'), isCode('INVALID_ARGUMENT'));
  });

  it('creates the key file with mode 0600 and reloads it identically', () => {
    const path = join(dir, 'nested', 'node.key');
    const first = loadOrCreateKeyFile(path);
    assert.equal(first.byteLength, 32);
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateKeyFile(path), first);
    assert.notDeepEqual(loadOrCreateKeyFile(join(dir, 'other.key')), first);
  });

  it('refuses a key file readable by others, of the wrong size, or behind a symlink', { skip: process.platform === 'win32' }, () => {
    const open = join(dir, 'open.key');
    loadOrCreateKeyFile(open);
    chmodSync(open, 0o644);
    assert.throws(() => loadOrCreateKeyFile(open), isCode('FAILED_PRECONDITION', /mode 644/));
    const short = join(dir, 'short.key');
    writeFileSync(short, new Uint8Array(16), { mode: 0o600 });
    assert.throws(() => loadOrCreateKeyFile(short), isCode('FAILED_PRECONDITION', /16 bytes/));
    const link = join(dir, 'link.key');
    symlinkSync(join(dir, 'nested', 'node.key'), link);
    assert.throws(() => loadOrCreateKeyFile(link), isCode('FAILED_PRECONDITION', /not a regular file/));
  });
});
