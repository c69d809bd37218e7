/**
 * The one place that turns identifiers into tokens and PII into ciphertext, with the institution's keyring. Called
 * on every application, so key material is decoded once (KeyObjects for the HMAC key and each data key) and
 * reused; a tokenisation is one HMAC, an encryption one AES-256-GCM box (common/crypto encryptAtRest).
 *
 * - Tokens: HMAC-SHA256(tokenKey, `${kind}\u0000${value}`), base64url (43 characters). The kind is inside the MAC,
 *   so the same digits as a phone and as a bank card give unrelated tokens; the value must already be normalised
 *   (identifier-rules.ts), so two spellings of one identifier give one token.
 * - Ciphertext: encryptAtRest(activeKey, utf8(value), `fedrisk/pii/${kind}`); the aad names the field, so a box
 *   cannot be moved into another column and opened as something else. The row records which key id encrypted it.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { FedriskError } from '../../common/errors.js';
import { decryptAtRest, encryptAtRest, importAtRestKey } from '../../common/crypto/index.js';
import type { IdentifierKind, Tokenize } from '../pipeline/decision-types.js';
import { checkKeyring, type PiiKeyring } from './pii-keyring.js';

/** What can be encrypted: the tokenisable identifiers and the applicant's name. */
export type PiiKind = IdentifierKind | 'name';

/** One encrypted value and the id of the data key that made it. */
export interface PiiBox {
  keyId: string;
  box: Uint8Array;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The aad of a PII box of this kind. */
export function piiAad(kind: PiiKind): string {
  return `fedrisk/pii/${kind}`;
}

export class PiiVault {
  private tokenKey: KeyObject;
  private tokenKeyB64: string;
  private keys = new Map<string, KeyObject>();
  private active = '';

  /** Tokenises a normalised identifier (see the file comment); bound, so it can be passed around as a function. */
  readonly tokenize: Tokenize = (kind, normalisedValue) =>
    createHmac('sha256', this.tokenKey).update(`${kind}\u0000${normalisedValue}`, 'utf8').digest('base64url');

  constructor(keyring: PiiKeyring) {
    const k = checkKeyring(keyring);
    this.tokenKeyB64 = k.tokenKey;
    this.tokenKey = createSecretKey(Buffer.from(k.tokenKey, 'base64'));
    this.install(k);
  }

  private install(k: PiiKeyring): void {
    const keys = new Map<string, KeyObject>();
    for (const e of k.keys) keys.set(e.id, importAtRestKey(new Uint8Array(Buffer.from(e.key, 'base64'))));
    // Swap both at once: a request running in between sees either the old or the new keyring, never a mix.
    this.keys = keys;
    this.active = k.activeKeyId;
  }

  /**
   * Takes a newer keyring (after a rotation or retirement) without a restart. The token key must be the same one:
   * a different token key would orphan every stored token, so it is refused rather than adopted.
   */
  reload(keyring: PiiKeyring): void {
    const k = checkKeyring(keyring);
    if (k.tokenKey !== this.tokenKeyB64) {
      throw new FedriskError('FAILED_PRECONDITION', 'the new PII keyring has a different token key: tokens would stop matching; refused', {
        field: 'tokenKey',
      });
    }
    this.install(k);
  }

  /** The id of the data key new encryptions use. */
  get activeKeyId(): string {
    return this.active;
  }

  /** Whether this vault can open boxes made with `keyId` (active, older or retired, as long as it is in the file). */
  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Encrypts one value under the active key. */
  encrypt(kind: PiiKind, value: string): PiiBox {
    const keyId = this.active;
    return { keyId, box: encryptAtRest(this.keys.get(keyId)!, encoder.encode(value), piiAad(kind)) };
  }

  /**
   * Opens a box. A key id missing from the keyring is FAILED_PRECONDITION (an operator removed a key still in use);
   * a wrong kind or a tampered box is PERMISSION_DENIED (from decryptAtRest).
   */
  decrypt(kind: PiiKind, keyId: string, box: Uint8Array): string {
    const key = this.keys.get(keyId);
    if (!key) throw new FedriskError('FAILED_PRECONDITION', `PII key ${keyId} is not in the keyring`, { field: 'keyId', keyId });
    const plain = decryptAtRest(key, box, piiAad(kind));
    try {
      return decoder.decode(plain);
    } finally {
      plain.fill(0);
    }
  }
}
