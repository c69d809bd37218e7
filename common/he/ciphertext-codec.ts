/**
 * The one gate between ciphertext bytes from elsewhere and SEAL. node-seal 6.0.3 aborts (and corrupts its wasm
 * memory) on some malformed inputs, e.g. a wrong size field, so every field of SEAL's ciphertext layout is checked
 * here in TypeScript and SEAL only ever loads an uncompressed byte string whose every field we have read.
 *
 * Ciphertext body (after the 16-byte SEAL header, uncompressed): parms_id (32) | NTT flag (1) | size (u64, 2) |
 * N (u64) | prime count k (u64) | scale (f64) | correction factor (u64, 1) | DynArray: SEAL header (16) |
 * count (u64) | count u64 coefficients | seeded only: PRNG info: SEAL header (16) | PRNG type (1) | seed (64).
 * A seeded ciphertext stores one polynomial and the seed that expands to the other; a full one stores both.
 */
import { inflateSync } from 'node:zlib';
import type { SEALLibrary, SealCipherText } from './seal-library.js';
import {
  COMPR_NONE,
  COMPR_ZLIB,
  SEAL_HEADER_BYTES,
  bytesEqual,
  checkCoefficients,
  malformed,
  primeTable,
  readSealHeader,
  readU64,
  view,
  writeSealHeader,
  type PrimeTable,
} from './seal-header.js';
import { readZstdFrames, zstdIsStoredOnly } from './zstd-frames.js';

/** What a valid ciphertext of one context looks like. */
export interface CiphertextLayout {
  polyModulusDegree: number;
  /** Primes of the first data level (all but the special prime), in SEAL's order. */
  dataPrimes: readonly bigint[];
  /** parms_id of the first data level, as serialized (32 bytes). */
  parmsId: Uint8Array;
  scale: number;
  /** Refuse anything larger before parsing it. */
  maxBytes: number;
}

const META_BYTES = 73;
const DATA_OFFSET = META_BYTES + SEAL_HEADER_BYTES + 8;
const PRNG_INFO_BYTES = SEAL_HEADER_BYTES + 1 + 64;
const PRNG_BLAKE2XB = 1;
const PRNG_SHAKE256 = 2;

/** Anything SEAL can serialize: a CipherText, or the Serializable a seeded encryption returns. */
export type SealSaveable = Pick<SealCipherText, 'saveArray'>;

export class CiphertextCodec {
  private readonly primes: PrimeTable;
  private readonly seededBody: number;
  private readonly fullBody: number;
  /** Set once zstd is seen to compress under these parameters; see {@link serialize}. */
  private zstdCompresses = false;

  constructor(
    private readonly layout: CiphertextLayout,
    private readonly seal: SEALLibrary,
  ) {
    const nk = layout.polyModulusDegree * layout.dataPrimes.length;
    this.primes = primeTable(layout.dataPrimes);
    this.seededBody = DATA_OFFSET + nk * 8 + PRNG_INFO_BYTES;
    this.fullBody = DATA_OFFSET + 2 * nk * 8;
  }

  /**
   * Returns an uncompressed serialization, every field checked, that is safe to hand to SEAL's loader; throws
   * INVALID_ARGUMENT (details.reason 'malformed' or 'other_parameters') with the defect otherwise.
   */
  canonicalize(bytes: Uint8Array): Uint8Array {
    if (!(bytes instanceof Uint8Array)) throw malformed('ciphertext is not a byte array');
    if (bytes.byteLength > this.layout.maxBytes) {
      throw malformed(`ciphertext of ${bytes.byteLength} bytes exceeds the ${this.layout.maxBytes}-byte bound of these parameters`);
    }
    const header = readSealHeader(bytes, 0, 'ciphertext');
    if (header.size !== bytes.byteLength) {
      throw malformed(`ciphertext header declares ${header.size} bytes but ${bytes.byteLength} arrived`);
    }
    const payload = bytes.subarray(SEAL_HEADER_BYTES);
    if (header.comprMode === COMPR_NONE) {
      this.checkBody(payload);
      return bytes;
    }
    let body: Uint8Array;
    if (header.comprMode === COMPR_ZLIB) {
      try {
        body = inflateSync(payload, { maxOutputLength: this.fullBody });
      } catch (err) {
        throw malformed(`zlib stream is corrupt or larger than a ciphertext (${err instanceof Error ? err.message : String(err)})`);
      }
    } else {
      const read = readZstdFrames(payload, this.fullBody);
      if (read.kind === 'compressed') {
        throw malformed('zstd frame holds entropy-coded blocks, which cannot be checked before loading; send zlib or uncompressed');
      }
      body = read.bytes;
    }
    this.checkBody(body);
    const out = new Uint8Array(SEAL_HEADER_BYTES + body.byteLength);
    writeSealHeader(out, 0, COMPR_NONE, out.byteLength);
    out.set(body, SEAL_HEADER_BYTES);
    return out;
  }

  /**
   * zstd, as the wire format asks, whenever zstd stores the ciphertext in raw blocks (always under 60-bit primes,
   * where it is incompressible); under parameters where zstd would entropy-code the blocks, which no peer could
   * check before loading, zlib instead (same size within 1%, inflated by node:zlib).
   */
  serialize(obj: SealSaveable): Uint8Array {
    if (!this.zstdCompresses) {
      const z = obj.saveArray(this.seal.ComprModeType.zstd);
      if (zstdIsStoredOnly(z.subarray(SEAL_HEADER_BYTES), this.fullBody)) return z;
      this.zstdCompresses = true;
    }
    return obj.saveArray(this.seal.ComprModeType.zlib);
  }

  private checkBody(body: Uint8Array): void {
    const { polyModulusDegree: n, dataPrimes, parmsId, scale } = this.layout;
    const k = dataPrimes.length;
    if (body.byteLength < DATA_OFFSET) throw malformed(`ciphertext body of ${body.byteLength} bytes is too short`);
    const dv = view(body);
    const ctN = readU64(dv, 41, 'ring degree');
    const ctK = readU64(dv, 49, 'prime count');
    if (!bytesEqual(body, 0, parmsId) || ctN !== n || ctK !== k) {
      throw otherParameters(`ciphertext was made under other CKKS parameters (N = ${ctN}, ${ctK} data primes, or another parms_id)`);
    }
    if (body[32] !== 1) throw malformed('ciphertext is not in NTT form');
    if (readU64(dv, 33, 'polynomial count') !== 2) throw malformed('ciphertext does not hold exactly two polynomials');
    const ctScale = dv.getFloat64(57, true);
    if (ctScale !== scale) throw otherParameters(`ciphertext scale 2^${Math.log2(ctScale)} is not the context's 2^${Math.log2(scale)}`);
    if (readU64(dv, 65, 'correction factor') !== 1) throw malformed('ciphertext correction factor is not 1');
    const data = readSealHeader(body, META_BYTES, 'ciphertext data');
    if (data.comprMode !== COMPR_NONE) throw malformed('ciphertext data has a nested compression mode');
    const count = readU64(dv, META_BYTES + SEAL_HEADER_BYTES, 'coefficient count');
    const seeded = count === n * k;
    if (!seeded && count !== 2 * n * k) throw malformed(`ciphertext holds ${count} coefficients, expected ${n * k} or ${2 * n * k}`);
    if (data.size !== SEAL_HEADER_BYTES + 8 + count * 8) throw malformed('ciphertext data header declares a wrong size');
    const expected = seeded ? this.seededBody : this.fullBody;
    if (body.byteLength !== expected) throw malformed(`ciphertext body has ${body.byteLength} bytes, expected ${expected}`);
    checkCoefficients(body, DATA_OFFSET, count, n, this.primes, 'ciphertext');
    if (seeded) {
      const at = DATA_OFFSET + count * 8;
      const info = readSealHeader(body, at, 'ciphertext seed');
      if (info.comprMode !== COMPR_NONE || info.size !== PRNG_INFO_BYTES) throw malformed('ciphertext seed block is malformed');
      const prng = body[at + SEAL_HEADER_BYTES];
      if (prng !== PRNG_BLAKE2XB && prng !== PRNG_SHAKE256) throw malformed(`ciphertext seed names an unknown generator (${String(prng)})`);
    }
  }
}

function otherParameters(message: string): ReturnType<typeof malformed> {
  const err = malformed(message);
  err.details.reason = 'other_parameters';
  return err;
}
