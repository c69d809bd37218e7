/**
 * The one place that turns identifiers into tokens and PII into ciphertext, with the institution's keyring. Called
 * on every application, so key material is decoded once (KeyObjects for the HMAC key and each data key) and
 * reused; a tokenisation is one HMAC, an encryption one AES-256-GCM box (common/crypto encryptAtRest).
 *
 * - Tokens: HMAC-SHA256(tokenKey, `${kind}\u0000${value}`), base64url (43 characters). The kind is inside the MAC,
 *   so the same digits as a phone and as a bank card give unrelated tokens; the value must already be normalised
 *   (identifier-rules.ts), so two spellings of one identifier give one token.
 * - Applicant records (what new `applicants` rows hold): ONE box per applicant, encryptAtRest(activeKey,
 *   utf8(JSON.stringify([idNumber, name, phone, bankCard | null])), `fedrisk/pii/applicant/v1/${token}`). One
 *   AES-256-GCM operation instead of one per field: each costs a cipher context and key schedule on the request
 *   thread, and the decision path boxes every applicant. The aad binds the box to its row (the token of the
 *   ID number), so it cannot be copied onto another applicant and opened there; `v1` names this plaintext layout (a
 *   fixed-order JSON array: the same record always gives the same bytes, and any name survives the escaping). A
 *   later layout takes a new aad, so a reader can tell them apart by which one authenticates.
 * - Single values: encryptAtRest(activeKey, utf8(value), `fedrisk/pii/${kind}`); the aad names the field, so a box
 *   cannot be moved into another column and opened as something else. Rows written before the record box (one box
 *   per column) are opened this way, and nothing else on the request path uses it any more.
 *
 * The row records which key id encrypted its boxes.
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

/** An applicant's PII as one record box holds it (normalised values; no bank card is null). */
export interface PiiRecord {
  idNumber: string;
  name: string;
  phone: string;
  bankCard: string | null;
}

/** The aad of an applicant's record box: the layout version and the row it belongs to (the ID number's token). */
export function piiRecordAad(token: string): string {
  return `fedrisk/pii/applicant/v1/${token}`;
}

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

  /** Encrypts one value under the active key (the per-column layout of older rows; see the file comment). */
  encrypt(kind: PiiKind, value: string): PiiBox {
    const keyId = this.active;
    return { keyId, box: encryptAtRest(this.keys.get(keyId)!, encoder.encode(value), piiAad(kind)) };
  }

  /**
   * Opens a box. A key id missing from the keyring is FAILED_PRECONDITION (an operator removed a key still in use);
   * a wrong kind or a tampered box is PERMISSION_DENIED (from decryptAtRest).
   */
  decrypt(kind: PiiKind, keyId: string, box: Uint8Array): string {
    const plain = decryptAtRest(this.keyFor(keyId), box, piiAad(kind));
    try {
      return decoder.decode(plain);
    } finally {
      plain.fill(0);
    }
  }

  /**
   * Encrypts a whole applicant record into one box under the active key, bound to the row's `token` (see the file
   * comment). The serialised plaintext is wiped once boxed.
   */
  encryptRecord(token: string, record: PiiRecord): PiiBox {
    if (token.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'a PII record box is bound to a non-empty token', { field: 'token' });
    const keyId = this.active;
    const plain = encoder.encode(JSON.stringify([record.idNumber, record.name, record.phone, record.bankCard]));
    try {
      return { keyId, box: encryptAtRest(this.keys.get(keyId)!, plain, piiRecordAad(token)) };
    } finally {
      plain.fill(0);
    }
  }

  /**
   * Opens a record box from {@link encryptRecord}. Errors as {@link decrypt}: a missing key id is FAILED_PRECONDITION;
   * another row's token, a tampered box or a wrong key is PERMISSION_DENIED. A box that authenticates but does not
   * hold a v1 record is INTERNAL (only this class writes them).
   */
  decryptRecord(token: string, keyId: string, box: Uint8Array): PiiRecord {
    const plain = decryptAtRest(this.keyFor(keyId), box, piiRecordAad(token));
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(plain));
    } catch {
      // No cause: a JSON.parse message quotes the text it choked on, and that text is PII.
      throw new FedriskError('INTERNAL', 'PII record box does not hold a v1 record', { keyId });
    } finally {
      plain.fill(0);
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 4 ||
      typeof parsed[0] !== 'string' ||
      typeof parsed[1] !== 'string' ||
      typeof parsed[2] !== 'string' ||
      (parsed[3] !== null && typeof parsed[3] !== 'string')
    ) {
      throw new FedriskError('INTERNAL', 'PII record box does not hold a v1 record', { keyId });
    }
    const [idNumber, name, phone, bankCard] = parsed as [string, string, string, string | null];
    return { idNumber, name, phone, bankCard };
  }

  private keyFor(keyId: string): KeyObject {
    const key = this.keys.get(keyId);
    if (!key) throw new FedriskError('FAILED_PRECONDITION', `PII key ${keyId} is not in the keyring`, { field: 'keyId', keyId });
    return key;
  }
}
