/**
 * Updates and aggregates travel as one byte string plus the sizes of its parts (one part per ciphertext), so they can
 * be chunked freely on the wire and split exactly on arrival.
 */
import { FedriskError } from './errors.js';

export function joinParts(parts: Uint8Array[]): { payload: Uint8Array; sizes: number[] } {
  const sizes = parts.map((p) => p.byteLength);
  const payload = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let off = 0;
  for (const p of parts) {
    payload.set(p, off);
    off += p.byteLength;
  }
  return { payload, sizes };
}

export function splitPayload(payload: Uint8Array, sizes: number[]): Uint8Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) throw new FedriskError('INVALID_ARGUMENT', 'part sizes must be positive integers');
  if (total !== payload.byteLength) {
    throw new FedriskError('INVALID_ARGUMENT', `payload has ${payload.byteLength} bytes but its parts add up to ${total}`);
  }
  const out: Uint8Array[] = [];
  let off = 0;
  for (const s of sizes) {
    out.push(payload.subarray(off, off + s));
    off += s;
  }
  return out;
}

/** Float64 vector <-> little-endian bytes: the explicit plaintext comparison mode's wire format. */
export function float64ToBytes(v: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(v.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat64(i * 8, v[i]!, true);
  return out;
}

export function bytesToFloat64(b: Uint8Array): Float64Array {
  if (b.byteLength % 8 !== 0) throw new FedriskError('INVALID_ARGUMENT', `plaintext vector of ${b.byteLength} bytes is not a float64 array`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float64Array(b.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
