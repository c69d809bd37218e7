/**
 * FedAvg packing with secret sample counts (DESIGN promise 2): a node packs `[(n/S)*w..., (n/S)*b, n/S]` for a
 * public row scale S, so the encrypted sum carries both the weighted model sum and the total row count, and nobody
 * but the key holders learns any single node's n. Nodes divide after decrypting. Pure maths, no crypto.
 */
import { FedriskError } from './errors.js';

export interface LinearWeights {
  weights: number[];
  bias: number;
}

/** Length of a packed training update for a model with d weights. */
export function packedLength(d: number): number {
  return d + 2;
}

export function packWeighted(model: LinearWeights, rows: number, rowScale: number): Float64Array {
  if (!(rows > 0) || !Number.isFinite(rows)) throw new FedriskError('INVALID_ARGUMENT', `rows must be positive, got ${rows}`);
  if (!(rowScale > 0)) throw new FedriskError('INVALID_ARGUMENT', `rowScale must be positive, got ${rowScale}`);
  const d = model.weights.length;
  const f = rows / rowScale;
  const out = new Float64Array(d + 2);
  for (let i = 0; i < d; i++) out[i] = model.weights[i]! * f;
  out[d] = model.bias * f;
  out[d + 1] = f;
  return out;
}

/** Turns the (decrypted) sum of packed updates into the weighted average model and the consortium row count. */
export function unpackAverage(sum: ArrayLike<number>, d: number, rowScale: number): { model: LinearWeights; totalRows: number } {
  if (sum.length < d + 2) throw new FedriskError('INVALID_ARGUMENT', `aggregate has ${sum.length} values, expected ${d + 2}`);
  const f = sum[d + 1]!;
  if (!(f > 0)) throw new FedriskError('FAILED_PRECONDITION', `aggregate carries no rows (count slot ${f})`);
  const weights: number[] = new Array<number>(d);
  for (let i = 0; i < d; i++) weights[i] = sum[i]! / f;
  return { model: { weights, bias: sum[d]! / f }, totalRows: Math.round(f * rowScale) };
}

/** Element-wise sum of equally long vectors: the plaintext reference the encrypted path is compared with. */
export function sumVectors(vectors: ArrayLike<number>[]): Float64Array {
  if (vectors.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'nothing to sum');
  const n = vectors[0]!.length;
  const out = new Float64Array(n);
  for (const [k, v] of vectors.entries()) {
    if (v.length !== n) throw new FedriskError('INVALID_ARGUMENT', `vector ${k} has length ${v.length}, expected ${n}`);
    for (let i = 0; i < n; i++) out[i]! += v[i]!;
  }
  return out;
}
