/**
 * How a CSV cell is read, in one place: schema inference and the loader must agree exactly on what counts as missing
 * and what counts as a number, or a schema inferred from a file could refuse that same file.
 */

/**
 * Cell texts that mean "missing": the empty cell and R's `NA` (the bundled data sets were written by R's
 * `write.csv`, which prints missing values as a bare `NA`). The parser does not keep quoting, so a quoted `"NA"` is
 * missing as well. Surrounding whitespace is ignored, so a blank cell is missing too. A category level can therefore
 * never be `''` or `NA`.
 */
export const MISSING_CELL_TEXTS: readonly string[] = ['', 'NA'];

/** True when the cell text stands for a missing value (see {@link MISSING_CELL_TEXTS}). */
export function isMissingCell(cell: string): boolean {
  const t = cell.trim();
  return t === '' || t === 'NA';
}

// Plain decimal notation only: `Number()` alone would also accept `0x1F`, `0b11` and `Infinity`,
// oddities that a data file almost certainly did not mean as numbers.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number a non-missing cell holds, or null when the text is not a plain decimal number. Surrounding
 * whitespace is allowed.
 */
export function parseNumericCell(cell: string): number | null {
  const t = cell.trim();
  if (!DECIMAL.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

/** Shortens a cell for an error message, so one huge or multi-line cell cannot flood a log line. */
export function quoteCell(cell: string, max = 40): string {
  const flat = cell.replace(/[\r\n]+/g, ' ');
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}...` : flat);
}
