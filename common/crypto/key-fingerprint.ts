/**
 * Short, stable name of a key: members compare it out of band before approving a newcomer's X25519 key, and check
 * that an opened HE key bundle is the one the key holder published. 128 bits of SHA-256 are plenty for naming keys
 * that are themselves high-entropy; it reveals nothing usable about them.
 */
import { createHash } from 'node:crypto';
import { FedriskError } from '../errors.js';

/** SHA-256 of the key bytes, first 16 bytes, lowercase hex (32 characters). */
export function keyFingerprint(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
    throw new FedriskError('INVALID_ARGUMENT', 'a key fingerprint needs non-empty key bytes', { field: 'key' });
  }
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}
