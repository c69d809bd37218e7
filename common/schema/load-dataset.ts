import { readFileSync } from 'node:fs';
import { FedriskError } from '../errors.js';
import { isMissingCell, parseNumericCell, quoteCell } from './cell-values.js';
import { parseCsv } from './csv-parser.js';
import type { Dataset, FeatureSchema, RawRow } from './feature-schema.js';

export interface ParseDatasetOptions {
  /** Named in error messages (usually the file path). */
  source?: string;
}

/**
 * Reads a CSV data set and holds it to the consortium schema. A node's file that breaks the schema is refused
 * outright rather than cleaned up silently: a guessed repair (dropping a row, inventing a level) would make this
 * node's feature vectors mean something different from everyone else's. Every refusal is
 * FedriskError('INVALID_ARGUMENT') whose message and details name the data row (1-based, header excluded), the file
 * line it starts on, and the column: missing required column, non-numeric cell in a numeric column, unknown level,
 * missing cell where the policy is `error`, label outside `bad`/`good`. Columns the schema does not mention are
 * ignored. Missing cells (empty or `NA`) become null.
 */
export function parseCsvDataset(text: string, schema: FeatureSchema, options: ParseDatasetOptions = {}): Dataset {
  const source = options.source;
  const where = source ? `${source}: ` : '';
  const { header, rows, lines } = parseCsv(text, source ? { source } : {});

  const columnOf = (name: string): number => {
    const c = header.indexOf(name);
    if (c < 0) {
      throw new FedriskError(
        'INVALID_ARGUMENT',
        `${where}missing column ${JSON.stringify(name)} required by schema ${schema.name} v${schema.version} (header: ${header.join(', ')})`,
        { field: `column ${name}`, column: name, ...(source ? { source } : {}) },
      );
    }
    return c;
  };
  const labelColumn = columnOf(schema.label.column);
  const plan = schema.features.map((f) => ({
    feature: f,
    column: columnOf(f.name),
    levels: f.kind === 'categorical' ? new Set(f.levels) : null,
  }));

  const rowError = (r: number, column: string, message: string, cell: string): FedriskError =>
    new FedriskError(
      'INVALID_ARGUMENT',
      `${where}data row ${r + 1} (file line ${lines[r]}), column ${column}: ${message}`,
      {
        field: `row ${r + 1}, column ${column}`,
        row: r + 1,
        line: lines[r],
        column,
        value: quoteCell(cell),
        ...(source ? { source } : {}),
      },
    );

  const out: RawRow[] = new Array<RawRow>(rows.length);
  const labels = new Uint8Array(rows.length);
  const good = new Set(schema.label.good);
  for (let r = 0; r < rows.length; r++) {
    const cells = rows[r]!;
    const labelCell = cells[labelColumn]!;
    if (labelCell === schema.label.bad) labels[r] = 1;
    else if (good.has(labelCell)) labels[r] = 0;
    else {
      const allowed = [schema.label.bad, ...schema.label.good].map((v) => JSON.stringify(v)).join(', ');
      const message = isMissingCell(labelCell)
        ? `the label is missing (expected one of ${allowed})`
        : `label ${quoteCell(labelCell)} is not one of ${allowed}`;
      throw rowError(r, schema.label.column, message, labelCell);
    }

    const row: RawRow = {};
    for (const { feature, column, levels } of plan) {
      const cell = cells[column]!;
      if (isMissingCell(cell)) {
        if (feature.missing === 'error') throw rowError(r, feature.name, 'missing value, and the schema does not allow one here', cell);
        row[feature.name] = null;
      } else if (levels === null) {
        const x = parseNumericCell(cell);
        if (x === null) throw rowError(r, feature.name, `${quoteCell(cell)} is not a number`, cell);
        row[feature.name] = x;
      } else {
        if (!levels.has(cell)) throw rowError(r, feature.name, `unknown level ${quoteCell(cell)} (schema levels: ${[...levels].join(', ')})`, cell);
        row[feature.name] = cell;
      }
    }
    out[r] = row;
  }
  return { schema, rows: out, labels };
}

/** {@link parseCsvDataset} on a file; errors name the path. */
export function loadCsvDataset(path: string, schema: FeatureSchema): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FedriskError('NOT_FOUND', `cannot read data file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  return parseCsvDataset(text, schema, { source: path });
}
