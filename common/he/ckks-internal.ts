/**
 * INTERNAL to common/he. The coordinator-facing {@link CkksContext} exposes only public operations; the node-side
 * cipher (ckks-keys.ts) still needs the SEAL objects behind it. This registry hands them over without putting any
 * secret-key operation on the context's API: nothing here encrypts, decrypts or makes keys.
 */
import { FedriskError } from '../errors.js';
import type { CkksContext } from './ckks-context.js';
import type { CiphertextCodec } from './ciphertext-codec.js';
import type { CkksParams } from './ckks-params.js';
import type { PrimeTable } from './seal-header.js';
import type { SEALLibrary, SealCipherText, SealContext } from './seal-library.js';

/** The key level (all primes, special one included): what a secret key is laid out over. */
export interface KeyLevelLayout {
  parmsId: Uint8Array;
  primes: PrimeTable;
  primeCount: number;
}

export interface SealHandle {
  readonly seal: SEALLibrary;
  readonly context: SealContext;
  readonly params: Readonly<CkksParams>;
  readonly scale: number;
  readonly codec: CiphertextCodec;
  readonly keyLevel: KeyLevelLayout;
  /** Throws FAILED_PRECONDITION after dispose, UNAVAILABLE once the wasm runtime is poisoned. */
  ensureUsable(): void;
  /**
   * Validates and loads one ciphertext; `where` names it in the INVALID_ARGUMENT error. The caller deletes the
   * returned object.
   */
  loadCiphertext(bytes: Uint8Array, where: string, details: Record<string, unknown>): SealCipherText;
  /** Records a SEAL failure; on a wasm trap, poisons the runtime. Returns the error message. */
  noteSealError(err: unknown): string;
}

const handles = new WeakMap<CkksContext, SealHandle>();

/** Called once by createCkksContext; a WeakMap, so a disposed and dropped context leaves nothing behind. */
export function registerSealHandle(ctx: CkksContext, handle: SealHandle): void {
  handles.set(ctx, handle);
}

/** For ckks-keys.ts (and benchmarks): the SEAL objects behind a context, refused once it is disposed or poisoned. */
export function sealHandleOf(ctx: CkksContext): SealHandle {
  const h = handles.get(ctx);
  if (h === undefined) throw new FedriskError('INVALID_ARGUMENT', 'not a context made by createCkksContext');
  h.ensureUsable();
  return h;
}
