/**
 * The PUBLIC side of CKKS: the only HE module the coordinator imports. It knows the parameters and can add
 * ciphertexts, and nothing else: no key is generated, loaded or used here (a test walks this file's imports to keep
 * it so), which is what makes the coordinator blind by construction rather than by discipline.
 */
import { createHash } from 'node:crypto';
import { FedriskError } from '../errors.js';
import { CiphertextCodec } from './ciphertext-codec.js';
import { registerSealHandle, type KeyLevelLayout, type SealHandle } from './ckks-internal.js';
import {
  DEFAULT_CKKS_PARAMS,
  DEFAULT_MAX_SUMMANDS,
  maxCiphertextBytes,
  slotCount,
  validateCkksParams,
  type CkksParams,
} from './ckks-params.js';
import { parmsIdBytes, primeTable } from './seal-header.js';
import {
  isPoisoned,
  isWasmTrap,
  loadSealLibrary,
  poisonSealLibrary,
  type SEALLibrary,
  type SealCipherText,
  type SealContext,
} from './seal-library.js';

export interface CkksContextOptions {
  /**
   * Most updates one sum may add. Encryptors bound each value by headroom / maxSummands, so adding more than this
   * could wrap silently; the default matches the encryptors' default.
   */
  maxSummands?: number;
}

export interface CkksContext {
  readonly params: Readonly<CkksParams>;
  /** Values per ciphertext. */
  readonly slots: number;
  /** Stable id of the parameters (ring, actual primes, scale): equal fingerprints mean interchangeable ciphertexts. */
  readonly parmsFingerprint: string;
  readonly maxSummands: number;
  /**
   * Adds updates element-wise: update i is a list of k serialized ciphertexts, all updates have the same k; returns
   * the k serialized sums. A ciphertext that is malformed or made under other parameters throws INVALID_ARGUMENT
   * naming the update and ciphertext index, before any addition is done.
   */
  sum(updates: Uint8Array[][]): Uint8Array[];
  /** Checks that one update's ciphertexts load under these parameters, without adding anything. */
  validateUpdate(ciphertexts: Uint8Array[]): void;
  /** Frees the wasm objects; the context (and any cipher built on it) is unusable afterwards. */
  dispose(): void;
}

/** Builds a context for `params` (validated first); the wasm runtime is loaded once per process and shared. */
export async function createCkksContext(
  params: CkksParams = DEFAULT_CKKS_PARAMS,
  options: CkksContextOptions = {},
): Promise<CkksContext> {
  validateCkksParams(params);
  const maxSummands = options.maxSummands ?? DEFAULT_MAX_SUMMANDS;
  if (!Number.isInteger(maxSummands) || maxSummands < 1) {
    throw new FedriskError('INVALID_ARGUMENT', `maxSummands must be a positive integer, got ${String(maxSummands)}`, { field: 'maxSummands' });
  }
  const frozen: Readonly<CkksParams> = Object.freeze({
    polyModulusDegree: params.polyModulusDegree,
    coeffModulusBits: Object.freeze([...params.coeffModulusBits]) as number[],
    scaleBits: params.scaleBits,
  });
  const seal = await loadSealLibrary();
  const ctx = new SealCkksContext(seal, frozen, maxSummands);
  registerSealHandle(ctx, ctx.handle);
  return ctx;
}

function safeDelete(obj: { delete(): void }): void {
  try {
    obj.delete();
  } catch {
    // Only reachable once the runtime is poisoned; the object is lost with it.
  }
}

function readParmsId(get: () => { values: BigUint64Array; delete(): void }): Uint8Array {
  const id = get();
  try {
    return parmsIdBytes(id.values);
  } finally {
    id.delete();
  }
}

class SealCkksContext implements CkksContext {
  readonly slots: number;
  readonly parmsFingerprint: string;
  readonly handle: SealHandle;
  private readonly sealContext: SealContext;
  private readonly codec: CiphertextCodec;
  private readonly release: () => void;
  private readonly evaluator: ReturnType<SEALLibrary['Evaluator']>;
  private disposed = false;
  private poisoned = false;

  constructor(
    private readonly seal: SEALLibrary,
    readonly params: Readonly<CkksParams>,
    readonly maxSummands: number,
  ) {
    const n = params.polyModulusDegree;
    const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
    let context: SealContext | null = null;
    let allPrimes: BigUint64Array;
    let firstPrimes: BigUint64Array;
    try {
      parms.setPolyModulusDegree(n);
      const moduli = seal.CoeffModulus.Create(n, Int32Array.from(params.coeffModulusBits));
      try {
        parms.setCoeffModulus(moduli);
      } finally {
        moduli.delete();
      }
      context = seal.Context(parms, true, seal.SecurityLevel.tc128);
      if (!context.parametersSet()) throw new Error('SEAL refused the encryption parameters');
      allPrimes = parms.coeffModulus;
      const first = context.firstContextData;
      try {
        firstPrimes = first.parms.coeffModulus;
      } finally {
        first.delete();
      }
    } catch (err) {
      if (context !== null) safeDelete(context);
      safeDelete(parms);
      if (err instanceof FedriskError) throw err;
      throw new FedriskError('INVALID_ARGUMENT', `ckks: cannot build a context: ${err instanceof Error ? err.message : String(err)}`, { field: 'ckks' }, { cause: err });
    }
    const sealContext = context;
    this.sealContext = sealContext;
    this.slots = slotCount(params);
    this.evaluator = seal.Evaluator(sealContext);
    const scale = 2 ** params.scaleBits;
    this.codec = new CiphertextCodec(
      {
        polyModulusDegree: n,
        dataPrimes: Array.from(firstPrimes),
        parmsId: readParmsId(() => sealContext.firstParmsId),
        scale,
        maxBytes: maxCiphertextBytes(params),
      },
      seal,
    );
    const keyLevel: KeyLevelLayout = {
      parmsId: readParmsId(() => sealContext.keyParmsId),
      primes: primeTable(Array.from(allPrimes)),
      primeCount: allPrimes.length,
    };
    const canonical = JSON.stringify({ scheme: 'ckks', n, primes: Array.from(allPrimes, String), scaleBits: params.scaleBits });
    const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
    this.parmsFingerprint = `ckks-n${n}-q${params.coeffModulusBits.join('.')}-s${params.scaleBits}-${digest}`;
    this.release = () => {
      safeDelete(this.evaluator);
      safeDelete(sealContext);
      safeDelete(parms);
    };
    this.handle = {
      seal,
      context: sealContext,
      params,
      scale,
      codec: this.codec,
      keyLevel,
      ensureUsable: () => this.ensureUsable(),
      loadCiphertext: (bytes, where, details) => this.loadCiphertext(bytes, where, details),
      noteSealError: (err) => this.noteSealError(err),
    };
  }

  sum(updates: Uint8Array[][]): Uint8Array[] {
    this.ensureUsable();
    if (!Array.isArray(updates) || updates.length === 0) {
      throw new FedriskError('INVALID_ARGUMENT', 'a sum needs at least one update', { field: 'updates' });
    }
    if (updates.length > this.maxSummands) {
      throw new FedriskError('OUT_OF_RANGE', `${updates.length} updates exceed the ${this.maxSummands} one sum may add without risking a wrap`, {
        field: 'updates',
        maxSummands: this.maxSummands,
      });
    }
    const k = Array.isArray(updates[0]) ? updates[0].length : 0;
    updates.forEach((u, i) => {
      if (!Array.isArray(u) || u.length === 0) {
        throw new FedriskError('INVALID_ARGUMENT', `update ${i} holds no ciphertext`, { field: `updates[${i}]`, update: i });
      }
      if (u.length !== k) {
        throw new FedriskError('INVALID_ARGUMENT', `update ${i} holds ${u.length} ciphertexts but update 0 holds ${k}`, {
          field: `updates[${i}]`,
          update: i,
        });
      }
    });
    // Every ciphertext is checked before any addition, so one bad update fails the sum at once and names itself.
    updates.forEach((u, i) => u.forEach((bytes, j) => this.canonical(bytes, `update ${i}, ciphertext ${j}`, at(i, j))));
    const out: Uint8Array[] = [];
    for (let j = 0; j < k; j++) {
      const acc = this.loadCiphertext(updates[0]![j]!, `update 0, ciphertext ${j}`, at(0, j));
      try {
        for (let i = 1; i < updates.length; i++) {
          const term = this.loadCiphertext(updates[i]![j]!, `update ${i}, ciphertext ${j}`, at(i, j));
          try {
            this.evaluator.add(acc, term, acc);
          } catch (err) {
            const msg = this.noteSealError(err);
            throw new FedriskError('INVALID_ARGUMENT', `update ${i}, ciphertext ${j}: cannot be added (${msg})`, { ...at(i, j), reason: 'rejected' });
          } finally {
            safeDelete(term);
          }
        }
        out.push(this.codec.serialize(acc));
      } finally {
        safeDelete(acc);
      }
    }
    return out;
  }

  validateUpdate(ciphertexts: Uint8Array[]): void {
    this.ensureUsable();
    if (!Array.isArray(ciphertexts) || ciphertexts.length === 0) {
      throw new FedriskError('INVALID_ARGUMENT', 'update holds no ciphertext', { field: 'ciphertexts' });
    }
    ciphertexts.forEach((bytes, j) => {
      safeDelete(this.loadCiphertext(bytes, `ciphertext ${j}`, { field: `ciphertexts[${j}]`, ciphertext: j }));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
  }

  private ensureUsable(): void {
    if (this.disposed) throw new FedriskError('FAILED_PRECONDITION', 'CKKS context was disposed');
    if (this.poisoned || isPoisoned(this.seal)) {
      throw new FedriskError('UNAVAILABLE', 'CKKS runtime was corrupted by a malformed input; create a new context');
    }
  }

  private canonical(bytes: Uint8Array, where: string, details: Record<string, unknown>): Uint8Array {
    try {
      return this.codec.canonicalize(bytes);
    } catch (err) {
      if (!(err instanceof FedriskError)) throw err;
      throw new FedriskError('INVALID_ARGUMENT', `${where}: ${err.message}`, { ...err.details, ...details }, { cause: err });
    }
  }

  private loadCiphertext(bytes: Uint8Array, where: string, details: Record<string, unknown>): SealCipherText {
    const canonical = this.canonical(bytes, where, details);
    this.ensureUsable();
    const ct = this.seal.CipherText();
    try {
      ct.loadArray(this.sealContext, canonical);
      return ct;
    } catch (err) {
      safeDelete(ct);
      const msg = this.noteSealError(err);
      throw new FedriskError('INVALID_ARGUMENT', `${where}: SEAL refused it (${msg})`, { ...details, reason: 'rejected' }, { cause: err });
    }
  }

  private noteSealError(err: unknown): string {
    if (isWasmTrap(err)) {
      this.poisoned = true;
      poisonSealLibrary(this.seal);
    }
    return err instanceof Error ? err.message : String(err);
  }
}

function at(update: number, ciphertext: number): Record<string, unknown> {
  return { field: `updates[${update}][${ciphertext}]`, update, ciphertext };
}
