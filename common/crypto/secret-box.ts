/**
 * Key material at rest on a node (the HE secret key, the token key, the member's X25519 private key) is stored
 * encrypted under the node's own 32-byte key, which lives in a file only the node's user can read. AES-256-GCM with a
 * random nonce per box; the caller's aad names what the box holds, so one secret cannot be swapped for another.
 *
 * Box layout (v1): version 0x01 (1) | nonce (12) | ciphertext | GCM tag (16); the version byte is authenticated.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, randomFillSync, type KeyObject } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { FedriskError } from '../errors.js';

export const SECRET_BOX_VERSION = 1;
export const AT_REST_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEAD_BYTES = 1 + NONCE_BYTES;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.byteLength !== AT_REST_KEY_BYTES) {
    throw new FedriskError('INVALID_ARGUMENT', `an at-rest key is ${AT_REST_KEY_BYTES} bytes`, { field: 'key' });
  }
}

function checkAad(aad: string): void {
  if (typeof aad !== 'string' || aad.length === 0) {
    throw new FedriskError('INVALID_ARGUMENT', 'aad must name what the box holds', { field: 'aad' });
  }
}

function associatedData(head: Uint8Array, aad: string): Buffer {
  return Buffer.concat([head.subarray(0, 1), Buffer.from(aad, 'utf8')]);
}

/**
 * Nonces come from a pooled buffer of CSPRNG bytes refilled 4 KiB at a time: the same random 96-bit nonces, without a
 * system call per box (PII is boxed several times per loan application, on the request path). Each nonce is copied
 * into its box before the pool can be refilled.
 */
const NONCE_POOL = Buffer.alloc(4096);
let noncePoolOffset = NONCE_POOL.byteLength;

function writeNonce(into: Uint8Array, at: number): void {
  if (noncePoolOffset + NONCE_BYTES > NONCE_POOL.byteLength) {
    randomFillSync(NONCE_POOL);
    noncePoolOffset = 0;
  }
  into.set(NONCE_POOL.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES), at);
  NONCE_POOL.fill(0, noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
}

/**
 * An at-rest key: 32 raw bytes, or the same bytes imported once as a secret KeyObject (what hot paths keep, so a key
 * is not re-imported for every box).
 */
export type AtRestKey = Uint8Array | KeyObject;

/** Imports a raw at-rest key once, for callers that box many values with it. */
export function importAtRestKey(key: Uint8Array): KeyObject {
  checkKey(key);
  return createSecretKey(key);
}

function keyOf(key: AtRestKey): Uint8Array | KeyObject {
  if (key instanceof Uint8Array) {
    checkKey(key);
    return key;
  }
  if (key.type !== 'secret' || key.symmetricKeySize !== AT_REST_KEY_BYTES) {
    throw new FedriskError('INVALID_ARGUMENT', `an at-rest key is ${AT_REST_KEY_BYTES} bytes`, { field: 'key' });
  }
  return key;
}

/** Encrypts one secret for storage; `aad` names it (e.g. `fedrisk/node-secret/<name>`) so boxes cannot be swapped. */
export function encryptAtRest(key: AtRestKey, plaintext: Uint8Array, aad: string): Uint8Array {
  const k = keyOf(key);
  checkAad(aad);
  if (!(plaintext instanceof Uint8Array)) throw new FedriskError('INVALID_ARGUMENT', 'plaintext must be bytes', { field: 'plaintext' });
  const out = Buffer.allocUnsafe(HEAD_BYTES + plaintext.byteLength + TAG_BYTES);
  out[0] = SECRET_BOX_VERSION;
  writeNonce(out, 1);
  const cipher = createCipheriv('aes-256-gcm', k, out.subarray(1, HEAD_BYTES));
  cipher.setAAD(associatedData(out, aad));
  // GCM is a stream cipher: the ciphertext is exactly as long as the plaintext.
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  out.set(body, HEAD_BYTES);
  out.set(tail, HEAD_BYTES + body.byteLength);
  out.set(cipher.getAuthTag(), HEAD_BYTES + plaintext.byteLength);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Opens a box from {@link encryptAtRest}; a wrong key, wrong aad or any tampering fails with PERMISSION_DENIED. */
export function decryptAtRest(key: AtRestKey, box: Uint8Array, aad: string): Uint8Array {
  const k = keyOf(key);
  checkAad(aad);
  const denied = (cause?: unknown): FedriskError =>
    new FedriskError('PERMISSION_DENIED', 'stored secret cannot be opened with this key (wrong key, tampered box or wrong aad)', {}, { cause });
  if (!(box instanceof Uint8Array) || box.byteLength < HEAD_BYTES + TAG_BYTES || box[0] !== SECRET_BOX_VERSION) throw denied();
  try {
    const decipher = createDecipheriv('aes-256-gcm', k, box.subarray(1, HEAD_BYTES));
    decipher.setAAD(associatedData(box, aad));
    decipher.setAuthTag(box.subarray(box.byteLength - TAG_BYTES));
    return new Uint8Array(Buffer.concat([decipher.update(box.subarray(HEAD_BYTES, box.byteLength - TAG_BYTES)), decipher.final()]));
  } catch (err) {
    throw denied(err);
  }
}

/**
 * Returns the node's at-rest key, creating it (32 random bytes, mode 0600, parent directory 0700 if missing) on
 * first use. Refuses, rather than repairs, a file that is not a regular file, has the wrong size, or can be read by
 * group or others: any of those means the key may already be compromised and an operator should look.
 */
export function loadOrCreateKeyFile(path: string): Uint8Array {
  if (typeof path !== 'string' || path.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'key file path is empty', { field: 'path' });
  const existing = tryLstat(path);
  if (existing === null) {
    const key = randomBytes(AT_REST_KEY_BYTES);
    let fd: number;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      // Another process created it between our check and now: use theirs.
      if (isErrno(err, 'EEXIST')) return loadOrCreateKeyFile(path);
      throw new FedriskError('FAILED_PRECONDITION', `cannot create key file ${path}: ${errMessage(err)}`, { field: 'path' }, { cause: err });
    }
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, key);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const out = new Uint8Array(key);
    key.fill(0);
    return out;
  }
  if (!existing.isFile()) {
    throw new FedriskError('FAILED_PRECONDITION', `key file ${path} is not a regular file (symlinks are refused)`, { field: 'path' });
  }
  if (process.platform !== 'win32' && (existing.mode & 0o077) !== 0) {
    const mode = (existing.mode & 0o777).toString(8).padStart(3, '0');
    throw new FedriskError('FAILED_PRECONDITION', `key file ${path} has mode ${mode}: group/others may read it; run chmod 600 after checking who did`, {
      field: 'path',
      mode,
    });
  }
  if (existing.size !== AT_REST_KEY_BYTES) {
    throw new FedriskError('FAILED_PRECONDITION', `key file ${path} holds ${existing.size} bytes, not ${AT_REST_KEY_BYTES}: not a fedrisk key file`, {
      field: 'path',
    });
  }
  const buf = readFileSync(path);
  if (buf.byteLength !== AT_REST_KEY_BYTES) {
    throw new FedriskError('FAILED_PRECONDITION', `key file ${path} changed while being read`, { field: 'path' });
  }
  const out = new Uint8Array(buf);
  buf.fill(0);
  return out;
}

function tryLstat(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new FedriskError('FAILED_PRECONDITION', `cannot inspect key file ${path}: ${errMessage(err)}`, { field: 'path' }, { cause: err });
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
