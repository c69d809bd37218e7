import { invalid } from '../errors.js';
import { isPlainObject, describeValue as describe } from '../json-values.js';
import type { FeatureSchema, RawRow } from './feature-schema.js';



/**
 * Holds the features of one decision request (parsed JSON) to the schema of the live model, before anything is
 * scored: the HTTP boundary is where a caller learns which field is wrong, whereas the encoder would only fail
 * deep inside. Rules: the input is an object; keys that are not features are refused (a typo must not silently
 * become a missing value); a numeric feature is a finite JSON number (a numeric string is refused); a categorical
 * one is exactly one of its levels; absent or null is accepted only where the policy fills it (numeric `mean`,
 * categorical `level`) and becomes null. Unlike a CSV cell, `""` or `"NA"` are not "missing" here. The first
 * violation throws FedriskError('INVALID_ARGUMENT') with `details.field` = `${fieldPrefix}.<name>`.
 */
export function validateFeatures(schema: FeatureSchema, input: unknown, fieldPrefix = 'features'): RawRow {
  if (!isPlainObject(input)) throw invalid(fieldPrefix, `must be an object, got ${describe(input)}`);
  const plan = planFor(schema);
  for (const key of Object.keys(input)) {
    if (!plan.known.has(key)) {
      const hint = key === schema.label.column ? ' (it is the label, which a request cannot carry)' : '';
      throw invalid(`${fieldPrefix}.${key}`, `is not a feature of schema ${schema.name} v${schema.version}${hint}`);
    }
  }
  // Checked in schema order (the first violation is the one reported); the row is then written in sorted key
  // order, so it is already canonical JSON in memory (decision input digests take the fast path).
  const values = new Array<number | string | null>(schema.features.length);
  for (let i = 0; i < schema.features.length; i++) {
    const f = schema.features[i]!;
    const v = Object.prototype.hasOwnProperty.call(input, f.name) ? input[f.name] : undefined;
    if (v === undefined || v === null) {
      const allowed = f.kind === 'numeric' ? f.missing === 'mean' : f.missing === 'level';
      if (!allowed) throw invalid(`${fieldPrefix}.${f.name}`, 'is required');
      values[i] = null;
      continue;
    }
    if (f.kind === 'numeric') {
      if (typeof v !== 'number') throw invalid(`${fieldPrefix}.${f.name}`, `must be a number, got ${typeof v === 'string' ? 'the string ' : ''}${describe(v)}`);
      if (!Number.isFinite(v)) throw invalid(`${fieldPrefix}.${f.name}`, `must be a finite number, got ${describe(v)}`);
      values[i] = v;
    } else {
      if (typeof v !== 'string') throw invalid(`${fieldPrefix}.${f.name}`, `must be a string (one of the levels), got ${describe(v)}`);
      if (!f.levels.includes(v)) {
        const shown = f.levels.length <= 20 ? f.levels.join(', ') : `${f.levels.slice(0, 20).join(', ')}, ...`;
        throw invalid(`${fieldPrefix}.${f.name}`, `unknown level ${describe(v)} (allowed: ${shown})`);
      }
      values[i] = v;
    }
  }
  const out: RawRow = {};
  for (const i of plan.sortedIndexes) out[schema.features[i]!.name] = values[i]!;
  return out;
}

interface Plan {
  known: ReadonlySet<string>;
  /** Indexes into schema.features, by feature name in sort order. */
  sortedIndexes: readonly number[];
}

/** Per schema object (a live model's schema is one object for its lifetime), worked out once. */
const plans = new WeakMap<FeatureSchema, Plan>();

function planFor(schema: FeatureSchema): Plan {
  let plan = plans.get(schema);
  if (plan === undefined) {
    const names = schema.features.map((f) => f.name);
    plan = { known: new Set(names), sortedIndexes: names.map((_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0)) };
    plans.set(schema, plan);
  }
  return plan;
}
