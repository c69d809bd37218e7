/**
 * Byte-level reading of SEAL's serialization format. node-seal's wasm does not survive every malformed input (a bad
 * size field aborts the module and corrupts its memory), so every byte string from elsewhere is checked here, in
 * plain TypeScript, before SEAL sees it.
 *
 * SEAL header (16 bytes, little-endian): magic 0xA15E (u16), header size 16 (u8), version major (u8), minor (u8),
 * compression mode (u8), reserved 0 (u16), total serialized size including the header (u64).
 */
import { FedriskError } from '../errors.js';

export const SEAL_MAGIC = 0xa15e;
export const SEAL_HEADER_BYTES = 16;
/** node-seal 6.0.3 bundles SEAL 4.1: nothing else is accepted, so a node on another runtime fails loudly. */
export const SEAL_VERSION_MAJOR = 4;
export const SEAL_VERSION_MINOR = 1;

/** SEAL's compr_mode_type values. */
export const COMPR_NONE = 0;
export const COMPR_ZLIB = 1;
export const COMPR_ZSTD = 2;

export interface SealHeader {
  comprMode: number;
  /** Total serialized size, header included. */
  size: number;
}

/** A structural defect in serialized bytes; callers add which input it was. */
export function malformed(reason: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', reason, { reason: 'malformed' });
}

/** A DataView over exactly these bytes: inputs are often views into a larger wire buffer. */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a u64 that must fit a JS safe integer (every size and count in a sane ciphertext does). */
export function readU64(dv: DataView, offset: number, what: string): number {
  if (offset + 8 > dv.byteLength) throw malformed(`${what} is cut short`);
  const lo = dv.getUint32(offset, true);
  const hi = dv.getUint32(offset + 4, true);
  if (hi > 0x1fffff) throw malformed(`${what} is out of range`);
  return hi * 2 ** 32 + lo;
}

/** Writes a safe-integer u64, little-endian, as SEAL stores sizes. */
export function writeU64(dv: DataView, offset: number, value: number): void {
  dv.setUint32(offset, value % 2 ** 32, true);
  dv.setUint32(offset + 4, Math.floor(value / 2 ** 32), true);
}

/** Parses and checks the header at `offset`; `what` names the object in messages. */
export function readSealHeader(bytes: Uint8Array, offset: number, what: string): SealHeader {
  if (offset + SEAL_HEADER_BYTES > bytes.byteLength) throw malformed(`${what}: ${bytes.byteLength - offset} bytes is too short for a SEAL header`);
  const dv = view(bytes);
  if (dv.getUint16(offset, true) !== SEAL_MAGIC) throw malformed(`${what}: not a SEAL serialization (bad magic)`);
  if (bytes[offset + 2] !== SEAL_HEADER_BYTES) throw malformed(`${what}: bad SEAL header size`);
  const major = bytes[offset + 3]!;
  const minor = bytes[offset + 4]!;
  if (major !== SEAL_VERSION_MAJOR || minor !== SEAL_VERSION_MINOR) {
    throw malformed(`${what}: SEAL serialization version ${major}.${minor} is not the supported ${SEAL_VERSION_MAJOR}.${SEAL_VERSION_MINOR}`);
  }
  const comprMode = bytes[offset + 5]!;
  if (comprMode !== COMPR_NONE && comprMode !== COMPR_ZLIB && comprMode !== COMPR_ZSTD) {
    throw malformed(`${what}: unknown compression mode ${comprMode}`);
  }
  if (dv.getUint16(offset + 6, true) !== 0) throw malformed(`${what}: reserved header bytes are not zero`);
  const size = readU64(dv, offset + 8, `${what} size`);
  return { comprMode, size };
}

/** Frames a body we have validated as an uncompressed SEAL serialization, the only form SEAL is handed. */
export function writeSealHeader(target: Uint8Array, offset: number, comprMode: number, size: number): void {
  const dv = view(target);
  dv.setUint16(offset, SEAL_MAGIC, true);
  target[offset + 2] = SEAL_HEADER_BYTES;
  target[offset + 3] = SEAL_VERSION_MAJOR;
  target[offset + 4] = SEAL_VERSION_MINOR;
  target[offset + 5] = comprMode;
  dv.setUint16(offset + 6, 0, true);
  writeU64(dv, offset + 8, size);
}

/** RNS primes split into 32-bit halves, so coefficient checks stay in plain number arithmetic. */
export interface PrimeTable {
  hi: Uint32Array;
  lo: Uint32Array;
}

/** Precomputes the split primes once per context, since every loaded ciphertext is checked against them. */
export function primeTable(primes: readonly bigint[]): PrimeTable {
  return {
    hi: Uint32Array.from(primes, (q) => Number(q >> 32n)),
    lo: Uint32Array.from(primes, (q) => Number(q & 0xffffffffn)),
  };
}

/**
 * Checks `count` u64 coefficients starting at `offset`, laid out as SEAL does (polynomial-major, then prime, then N
 * coefficients), are each below their prime: SEAL would refuse them too, but only after handing them to code that is
 * not safe against every malformed input.
 */
export function checkCoefficients(bytes: Uint8Array, offset: number, count: number, n: number, primes: PrimeTable, what: string): void {
  const dv = view(bytes);
  const k = primes.hi.length;
  for (let block = 0; block * n < count; block++) {
    const p = block % k;
    const qh = primes.hi[p]!;
    const ql = primes.lo[p]!;
    const start = offset + block * n * 8;
    const end = start + n * 8;
    for (let o = start; o < end; o += 8) {
      const h = dv.getUint32(o + 4, true);
      if (h > qh || (h === qh && dv.getUint32(o, true) >= ql)) {
        throw malformed(`${what}: coefficient ${(o - offset) / 8} is not reduced modulo its prime`);
      }
    }
  }
}

/** Compares a fixed-size field in place, without copying it out of the (possibly large) input. */
export function bytesEqual(a: Uint8Array, aOffset: number, b: Uint8Array): boolean {
  if (aOffset + b.byteLength > a.byteLength) return false;
  for (let i = 0; i < b.byteLength; i++) if (a[aOffset + i] !== b[i]) return false;
  return true;
}

/** parms_id as SEAL writes it: four u64, little-endian. */
export function parmsIdBytes(values: BigUint64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = view(out);
  values.forEach((v, i) => dv.setBigUint64(i * 8, v, true));
  return out;
}
