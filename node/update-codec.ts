/**
 * How a node turns a vector into what it submits, and an aggregate back into a vector: CKKS (the consortium's
 * mode) or float64 in the clear (the explicit `--plaintext` comparison run). Training code never sees either.
 */
import { FedriskError } from '../common/errors.js';
import { bytesToFloat64, float64ToBytes } from '../common/payload.js';
import type { CkksCipher } from '../common/he/index.js';

export interface UpdateCodec {
  readonly encoding: string;
  encode(values: ArrayLike<number>): Uint8Array[];
  decode(parts: Uint8Array[], length: number): Float64Array;
}

export class CkksCodec implements UpdateCodec {
  readonly encoding = 'ckks';
  constructor(private readonly cipher: CkksCipher) {}
  encode(values: ArrayLike<number>): Uint8Array[] {
    return this.cipher.encryptVector(values);
  }
  decode(parts: Uint8Array[], length: number): Float64Array {
    return this.cipher.decryptVector(parts, length);
  }
}

export class PlainCodec implements UpdateCodec {
  readonly encoding = 'plain-f64';
  encode(values: ArrayLike<number>): Uint8Array[] {
    return [float64ToBytes(values)];
  }
  decode(parts: Uint8Array[], length: number): Float64Array {
    if (parts.length !== 1) throw new FedriskError('INVALID_ARGUMENT', `plaintext aggregate must be one part, got ${parts.length}`);
    const v = bytesToFloat64(parts[0]!);
    if (v.length !== length) throw new FedriskError('INVALID_ARGUMENT', `plaintext aggregate has ${v.length} values, expected ${length}`);
    return v;
  }
}
