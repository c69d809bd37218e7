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
  const known = new Set(schema.features.map((f) => f.name));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      const hint = key === schema.label.column ? ' (it is the label, which a request cannot carry)' : '';
      throw invalid(`${fieldPrefix}.${key}`, `is not a feature of schema ${schema.name} v${schema.version}${hint}`);
    }
  }
  const out: RawRow = {};
  for (const f of schema.features) {
    const field = `${fieldPrefix}.${f.name}`;
    const v = Object.prototype.hasOwnProperty.call(input, f.name) ? input[f.name] : undefined;
    if (v === undefined || v === null) {
      const allowed = f.kind === 'numeric' ? f.missing === 'mean' : f.missing === 'level';
      if (!allowed) throw invalid(field, 'is required');
      out[f.name] = null;
      continue;
    }
    if (f.kind === 'numeric') {
      if (typeof v !== 'number') throw invalid(field, `must be a number, got ${typeof v === 'string' ? 'the string ' : ''}${describe(v)}`);
      if (!Number.isFinite(v)) throw invalid(field, `must be a finite number, got ${describe(v)}`);
      out[f.name] = v;
    } else {
      if (typeof v !== 'string') throw invalid(field, `must be a string (one of the levels), got ${describe(v)}`);
      if (!f.levels.includes(v)) {
        const shown = f.levels.length <= 20 ? f.levels.join(', ') : `${f.levels.slice(0, 20).join(', ')}, ...`;
        throw invalid(field, `unknown level ${describe(v)} (allowed: ${shown})`);
      }
      out[f.name] = v;
    }
  }
  return out;
}
