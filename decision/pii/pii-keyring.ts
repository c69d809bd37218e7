/**
 * The institution's own PII key material, in one JSON file that only the service's user may read:
 *
 *   { format: 'fedrisk.pii-keyring/v1', tokenKey, activeKeyId, keys: [{ id, key, createdAt, retiredAt }] }
 *
 * - `tokenKey` (32 bytes, base64) keys the HMAC tokens used for lookups (lists, velocity, linkage, the applicants
 *   table's primary key). It NEVER rotates: a new token key would give every returning applicant a new token, so
 *   lists, velocity windows and the applicant row itself would silently stop matching. Protecting it is the file's
 *   job (mode 0600); rotating it would be a re-tokenisation of every store, not a key rotation.
 * - `keys` are the AES-256-GCM data keys for PII at rest. Exactly one is active (new encryptions use it); older ones
 *   stay present so rows written under them still decrypt while they are re-encrypted in place; a key is retired
 *   once no row uses it (it then decrypts stragglers but never encrypts).
 *
 * Like common/crypto loadOrCreateKeyFile, a file that is not a regular file or that group/others can read is
 * refused, not repaired. Every rewrite is atomic (temp file + fsync + rename), so a crash mid-rotation leaves either
 * the old or the new keyring, never a torn one; a lock file serialises rotations and retirements.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { FedriskError } from '../../common/errors.js';

export const PII_KEYRING_FORMAT = 'fedrisk.pii-keyring/v1';
const KEY_BYTES = 32;

/** One data key. `key` is base64 of 32 bytes; times are ISO-8601 UTC. */
export interface PiiKeyEntry {
  id: string;
  key: string;
  createdAt: string;
  retiredAt: string | null;
}

/** The keyring as stored in the file (and as {@link PiiVault} takes it). */
export interface PiiKeyring {
  format: typeof PII_KEYRING_FORMAT;
  tokenKey: string;
  activeKeyId: string;
  keys: PiiKeyEntry[];
}

export interface CreateKeyringOptions {
  /**
   * Token key for a new keyring (32 bytes); random by default. Lets an operator create the keyring around an
   * existing token key (e.g. one shared with the consortium exchange) so tokens match across systems.
   */
  tokenKey?: Uint8Array;
  now?: Date;
}

function fail(path: string, message: string, cause?: unknown): FedriskError {
  return new FedriskError('FAILED_PRECONDITION', `PII keyring ${path}: ${message}`, { field: 'path' }, cause === undefined ? undefined : { cause });
}

function b64Key(v: unknown): boolean {
  return typeof v === 'string' && Buffer.from(v, 'base64').byteLength === KEY_BYTES && /^[A-Za-z0-9+/]{43}=$/.test(v);
}

/** Validates a parsed keyring: shape, key sizes, unique ids, an active key that exists and is not retired. */
export function checkKeyring(value: unknown, path = '(memory)'): PiiKeyring {
  if (typeof value !== 'object' || value === null) throw fail(path, 'not a JSON object');
  const k = value as Record<string, unknown>;
  if (k['format'] !== PII_KEYRING_FORMAT) throw fail(path, `format is not ${PII_KEYRING_FORMAT}`);
  if (!b64Key(k['tokenKey'])) throw fail(path, 'tokenKey is not 32 bytes of base64');
  if (!Array.isArray(k['keys']) || k['keys'].length === 0) throw fail(path, 'keys must be a non-empty array');
  const keys: PiiKeyEntry[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of (k['keys'] as unknown[]).entries()) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const id = e['id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw fail(path, `keys[${i}].id must be 1-64 characters [A-Za-z0-9_-]`);
    if (seen.has(id)) throw fail(path, `key id ${id} appears twice`);
    seen.add(id);
    if (!b64Key(e['key'])) throw fail(path, `key ${id} is not 32 bytes of base64`);
    if (typeof e['createdAt'] !== 'string') throw fail(path, `key ${id} has no createdAt`);
    const retiredAt = e['retiredAt'] ?? null;
    if (retiredAt !== null && typeof retiredAt !== 'string') throw fail(path, `key ${id} has a malformed retiredAt`);
    keys.push({ id, key: e['key'] as string, createdAt: e['createdAt'], retiredAt });
  }
  const active = keys.find((e) => e.id === k['activeKeyId']);
  if (!active) throw fail(path, 'activeKeyId names no key of the keyring');
  if (active.retiredAt !== null) throw fail(path, `active key ${active.id} is retired`);
  return { format: PII_KEYRING_FORMAT, tokenKey: k['tokenKey'] as string, activeKeyId: active.id, keys };
}

function newKeyEntry(existing: readonly PiiKeyEntry[], now: Date): PiiKeyEntry {
  const n = existing.length + 1;
  let id: string;
  do id = `k${n}-${randomBytes(4).toString('hex')}`;
  while (existing.some((e) => e.id === id));
  return { id, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: now.toISOString(), retiredAt: null };
}

function tryLstat(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fail(path, `cannot inspect: ${String(err)}`, err);
  }
}

/** Reads and validates an existing keyring file; refuses a missing, non-regular or group/other-readable file. */
export function loadKeyring(path: string): PiiKeyring {
  const st = tryLstat(path);
  if (st === null) throw new FedriskError('NOT_FOUND', `PII keyring ${path} does not exist`, { field: 'path' });
  if (!st.isFile()) throw fail(path, 'is not a regular file (symlinks are refused)');
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
    throw fail(path, `has mode ${mode}: group/others may read it; run chmod 600 after checking who did`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fail(path, 'is not valid JSON', err);
  }
  return checkKeyring(parsed, path);
}

/** Writes the keyring to a fresh 0600 temp file beside `path`, fsynced; returns the temp path. */
function writeTemp(path: string, keyring: PiiKeyring): string {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, JSON.stringify(keyring, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a directory; the rename itself is still atomic.
  }
}

/**
 * Returns the keyring at `path`, creating it on first use (a random token key unless one is given, one active data
 * key, mode 0600, parent folder 0700). Creation links the finished temp file into place, so two processes starting
 * at once end up sharing the first one's keyring instead of overwriting each other.
 */
export function loadOrCreateKeyring(path: string, options: CreateKeyringOptions = {}): PiiKeyring {
  if (typeof path !== 'string' || path.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'PII keyring path is empty', { field: 'path' });
  if (tryLstat(path) !== null) return loadKeyring(path);
  if (options.tokenKey !== undefined && options.tokenKey.byteLength !== KEY_BYTES) {
    throw new FedriskError('INVALID_ARGUMENT', `a token key is ${KEY_BYTES} bytes`, { field: 'tokenKey' });
  }
  const first = newKeyEntry([], options.now ?? new Date());
  const keyring: PiiKeyring = {
    format: PII_KEYRING_FORMAT,
    tokenKey: Buffer.from(options.tokenKey ?? randomBytes(KEY_BYTES)).toString('base64'),
    activeKeyId: first.id,
    keys: [first],
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = writeTemp(path, keyring);
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadKeyring(path);
    throw fail(path, `cannot create: ${String(err)}`, err);
  } finally {
    unlinkSync(tmp);
  }
  fsyncDir(dirname(path));
  return keyring;
}

/** Runs a read-modify-write of the keyring under `<path>.lock`, replacing the file atomically. */
function updateKeyring(path: string, change: (k: PiiKeyring) => PiiKeyring): PiiKeyring {
  const lock = `${path}.lock`;
  let lockFd: number;
  try {
    lockFd = openSync(lock, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw fail(path, `another rotation holds ${lock}; if none is running (a crash), remove the lock file`);
    }
    throw fail(path, `cannot take ${lock}: ${String(err)}`, err);
  }
  try {
    const next = checkKeyring(change(loadKeyring(path)), path);
    const tmp = writeTemp(path, next);
    try {
      renameSync(tmp, path);
    } catch (err) {
      unlinkSync(tmp);
      throw fail(path, `cannot replace: ${String(err)}`, err);
    }
    fsyncDir(dirname(path));
    return next;
  } finally {
    closeSync(lockFd);
    unlinkSync(lock);
  }
}

/**
 * Adds a fresh data key and makes it active; older keys stay (they still decrypt). The token key is kept as is.
 * A running service picks the new key up with `PiiVault.reload`, then rows are moved with
 * `ApplicantStore.reencryptBatch`, and the old key is retired with {@link retireKey}.
 */
export function rotateKeyring(path: string, now: Date = new Date()): PiiKeyring {
  return updateKeyring(path, (k) => {
    const entry = newKeyEntry(k.keys, now);
    return { ...k, activeKeyId: entry.id, keys: [...k.keys, entry] };
  });
}

/**
 * Marks a data key retired. The keyring cannot see the database, so the caller passes how many rows still use the
 * key (`ApplicantStore.countByKeyId`) and a non-zero count is refused; so is the active key. A retired key stays in
 * the file: a row written under it by a process that had not reloaded yet still decrypts, and the next
 * re-encryption pass moves it.
 */
export function retireKey(path: string, keyId: string, options: { rowsUsingKey: number; now?: Date }): PiiKeyring {
  return updateKeyring(path, (k) => {
    const entry = k.keys.find((e) => e.id === keyId);
    if (!entry) throw new FedriskError('NOT_FOUND', `PII key ${keyId} is not in the keyring`, { field: 'keyId' });
    if (k.activeKeyId === keyId) throw new FedriskError('FAILED_PRECONDITION', `PII key ${keyId} is active: rotate first`, { field: 'keyId' });
    if (options.rowsUsingKey !== 0) {
      throw new FedriskError('FAILED_PRECONDITION', `PII key ${keyId} still encrypts ${options.rowsUsingKey} rows: re-encrypt them first`, { field: 'keyId' });
    }
    if (entry.retiredAt !== null) return k;
    const retiredAt = (options.now ?? new Date()).toISOString();
    return { ...k, keys: k.keys.map((e) => (e.id === keyId ? { ...e, retiredAt } : e)) };
  });
}
