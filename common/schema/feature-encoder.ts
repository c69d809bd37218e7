import { FedriskError, invalid } from '../errors.js';
import type { FeatureSchema, RawRow, RawValue, Standardisation } from './feature-schema.js';
import { MISSING_LEVEL_NAME } from './validate-schema.js';

/** One feature's place in the encoded vector, precomputed once per schema. */
type Slot =
  | { kind: 'numeric'; name: string; offset: number; numericIndex: number; allowMissing: boolean }
  | { kind: 'categorical'; name: string; offset: number; levels: Map<string, number>; missingIndex: number | null };

interface Plan {
  width: number;
  numericCount: number;
  slots: Slot[];
  names: string[];
}

// Schemas are treated as immutable once published, so the plan (level lookup maps, offsets) is built once per schema
// object: the decision path encodes one row per application and must not rebuild maps each time.
const plans = new WeakMap<FeatureSchema, Plan>();

function planFor(schema: FeatureSchema): Plan {
  const cached = plans.get(schema);
  if (cached) return cached;
  const slots: Slot[] = [];
  const names: string[] = [];
  let offset = 0;
  let numericIndex = 0;
  for (const f of schema.features) {
    if (f.kind === 'numeric') {
      slots.push({ kind: 'numeric', name: f.name, offset, numericIndex: numericIndex++, allowMissing: f.missing === 'mean' });
      names.push(f.name);
      offset += 1;
    } else {
      const levels = new Map(f.levels.map((l, k) => [l, k] as const));
      const missingIndex = f.missing === 'level' ? f.levels.length : null;
      slots.push({ kind: 'categorical', name: f.name, offset, levels, missingIndex });
      for (const l of f.levels) names.push(`${f.name}=${l}`);
      if (missingIndex !== null) names.push(`${f.name}=${MISSING_LEVEL_NAME}`);
      offset += f.levels.length + (missingIndex === null ? 0 : 1);
    }
  }
  const plan: Plan = { width: offset, numericCount: numericIndex, slots, names };
  plans.set(schema, plan);
  return plan;
}

/**
 * Number of encoded columns: 1 per numeric feature, one per level for a categorical one, plus one for its missing
 * position when the policy is `level`. Model weight vectors have exactly this length.
 */
export function encodedWidth(schema: FeatureSchema): number {
  return planFor(schema).width;
}

/**
 * Human-readable label of every encoded column, in order (`Age`, `Home=rent`, `Home=<missing>`), so a weight vector
 * can be read and reason codes can point at columns.
 */
export function encodedNames(schema: FeatureSchema): string[] {
  return [...planFor(schema).names];
}

function checkStandardisation(plan: Plan, std: Standardisation): void {
  if (std.mean.length !== plan.numericCount || std.std.length !== plan.numericCount) {
    throw new FedriskError(
      'INVALID_ARGUMENT',
      `standardisation has ${std.mean.length} means and ${std.std.length} deviations, the schema has ${plan.numericCount} numeric features`,
      { field: 'standardisation' },
    );
  }
  for (let k = 0; k < plan.numericCount; k++) {
    const m = std.mean[k]!;
    const s = std.std[k]!;
    if (!Number.isFinite(m) || !Number.isFinite(s) || s <= 0) {
      throw invalid(`standardisation[${k}]`, `mean ${m} / std ${s} is not usable (finite mean, std > 0 required)`);
    }
  }
}

function describe(v: RawValue | undefined): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : String(v);
}

function writeRow(plan: Plan, std: Standardisation, row: RawRow, out: Float32Array | Float64Array, base: number): void {
  for (const slot of plan.slots) {
    const v = row[slot.name];
    if (slot.kind === 'numeric') {
      if (v === null || v === undefined) {
        if (!slot.allowMissing) throw invalid(`features.${slot.name}`, 'is missing and the schema requires a value');
        out[base + slot.offset] = 0; // the mean, standardised
      } else if (typeof v === 'number' && Number.isFinite(v)) {
        out[base + slot.offset] = (v - std.mean[slot.numericIndex]!) / std.std[slot.numericIndex]!;
      } else {
        throw invalid(`features.${slot.name}`, `${describe(v)} is not a finite number`);
      }
    } else {
      let k: number | undefined;
      if (v === null || v === undefined) {
        if (slot.missingIndex === null) throw invalid(`features.${slot.name}`, 'is missing and the schema requires a value');
        k = slot.missingIndex;
      } else {
        k = typeof v === 'string' ? slot.levels.get(v) : undefined;
        if (k === undefined) throw invalid(`features.${slot.name}`, `${describe(v)} is not a level of this feature`);
      }
      const width = slot.levels.size + (slot.missingIndex === null ? 0 : 1);
      for (let j = 0; j < width; j++) out[base + slot.offset + j] = j === k ? 1 : 0;
    }
  }
}

/**
 * Encodes one row exactly as every node and the decision service must: numeric z = (x - mean) / std, a missing
 * numeric value is the mean (so 0); categorical one-hot in schema level order, a missing value in its own position.
 * The row should already have passed the loader or `validateFeatures`; a value the schema refuses still throws
 * FedriskError('INVALID_ARGUMENT') rather than encoding garbage. Writes into `out` when given (reused buffers keep
 * the per-application path allocation-free) and returns it.
 */
export function encodeRow(schema: FeatureSchema, std: Standardisation, row: RawRow): Float64Array;
export function encodeRow<T extends Float32Array | Float64Array>(schema: FeatureSchema, std: Standardisation, row: RawRow, out: T): T;
export function encodeRow(
  schema: FeatureSchema,
  std: Standardisation,
  row: RawRow,
  out?: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const plan = planFor(schema);
  checkStandardisation(plan, std);
  const target = out ?? new Float64Array(plan.width);
  if (target.length < plan.width) {
    throw invalid('out', `buffer holds ${target.length} values, the encoded row needs ${plan.width}`);
  }
  writeRow(plan, std, row, target, 0);
  return target;
}

/**
 * Encodes many rows into one row-major n x d Float32Array (the layout tfjs tensors take without copying). Errors
 * carry the row index in `details.row` (0-based position in `rows`).
 */
export function encodeRows(schema: FeatureSchema, std: Standardisation, rows: readonly RawRow[]): Float32Array {
  const plan = planFor(schema);
  checkStandardisation(plan, std);
  const out = new Float32Array(rows.length * plan.width);
  for (let r = 0; r < rows.length; r++) {
    try {
      writeRow(plan, std, rows[r]!, out, r * plan.width);
    } catch (err) {
      if (err instanceof FedriskError) {
        throw new FedriskError(err.code, `row ${r}: ${err.message}`, { ...err.details, row: r }, { cause: err });
      }
      throw err;
    }
  }
  return out;
}
