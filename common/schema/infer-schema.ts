import { FedriskError, invalid } from '../errors.js';
import { isMissingCell, parseNumericCell, quoteCell } from './cell-values.js';
import { SCHEMA_FORMAT, type Feature, type FeatureSchema } from './feature-schema.js';
import { parseSchema } from './validate-schema.js';

export interface InferSchemaOptions {
  /** Data set name recorded in the schema, e.g. `credit_data`. */
  name: string;
  /** Label column. */
  label: string;
  /** The label value that means "defaulted". */
  bad: string;
  /** Schema version; 1 unless given. */
  version?: number;
}

/**
 * The smallest power of ten that is >= `maxAbs`, and at least 1. It is public (it travels in the schema), so it
 * must reveal no more than an order of magnitude about any member's data.
 */
export function powerOfTenScale(maxAbs: number): number {
  let scale = 1;
  while (scale < maxAbs) scale *= 10;
  return scale;
}

/** Frequency desc, then by code unit (not locale), so every machine infers the same one-hot order. */
function orderByFrequency(counts: Map<string, number>): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([value]) => value);
}

/**
 * Proposes a consortium schema from one whole CSV (a bootstrap for the operator, who reviews and publishes it; nodes
 * never infer, they load the published schema). Every column except the label becomes a feature, in header order.
 * A column is numeric when every non-missing cell is a plain decimal number (missing = empty or `NA`, see
 * `isMissingCell`); its scale is the next power of ten >= max |x| and its missing policy `mean`. Any other column is
 * categorical with levels by frequency (desc) then code-unit order and missing policy `level`. A column with no
 * non-missing cell at all is numeric with scale 1 (it will standardise to a constant 0). `label.good` lists the
 * other label values by frequency. Throws FedriskError('INVALID_ARGUMENT') when the label column is absent, a label
 * cell is missing, `bad` never occurs or no other label value does.
 */
export function inferSchema(header: readonly string[], rows: readonly (readonly string[])[], options: InferSchemaOptions): FeatureSchema {
  const labelIndex = header.indexOf(options.label);
  if (labelIndex < 0) {
    throw invalid('label', `label column ${JSON.stringify(options.label)} is not in the header (${header.join(', ')})`, {
      column: options.label,
    });
  }
  const labelCounts = new Map<string, number>();
  rows.forEach((row, r) => {
    const cell = row[labelIndex] ?? '';
    if (isMissingCell(cell)) {
      throw new FedriskError('INVALID_ARGUMENT', `data row ${r + 1}, column ${options.label}: the label is missing`, {
        field: `row ${r + 1}, column ${options.label}`,
        row: r + 1,
        column: options.label,
      });
    }
    labelCounts.set(cell, (labelCounts.get(cell) ?? 0) + 1);
  });
  if (!labelCounts.has(options.bad)) {
    throw invalid('bad', `the bad value ${JSON.stringify(options.bad)} never occurs in column ${options.label} (seen: ${[...labelCounts.keys()].map((v) => quoteCell(v)).join(', ')})`, {
      column: options.label,
    });
  }
  labelCounts.delete(options.bad);
  const good = orderByFrequency(labelCounts);
  if (good.length === 0) {
    throw invalid('bad', `column ${options.label} holds only ${JSON.stringify(options.bad)}: a model needs a good class too`, {
      column: options.label,
    });
  }

  const features: Feature[] = [];
  header.forEach((name, c) => {
    if (c === labelIndex) return;
    let numeric = true;
    let maxAbs = 0;
    const counts = new Map<string, number>();
    for (const row of rows) {
      const cell = row[c] ?? '';
      if (isMissingCell(cell)) continue;
      counts.set(cell, (counts.get(cell) ?? 0) + 1);
      if (numeric) {
        const x = parseNumericCell(cell);
        if (x === null) numeric = false;
        else maxAbs = Math.max(maxAbs, Math.abs(x));
      }
    }
    if (numeric) {
      features.push({ name, kind: 'numeric', scale: powerOfTenScale(maxAbs), missing: 'mean' });
    } else {
      features.push({ name, kind: 'categorical', levels: orderByFrequency(counts), missing: 'level' });
    }
  });

  // The result must be a schema the rest of the system accepts (e.g. no level that collides with a reserved name).
  return parseSchema({
    format: SCHEMA_FORMAT,
    name: options.name,
    version: options.version ?? 1,
    label: { column: options.label, bad: options.bad, good },
    features,
  });
}
