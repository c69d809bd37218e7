/**
 * Sealing the consortium's HE secret key to one member: the key holder encrypts it to the member's X25519 public
 * key, and the coordinator relays the box without being able to open it. Ephemeral-static ECDH, HKDF-SHA256 and
 * AES-256-GCM from node:crypto; a fresh ephemeral key per box, so two boxes never share a key.
 *
 * Box layout (v1): version 0x01 (1) | ephemeral X25519 public key (32) | nonce (12) | ciphertext | GCM tag (16).
 * The version byte and the caller's aad (consortium, key epoch, recipient member id) are authenticated, so a box
 * cannot be replayed to another member or epoch; the ephemeral and recipient keys enter the HKDF salt.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { FedriskError } from '../errors.js';

export const KEY_SEAL_VERSION = 1;
const HKDF_INFO = 'fedrisk/key-seal/v1';
const PUB_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEAD_BYTES = 1 + PUB_BYTES + NONCE_BYTES;
/** DER prefixes that wrap a raw X25519 key into SPKI (public) or PKCS#8 (private). */
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface SealKeyPair {
  /** Raw 32-byte X25519 public key: what a member publishes at enrolment and others fingerprint. */
  publicKey: Uint8Array;
  /** PKCS#8 DER (48 bytes for X25519): self-describing, loads straight into node:crypto. Keep encrypted at rest. */
  privateKey: Uint8Array;
}

/** A member's long-term sealing key pair, made at enrolment; only the public half ever leaves the node. */
export function generateSealKeyPair(): SealKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublicKey(publicKey), privateKey: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })) };
}

/**
 * The canonical aad for a key envelope: binds a box to one consortium, key epoch and recipient, so that opening it
 * under any other triple fails.
 */
export function keySealAad(consortiumId: string, keyEpoch: number, recipientMemberId: string): string {
  return JSON.stringify(['fedrisk/key-envelope', consortiumId, keyEpoch, recipientMemberId]);
}

/** Encrypts `plaintext` so that only the holder of the private key matching `recipientPublicKey` can read it. */
export function sealTo(recipientPublicKey: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  checkAad(aad);
  if (!(plaintext instanceof Uint8Array)) throw new FedriskError('INVALID_ARGUMENT', 'plaintext must be bytes', { field: 'plaintext' });
  const recipient = importPublicKey(recipientPublicKey);
  const eph = generateKeyPairSync('x25519');
  const ephPub = rawPublicKey(eph.publicKey);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: eph.privateKey, publicKey: recipient });
  } catch (err) {
    throw new FedriskError('INVALID_ARGUMENT', 'recipient public key is not a usable X25519 key (low-order point?)', { field: 'recipientPublicKey' }, { cause: err });
  }
  const key = deriveKey(shared, ephPub, recipientPublicKey);
  const nonce = randomBytes(NONCE_BYTES);
  const head = new Uint8Array(HEAD_BYTES);
  head[0] = KEY_SEAL_VERSION;
  head.set(ephPub, 1);
  head.set(nonce, 1 + PUB_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData(head, aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const out = new Uint8Array(HEAD_BYTES + body.byteLength + TAG_BYTES);
  out.set(head, 0);
  out.set(body, HEAD_BYTES);
  out.set(cipher.getAuthTag(), HEAD_BYTES + body.byteLength);
  key.fill(0);
  shared.fill(0);
  return out;
}

/**
 * Opens a box made by {@link sealTo}. A wrong key, a tampered or truncated box and a wrong aad all fail the same way
 * (PERMISSION_DENIED), so a failure tells an attacker nothing about which it was.
 */
export function openSealed(privateKey: Uint8Array, box: Uint8Array, aad: string): Uint8Array {
  checkAad(aad);
  const priv = importPrivateKey(privateKey);
  const denied = (cause?: unknown): FedriskError =>
    new FedriskError('PERMISSION_DENIED', 'sealed box cannot be opened with this key (wrong key, tampered box or wrong aad)', {}, { cause });
  if (!(box instanceof Uint8Array) || box.byteLength < HEAD_BYTES + TAG_BYTES || box[0] !== KEY_SEAL_VERSION) throw denied();
  const ephPub = box.subarray(1, 1 + PUB_BYTES);
  const nonce = box.subarray(1 + PUB_BYTES, HEAD_BYTES);
  const tag = box.subarray(box.byteLength - TAG_BYTES);
  const body = box.subarray(HEAD_BYTES, box.byteLength - TAG_BYTES);
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: priv, publicKey: importPublicKey(ephPub) });
  } catch (err) {
    throw denied(err);
  }
  const key = deriveKey(shared, ephPub, rawPublicKey(createPublicKey(priv)));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(associatedData(box.subarray(0, HEAD_BYTES), aad));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch (err) {
    throw denied(err);
  } finally {
    key.fill(0);
    shared.fill(0);
  }
}

function deriveKey(shared: Uint8Array, ephPub: Uint8Array, recipientPub: Uint8Array): Buffer {
  const salt = Buffer.concat([ephPub, recipientPub]);
  return Buffer.from(hkdfSync('sha256', shared, salt, HKDF_INFO, 32));
}

function associatedData(head: Uint8Array, aad: string): Buffer {
  return Buffer.concat([head, Buffer.from(aad, 'utf8')]);
}

function checkAad(aad: string): void {
  if (typeof aad !== 'string' || aad.length === 0) {
    throw new FedriskError('INVALID_ARGUMENT', 'aad must name the consortium, key epoch and recipient', { field: 'aad' });
  }
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.byteLength - PUB_BYTES));
}

function importPublicKey(raw: Uint8Array): KeyObject {
  if (!(raw instanceof Uint8Array) || raw.byteLength !== PUB_BYTES) {
    throw new FedriskError('INVALID_ARGUMENT', `an X25519 public key is ${PUB_BYTES} raw bytes`, { field: 'publicKey' });
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function importPrivateKey(der: Uint8Array): KeyObject {
  const bad = (cause?: unknown): FedriskError =>
    new FedriskError('INVALID_ARGUMENT', 'private key must be an X25519 key in PKCS#8 DER, as generateSealKeyPair returns', { field: 'privateKey' }, { cause });
  if (!(der instanceof Uint8Array) || der.byteLength !== PKCS8_PREFIX.byteLength + 32) throw bad();
  if (!PKCS8_PREFIX.equals(der.subarray(0, PKCS8_PREFIX.byteLength))) throw bad();
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw bad(err);
  }
}
