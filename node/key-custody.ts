/**
 * Key custody on a node: the member's X25519 seal key pair and each key epoch's bundle (CKKS secret key + consortium
 * token key). Everything is stored only through NodeStore's at-rest encryption; bundles travel only sealed to one
 * member's public key, bound to (consortium, epoch, recipient) so an envelope cannot be replayed to someone else.
 */
import { randomBytes } from 'node:crypto';
import { FedriskError } from '../common/errors.js';
import { generateSealKeyPair, openSealed, sealTo } from '../common/crypto/index.js';
import type { NodeStore } from './store/node-store.js';

export interface KeyBundle {
  epoch: number;
  heSecretKey: Uint8Array;
  /** HMAC key for identifier tokens (blacklist, velocity, overdue reports): members only, like the HE key. */
  tokenKey: Uint8Array;
  fingerprint: string;
}

export interface SealKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export function bundleAad(consortiumId: string, epoch: number, recipientMemberId: string): string {
  return `fedrisk/key-bundle/v1|${consortiumId}|${epoch}|${recipientMemberId}`;
}

export function encodeBundle(b: KeyBundle): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      epoch: b.epoch,
      heSecretKey: Buffer.from(b.heSecretKey).toString('base64'),
      tokenKey: Buffer.from(b.tokenKey).toString('base64'),
      fingerprint: b.fingerprint,
    }),
  );
}

export function decodeBundle(bytes: Uint8Array): KeyBundle {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new FedriskError('INVALID_ARGUMENT', 'key bundle is not valid JSON');
  }
  const d = doc as Record<string, unknown>;
  if (typeof d.epoch !== 'number' || typeof d.heSecretKey !== 'string' || typeof d.tokenKey !== 'string' || typeof d.fingerprint !== 'string') {
    throw new FedriskError('INVALID_ARGUMENT', 'key bundle is malformed');
  }
  return {
    epoch: d.epoch,
    heSecretKey: new Uint8Array(Buffer.from(d.heSecretKey, 'base64')),
    tokenKey: new Uint8Array(Buffer.from(d.tokenKey, 'base64')),
    fingerprint: d.fingerprint,
  };
}

export class KeyCustody {
  constructor(private readonly store: NodeStore) {}

  /** The member's seal key pair: created on first use, then always the same (it identifies the member). */
  async sealKeyPair(): Promise<SealKeyPair> {
    const pub = await this.store.getSecret('seal/public');
    const priv = await this.store.getSecret('seal/private');
    if (pub && priv) return { publicKey: pub, privateKey: priv };
    const kp = generateSealKeyPair();
    await this.store.putSecret('seal/private', kp.privateKey);
    await this.store.putSecret('seal/public', kp.publicKey);
    return kp;
  }

  async getBundle(epoch: number): Promise<KeyBundle | null> {
    const raw = await this.store.getSecret(`keys/epoch/${epoch}`);
    return raw ? decodeBundle(raw) : null;
  }

  async putBundle(b: KeyBundle): Promise<void> {
    await this.store.putSecret(`keys/epoch/${b.epoch}`, encodeBundle(b));
  }

  /** A fresh token key for a new epoch (the HE key is made by the caller, which owns the CKKS context). */
  static newTokenKey(): Uint8Array {
    return new Uint8Array(randomBytes(32));
  }

  sealFor(bundle: KeyBundle, consortiumId: string, recipientMemberId: string, recipientPublicKey: Uint8Array): Uint8Array {
    return sealTo(recipientPublicKey, encodeBundle(bundle), bundleAad(consortiumId, bundle.epoch, recipientMemberId));
  }

  async openEnvelope(sealed: Uint8Array, consortiumId: string, epoch: number, selfMemberId: string): Promise<KeyBundle> {
    const { privateKey } = await this.sealKeyPair();
    const bundle = decodeBundle(openSealed(privateKey, sealed, bundleAad(consortiumId, epoch, selfMemberId)));
    if (bundle.epoch !== epoch) throw new FedriskError('PERMISSION_DENIED', `envelope holds epoch ${bundle.epoch}, expected ${epoch}`);
    return bundle;
  }
}
