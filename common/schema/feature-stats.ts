import { FedriskError, invalid } from '../errors.js';
import type { FeatureSchema, RawRow, Standardisation } from './feature-schema.js';

/** Sufficient statistics of one numeric feature over non-missing cells. */
export interface NumericStats {
  count: number;
  sum: number;
  sumSq: number;
}

/**
 * What the statistics round sums across nodes: enough to standardise identically everywhere (means and deviations)
 * and to report level frequencies, yet only sums, so it can travel as one encrypted vector that the coordinator adds
 * blind. `numeric` follows the numeric features in schema order; `categorical` the categorical features in schema
 * order, each with one count per level plus one for missing when the policy is `level` (the encoded one-hot layout).
 */
export interface FeatureStats {
  rows: number;
  numeric: NumericStats[];
  categorical: number[][];
}

/** Numeric scales and per-categorical widths in schema order. */
function layout(schema: FeatureSchema): { scales: number[]; widths: number[] } {
  const scales: number[] = [];
  const widths: number[] = [];
  for (const f of schema.features) {
    if (f.kind === 'numeric') scales.push(f.scale);
    else widths.push(f.levels.length + (f.missing === 'level' ? 1 : 0));
  }
  return { scales, widths };
}

/** All-zero statistics shaped for the schema: the neutral element of {@link addStats}. */
export function emptyStats(schema: FeatureSchema): FeatureStats {
  const { scales, widths } = layout(schema);
  return {
    rows: 0,
    numeric: scales.map(() => ({ count: 0, sum: 0, sumSq: 0 })),
    categorical: widths.map((w) => new Array<number>(w).fill(0)),
  };
}

/**
 * One node's statistics over its own rows (which the loader has already held to the schema). A value the schema
 * does not know throws FedriskError('INVALID_ARGUMENT') naming the row index (0-based) and feature.
 */
export function computeLocalStats(schema: FeatureSchema, rows: readonly RawRow[]): FeatureStats {
  const stats = emptyStats(schema);
  const levelMaps = schema.features.flatMap((f) => (f.kind === 'categorical' ? [new Map(f.levels.map((l, k) => [l, k] as const))] : []));
  stats.rows = rows.length;
  rows.forEach((row, r) => {
    let n = 0;
    let c = 0;
    for (const f of schema.features) {
      const v = row[f.name];
      if (f.kind === 'numeric') {
        const s = stats.numeric[n++]!;
        if (v === null || v === undefined) continue;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`rows[${r}].${f.name}`, 'is not a finite number', { row: r });
        s.count += 1;
        s.sum += v;
        s.sumSq += v * v;
      } else {
        const counts = stats.categorical[c]!;
        const levels = levelMaps[c++]!;
        let k: number | undefined;
        if (v === null || v === undefined) k = f.missing === 'level' ? f.levels.length : undefined;
        else if (typeof v === 'string') k = levels.get(v);
        if (k === undefined) throw invalid(`rows[${r}].${f.name}`, `${JSON.stringify(v ?? null)} is not allowed by the schema`, { row: r });
        counts[k]! += 1;
      }
    }
  });
  return stats;
}

/** Slots in the packed statistics vector: 1 (rows) + 3 per numeric feature + the one-hot widths. */
export function statsVectorLength(schema: FeatureSchema): number {
  const { scales, widths } = layout(schema);
  return 1 + 3 * scales.length + widths.reduce((a, b) => a + b, 0);
}

function checkRowScale(rowScale: number): void {
  if (!Number.isFinite(rowScale) || rowScale <= 0) throw invalid('rowScale', 'must be a finite number > 0');
}

function checkShape(schema: FeatureSchema, stats: FeatureStats, what: string): void {
  const { scales, widths } = layout(schema);
  const ok =
    stats.numeric.length === scales.length &&
    stats.categorical.length === widths.length &&
    stats.categorical.every((c, k) => c.length === widths[k]);
  if (!ok) throw new FedriskError('INVALID_ARGUMENT', `${what}: statistics do not match the shape of schema ${schema.name} v${schema.version}`, { field: what });
}

/**
 * Packs statistics into the vector a node encrypts. Every slot is divided by a public factor so that even the sum
 * over all nodes stays far inside a CKKS slot's headroom (|x| < 2^19): counts by `rowScale`, sums by
 * `rowScale * scale`, sums of squares by `rowScale * scale^2`. Choose `rowScale` as a public bound on the consortium's
 * total rows (e.g. 10^k) so nothing about a node's own size leaks from the choice. Layout: `[rows, (count, sum,
 * sumSq) per numeric feature, level counts per categorical feature]`.
 */
export function statsToVector(schema: FeatureSchema, stats: FeatureStats, rowScale: number): number[] {
  checkRowScale(rowScale);
  checkShape(schema, stats, 'stats');
  const { scales } = layout(schema);
  const out: number[] = [stats.rows / rowScale];
  stats.numeric.forEach((s, k) => {
    const scale = scales[k]!;
    out.push(s.count / rowScale, s.sum / (rowScale * scale), s.sumSq / (rowScale * scale * scale));
  });
  for (const counts of stats.categorical) for (const c of counts) out.push(c / rowScale);
  return out;
}

/**
 * Inverse of {@link statsToVector}, applied to the decrypted sum of all nodes' vectors. Row and level counts are
 * rounded to the nearest integer: they are integers by construction and rounding removes the CKKS noise.
 */
export function vectorToStats(schema: FeatureSchema, vec: ArrayLike<number>, rowScale: number): FeatureStats {
  checkRowScale(rowScale);
  const expected = statsVectorLength(schema);
  if (vec.length !== expected) {
    throw invalid('vector', `has ${vec.length} values, schema ${schema.name} v${schema.version} packs ${expected}`);
  }
  for (let i = 0; i < vec.length; i++) {
    if (!Number.isFinite(vec[i]!)) throw invalid(`vector[${i}]`, 'is not a finite number');
  }
  const { scales, widths } = layout(schema);
  let i = 0;
  const next = (): number => vec[i++]!;
  const rows = Math.round(next() * rowScale);
  const numeric = scales.map((scale) => ({
    count: Math.round(next() * rowScale),
    sum: next() * rowScale * scale,
    sumSq: next() * rowScale * scale * scale,
  }));
  const categorical = widths.map((w) => Array.from({ length: w }, () => Math.round(next() * rowScale)));
  return { rows, numeric, categorical };
}

/** Sum of two nodes' statistics (the plaintext counterpart of adding their ciphertexts). */
export function addStats(a: FeatureStats, b: FeatureStats): FeatureStats {
  const same =
    a.numeric.length === b.numeric.length &&
    a.categorical.length === b.categorical.length &&
    a.categorical.every((c, k) => c.length === b.categorical[k]!.length);
  if (!same) throw new FedriskError('INVALID_ARGUMENT', 'cannot add statistics of different shapes', { field: 'stats' });
  return {
    rows: a.rows + b.rows,
    numeric: a.numeric.map((s, k) => {
      const t = b.numeric[k]!;
      return { count: s.count + t.count, sum: s.sum + t.sum, sumSq: s.sumSq + t.sumSq };
    }),
    categorical: a.categorical.map((c, k) => c.map((x, j) => x + b.categorical[k]![j]!)),
  };
}

/** Below this a deviation is treated as "constant feature" and replaced by 1, so z-scores never divide by ~0. */
export const STD_FLOOR = 1e-9;

/**
 * Consortium standardisation from summed statistics: mean over non-missing cells and population standard deviation.
 * A feature with no non-missing cell gets mean 0, std 1; a constant one (std < {@link STD_FLOOR}) gets std 1.
 */
export function standardisationFromStats(schema: FeatureSchema, stats: FeatureStats): Standardisation {
  checkShape(schema, stats, 'stats');
  const mean: number[] = [];
  const std: number[] = [];
  for (const s of stats.numeric) {
    if (s.count <= 0) {
      mean.push(0);
      std.push(1);
      continue;
    }
    const m = s.sum / s.count;
    const variance = Math.max(0, s.sumSq / s.count - m * m);
    const sd = Math.sqrt(variance);
    mean.push(m);
    std.push(sd < STD_FLOOR ? 1 : sd);
  }
  return { mean, std };
}
