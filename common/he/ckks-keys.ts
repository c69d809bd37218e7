/**
 * The SECRET side of CKKS, for nodes only: makes the consortium's secret key and encrypts/decrypts vectors with it.
 * The coordinator never imports this module. Encryption is symmetric and seeded (half the size of public-key
 * encryption: one polynomial plus a 64-byte seed), and every value is range-checked first, because a sum that
 * leaves the headroom wraps silently into garbage.
 */
import { FedriskError } from '../errors.js';
import type { CkksContext } from './ckks-context.js';
import { sealHandleOf, type SealHandle } from './ckks-internal.js';
import { ciphertextCount, DEFAULT_MAX_SUMMANDS, headroom } from './ckks-params.js';
import { bytesEqual, checkCoefficients, COMPR_NONE, malformed, readSealHeader, readU64, SEAL_HEADER_BYTES, view } from './seal-header.js';

export { keyFingerprint } from '../crypto/key-fingerprint.js';

/**
 * A fresh secret key, serialized uncompressed (~131 KB at the default parameters: NTT-form coefficients do not
 * compress). Only the key holder calls this; the bytes then travel sealed to each member (common/crypto/key-seal).
 */
export function generateSecretKey(ctx: CkksContext): Uint8Array {
  const h = sealHandleOf(ctx);
  const keygen = h.seal.KeyGenerator(h.context);
  try {
    const sk = keygen.secretKey();
    try {
      return sk.saveArray(h.seal.ComprModeType.none);
    } finally {
      sk.delete();
    }
  } finally {
    keygen.delete();
  }
}

/**
 * Checks serialized secret-key bytes against the context's key level before SEAL parses them (SEAL's loader is not
 * safe against malformed input). Layout after the header: parms_id (32) | coefficient count (u64) | scale (f64) |
 * DynArray: SEAL header | count (u64) | coefficients.
 */
function checkSecretKeyBytes(h: SealHandle, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw malformed('secret key is not a byte array');
  const { parmsId, primes, primeCount } = h.keyLevel;
  const count = h.params.polyModulusDegree * primeCount;
  const expected = SEAL_HEADER_BYTES + 48 + SEAL_HEADER_BYTES + 8 + count * 8;
  const header = readSealHeader(bytes, 0, 'secret key');
  if (header.comprMode !== COMPR_NONE || header.size !== bytes.byteLength || bytes.byteLength !== expected) {
    throw malformed(`secret key has ${bytes.byteLength} bytes; one for these parameters has ${expected} (uncompressed)`);
  }
  if (!bytesEqual(bytes, SEAL_HEADER_BYTES, parmsId)) throw malformed('secret key was made under other CKKS parameters');
  const dv = view(bytes);
  if (readU64(dv, SEAL_HEADER_BYTES + 32, 'secret key size') !== count) throw malformed('secret key has a wrong coefficient count');
  const data = SEAL_HEADER_BYTES + 48;
  const inner = readSealHeader(bytes, data, 'secret key data');
  if (inner.comprMode !== COMPR_NONE || inner.size !== SEAL_HEADER_BYTES + 8 + count * 8) throw malformed('secret key data header is malformed');
  if (readU64(dv, data + SEAL_HEADER_BYTES, 'secret key data size') !== count) throw malformed('secret key data has a wrong size');
  checkCoefficients(bytes, data + SEAL_HEADER_BYTES + 8, count, h.params.polyModulusDegree, primes, 'secret key');
}

export interface CkksCipherOptions {
  /**
   * How many ciphertexts the consortium may add into one sum; each value must satisfy
   * |x| <= headroom / maxSummands. Default {@link DEFAULT_MAX_SUMMANDS} (1024): the coordinator's default limit, so
   * no sum it is willing to compute can wrap.
   */
  maxSummands?: number;
}

/** Encrypts and decrypts vectors of any length under one secret key. Call {@link dispose} when done. */
export class CkksCipher {
  /** Largest |value| encryptVector accepts. */
  readonly maxAbsValue: number;
  readonly slots: number;
  private readonly h: SealHandle;
  private readonly secretKey: ReturnType<SealHandle['seal']['SecretKey']>;
  private readonly encoder: ReturnType<SealHandle['seal']['CKKSEncoder']>;
  private readonly encryptor: ReturnType<SealHandle['seal']['Encryptor']>;
  private readonly decryptor: ReturnType<SealHandle['seal']['Decryptor']>;
  private readonly plain: ReturnType<SealHandle['seal']['PlainText']>;
  private disposed = false;

  constructor(ctx: CkksContext, secretKey: Uint8Array, options: CkksCipherOptions = {}) {
    const h = sealHandleOf(ctx);
    this.h = h;
    const maxSummands = options.maxSummands ?? DEFAULT_MAX_SUMMANDS;
    if (!Number.isInteger(maxSummands) || maxSummands < 1) {
      throw new FedriskError('INVALID_ARGUMENT', `maxSummands must be a positive integer, got ${String(maxSummands)}`, { field: 'maxSummands' });
    }
    this.maxAbsValue = headroom(h.params) / maxSummands;
    this.slots = ctx.slots;
    try {
      checkSecretKeyBytes(h, secretKey);
    } catch (err) {
      if (err instanceof FedriskError) throw new FedriskError('INVALID_ARGUMENT', err.message, { field: 'secretKey' }, { cause: err });
      throw err;
    }
    const seal = h.seal;
    const sk = seal.SecretKey();
    try {
      sk.loadArray(h.context, secretKey);
    } catch (err) {
      const msg = h.noteSealError(err);
      sk.delete();
      throw new FedriskError('INVALID_ARGUMENT', `secret key does not load: ${msg}`, { field: 'secretKey' }, { cause: err });
    }
    this.secretKey = sk;
    try {
      // node-seal's Encryptor wants a public key even for symmetric use: derive it once here; it never leaves.
      const keygen = seal.KeyGenerator(h.context, sk);
      try {
        const pk = keygen.createPublicKey();
        try {
          this.encryptor = seal.Encryptor(h.context, pk, sk);
        } finally {
          pk.delete();
        }
      } finally {
        keygen.delete();
      }
      this.decryptor = seal.Decryptor(h.context, sk);
      this.encoder = seal.CKKSEncoder(h.context);
      this.plain = seal.PlainText();
    } catch (err) {
      const msg = h.noteSealError(err);
      sk.delete();
      throw new FedriskError('INTERNAL', `cannot set up the CKKS cipher: ${msg}`, {}, { cause: err });
    }
  }

  /**
   * Packs `values` into ceil(length / slots) ciphertexts (at least one; the last is zero-padded), each encrypted
   * symmetrically with a seed and serialized (zstd; see CiphertextCodec.serialize). Throws OUT_OF_RANGE naming the
   * first value that is not finite or exceeds {@link maxAbsValue}, before encrypting anything.
   */
  encryptVector(values: ArrayLike<number>): Uint8Array[] {
    this.ensureUsable();
    const len = values.length;
    for (let i = 0; i < len; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > this.maxAbsValue) {
        throw new FedriskError(
          'OUT_OF_RANGE',
          `value ${i} (${String(v)}) is outside the encryptable range |x| <= ${this.maxAbsValue}: scale it by a public factor first`,
          { field: `values[${i}]`, index: i, value: String(v), maxAbsValue: this.maxAbsValue },
        );
      }
    }
    const { codec, scale } = this.h;
    const count = ciphertextCount(this.h.params, len);
    const out: Uint8Array[] = [];
    const chunk = new Float64Array(this.slots);
    for (let c = 0; c < count; c++) {
      chunk.fill(0);
      const start = c * this.slots;
      const end = Math.min(len, start + this.slots);
      for (let i = start; i < end; i++) chunk[i - start] = values[i]!;
      try {
        this.encoder.encode(chunk, scale, this.plain);
        const ser = this.encryptor.encryptSymmetricSerializable(this.plain);
        try {
          out.push(codec.serialize(ser));
        } finally {
          ser.delete();
        }
      } catch (err) {
        const msg = this.h.noteSealError(err);
        throw new FedriskError('INTERNAL', `encryption of ciphertext ${c} failed: ${msg}`, {}, { cause: err });
      }
    }
    return out;
  }

  /**
   * Decrypts ciphertexts made by {@link encryptVector} (or a sum of them) back into `length` values. Refuses a
   * ciphertext count that does not match `length`, and any malformed ciphertext, with INVALID_ARGUMENT.
   */
  decryptVector(cts: Uint8Array[], length: number): Float64Array {
    this.ensureUsable();
    if (!Number.isInteger(length) || length < 0) {
      throw new FedriskError('INVALID_ARGUMENT', `length must be a non-negative integer, got ${String(length)}`, { field: 'length' });
    }
    const expected = ciphertextCount(this.h.params, length);
    if (!Array.isArray(cts) || cts.length !== expected) {
      throw new FedriskError('INVALID_ARGUMENT', `${length} values need ${expected} ciphertexts, got ${Array.isArray(cts) ? cts.length : 'none'}`, {
        field: 'ciphertexts',
        expected,
      });
    }
    const out = new Float64Array(length);
    cts.forEach((bytes, c) => {
      const ct = this.h.loadCiphertext(bytes, `ciphertext ${c}`, { field: `ciphertexts[${c}]`, ciphertext: c });
      let decoded: Float64Array;
      try {
        this.decryptor.decrypt(ct, this.plain);
        decoded = this.encoder.decode(this.plain);
      } catch (err) {
        const msg = this.h.noteSealError(err);
        throw new FedriskError('INVALID_ARGUMENT', `ciphertext ${c}: cannot be decrypted (${msg})`, { field: `ciphertexts[${c}]`, ciphertext: c }, { cause: err });
      } finally {
        ct.delete();
      }
      const start = c * this.slots;
      out.set(decoded.subarray(0, Math.min(this.slots, length - start)), start);
    });
    return out;
  }

  /** Frees the wasm objects holding the key; the cipher is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const obj of [this.encryptor, this.decryptor, this.encoder, this.plain, this.secretKey]) {
      try {
        obj.delete();
      } catch {
        // Runtime already poisoned: nothing left to free.
      }
    }
  }

  private ensureUsable(): void {
    if (this.disposed) throw new FedriskError('FAILED_PRECONDITION', 'CKKS cipher was disposed');
    this.h.ensureUsable();
  }
}
