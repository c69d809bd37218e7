/**
 * CKKS parameters of a consortium: one set, chosen at consortium creation, shared by the coordinator (which only
 * adds) and the nodes (which encrypt and decrypt). Everything here is pure arithmetic on the parameters, so the
 * coordinator can size and refuse payloads without loading the HE runtime.
 */
import { FedriskError } from '../errors.js';

export interface CkksParams {
  /** Ring degree N; a ciphertext carries N/2 real slots. */
  polyModulusDegree: number;
  /** Bit sizes of the coefficient-modulus primes; the last one is the special (key-switching) prime. */
  coeffModulusBits: number[];
  /** Values are encoded as round(x * 2^scaleBits). */
  scaleBits: number;
}

/**
 * Add-only context: one 60-bit data prime and one special prime (120 bits of 218 allowed at N = 8192 for 128-bit
 * security), scale 2^40, so a slot holds |sum| < 2^19 with ~1e-9 absolute precision and a seeded ciphertext costs
 * ~4x the float32 size of its 4096 slots. Frozen so no caller can change the consortium default by accident.
 */
export const DEFAULT_CKKS_PARAMS: Readonly<CkksParams> = Object.freeze({
  polyModulusDegree: 8192,
  coeffModulusBits: Object.freeze([60, 60]) as number[],
  scaleBits: 40,
});

/**
 * How many ciphertexts may be added into one sum before a value at the per-value bound could wrap. A consortium has
 * tens of members, so 1024 leaves a wide margin while still letting each value reach headroom / 1024 (512 at the
 * default parameters): updates are scaled by public factors (`(n/S) * w`, `n/S`) and stay far below that.
 */
export const DEFAULT_MAX_SUMMANDS = 1024;

/**
 * Largest total coefficient-modulus bit count for 128-bit classical security (HomomorphicEncryption.org standard,
 * ternary secret), as SEAL's CoeffModulus.MaxBitCount(N, tc128) reports it. Only these ring sizes are supported:
 * smaller rings are not worth a secure parameter set with room for the scale, larger ones only cost.
 */
export const MAX_COEFF_MODULUS_BITS_128: Readonly<Record<number, number>> = Object.freeze({ 4096: 109, 8192: 218, 16384: 438 });

const MIN_PRIME_BITS = 20;
const MAX_PRIME_BITS = 60;
const MAX_PRIMES = 16;

function paramError(field: string, message: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `ckks.${field}: ${message}`, { field: `ckks.${field}` });
}

/**
 * Refuses a parameter set that is malformed, below 128-bit security, or leaves no headroom, with a message naming the
 * field, so a bad consortium configuration fails at start-up and not inside the HE runtime.
 */
export function validateCkksParams(p: CkksParams): void {
  if (p === null || typeof p !== 'object') throw paramError('params', 'must be an object');
  const n = p.polyModulusDegree;
  const maxBits = MAX_COEFF_MODULUS_BITS_128[n];
  if (!Number.isInteger(n) || maxBits === undefined) {
    throw paramError('polyModulusDegree', `${String(n)} is not supported; use one of ${Object.keys(MAX_COEFF_MODULUS_BITS_128).join(', ')}`);
  }
  const bits = p.coeffModulusBits;
  if (!Array.isArray(bits) || bits.length < 2 || bits.length > MAX_PRIMES) {
    throw paramError('coeffModulusBits', `needs 2 to ${MAX_PRIMES} primes (data primes, then the special prime)`);
  }
  bits.forEach((b, i) => {
    if (!Number.isInteger(b) || b < MIN_PRIME_BITS || b > MAX_PRIME_BITS) {
      throw paramError(`coeffModulusBits[${i}]`, `${String(b)} is not an integer bit size in [${MIN_PRIME_BITS}, ${MAX_PRIME_BITS}]`);
    }
  });
  const total = bits.reduce((a, b) => a + b, 0);
  if (total > maxBits) {
    throw paramError('coeffModulusBits', `${total} bits in total exceed the ${maxBits} allowed at N = ${n} for 128-bit security`);
  }
  const s = p.scaleBits;
  if (!Number.isInteger(s) || s < MIN_PRIME_BITS || s > MAX_PRIME_BITS) {
    throw paramError('scaleBits', `${String(s)} is not an integer in [${MIN_PRIME_BITS}, ${MAX_PRIME_BITS}]`);
  }
  const data = total - bits[bits.length - 1]!;
  if (data - s - 1 < 1) {
    throw paramError('scaleBits', `2^${s} leaves no headroom under a ${data}-bit data modulus (need scaleBits <= ${data - 2})`);
  }
}

/** Real values one ciphertext carries. */
export function slotCount(p: CkksParams): number {
  return p.polyModulusDegree / 2;
}

/** Bits of the modulus a fresh ciphertext lives under: every prime but the special one. */
export function dataModulusBits(p: CkksParams): number {
  return p.coeffModulusBits.slice(0, -1).reduce((a, b) => a + b, 0);
}

/**
 * Largest |sum| a slot can hold: beyond it the sum wraps silently (encoding does not catch it). Encryptors must keep
 * each value within headroom / (number of summands).
 */
export function headroom(p: CkksParams): number {
  return 2 ** (dataModulusBits(p) - p.scaleBits - 1);
}

/** Per-value bound that keeps a sum of `maxSummands` values inside the headroom. */
export function maxAbsValue(p: CkksParams, maxSummands: number = DEFAULT_MAX_SUMMANDS): number {
  return headroom(p) / maxSummands;
}

/** Ciphertexts for a vector of `length` values; an empty vector still travels as one (all-zero) ciphertext. */
export function ciphertextCount(p: CkksParams, length: number): number {
  return Math.max(1, Math.ceil(length / slotCount(p)));
}

/** SEAL's serialized size of a non-seeded, uncompressed, fresh ciphertext (two polynomials). */
export function fullCiphertextBytes(p: CkksParams): number {
  const dataPrimes = p.coeffModulusBits.length - 1;
  // outer header 16 + metadata 73 (parms_id 32, ntt flag 1, size, N, k, scale, correction factor) + DynArray header
  // 16 + element count 8, then the coefficients.
  return 16 + 73 + 24 + 2 * p.polyModulusDegree * dataPrimes * 8;
}

/**
 * Upper bound of one serialized ciphertext, seeded or not, compressed or not: the uncompressed full size plus the
 * worst-case framing overhead of zstd (3 bytes per 128 KiB block, <= 22 bytes of frame) or zlib (5 bytes per stored
 * block, 6 bytes of wrapper). The coordinator refuses anything larger before parsing it.
 */
export function maxCiphertextBytes(p: CkksParams): number {
  const raw = fullCiphertextBytes(p);
  return raw + Math.ceil(raw / 128) + 512;
}
