import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FedriskError } from '../errors.js';
import { keyFingerprint } from './key-fingerprint.js';
import { generateSealKeyPair, keySealAad, openSealed, sealTo } from './key-seal.js';

const denied = (err: unknown): boolean => {
  assert.ok(err instanceof FedriskError, String(err));
  assert.equal(err.code, 'PERMISSION_DENIED');
  assert.match(err.message, /sealed box cannot be opened with this key/);
  return true;
};

describe('key sealing (X25519 + HKDF-SHA256 + AES-256-GCM)', () => {
  const alice = generateSealKeyPair();
  const bob = generateSealKeyPair();
  const heKey = randomBytes(131160); // the size of a serialized CKKS secret key at the default parameters
  const aad = keySealAad('consortium-1', 3, 'alice');

  it('exports a raw 32-byte public key and a PKCS#8 private key', () => {
    assert.equal(alice.publicKey.byteLength, 32);
    assert.equal(alice.privateKey.byteLength, 48);
    assert.notDeepEqual(alice.publicKey, bob.publicKey);
  });

  it('round-trips a sealed key, with a fresh box each time', () => {
    const box = sealTo(alice.publicKey, heKey, aad);
    assert.equal(box[0], 1);
    assert.equal(box.byteLength, 1 + 32 + 12 + heKey.byteLength + 16);
    assert.deepEqual(openSealed(alice.privateKey, box, aad), new Uint8Array(heKey));
    const again = sealTo(alice.publicKey, heKey, aad);
    assert.notDeepEqual(again.subarray(0, 45), box.subarray(0, 45));
    assert.deepEqual(openSealed(alice.privateKey, again, aad), new Uint8Array(heKey));
    assert.deepEqual(openSealed(alice.privateKey, sealTo(alice.publicKey, new Uint8Array(0), aad), aad), new Uint8Array(0));
  });

  it("cannot be opened with another member's private key", () => {
    const box = sealTo(alice.publicKey, heKey, aad);
    assert.throws(() => openSealed(bob.privateKey, box, aad), denied);
  });

  it('refuses a tampered box anywhere, and a truncated or re-versioned one', () => {
    const box = sealTo(alice.publicKey, heKey.subarray(0, 64), aad);
    for (const pos of [0, 1, 20, 33, 40, 45, 60, box.byteLength - 17, box.byteLength - 1]) {
      const t = box.slice();
      t[pos] = t[pos]! ^ 0x01;
      assert.throws(() => openSealed(alice.privateKey, t, aad), denied, `flip at ${pos}`);
    }
    assert.throws(() => openSealed(alice.privateKey, box.subarray(0, 60), aad), denied);
    assert.throws(() => openSealed(alice.privateKey, new Uint8Array(0), aad), denied);
  });

  it('refuses a wrong aad: another consortium, epoch or recipient', () => {
    const box = sealTo(alice.publicKey, heKey.subarray(0, 64), aad);
    for (const other of [keySealAad('consortium-2', 3, 'alice'), keySealAad('consortium-1', 4, 'alice'), keySealAad('consortium-1', 3, 'bob')]) {
      assert.throws(() => openSealed(alice.privateKey, box, other), denied);
    }
  });

  it('refuses malformed keys and an empty aad as bad input', () => {
    const bad = (e: unknown): boolean => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT';
    assert.throws(() => sealTo(new Uint8Array(31), heKey, aad), bad);
    assert.throws(() => sealTo(alice.publicKey, heKey, ''), bad);
    assert.throws(() => openSealed(alice.publicKey, new Uint8Array(80), aad), bad);
    assert.throws(() => sealTo(new Uint8Array(32), heKey, aad), bad); // the all-zero (low-order) point
  });

  it('fingerprints keys as 32 hex characters', () => {
    assert.match(keyFingerprint(alice.publicKey), /^[0-9a-f]{32}$/);
    assert.notEqual(keyFingerprint(alice.publicKey), keyFingerprint(bob.publicKey));
    assert.throws(() => keyFingerprint(new Uint8Array(0)), FedriskError);
  });
});
