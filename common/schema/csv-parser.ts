import { FedriskError } from '../errors.js';

/**
 * A parsed CSV file. `lines[i]` is the 1-based file line on which data row `i` starts: a quoted field may span
 * several lines, so data row numbers and file lines drift apart, and an error message needs both to be useful.
 */
export interface ParsedCsv {
  header: string[];
  rows: string[][];
  lines: number[];
}

export interface ParseCsvOptions {
  /** Named in error messages (usually the file path). */
  source?: string;
}

/**
 * RFC 4180 CSV, written by hand because the project takes no CSV dependency and the loader needs row and line
 * numbers in its errors. Accepted: quoted fields with `""` escapes and embedded line breaks, CRLF, LF or CR line
 * ends, a UTF-8 byte-order mark, a missing final line break. Lines that are completely empty are skipped (they
 * carry no row). Refused with FedriskError('INVALID_ARGUMENT'): an empty input, an unterminated quote, a quote
 * inside an unquoted field or text after a closing quote, a data row whose field count differs from the header's,
 * and an empty or duplicate header name.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): ParsedCsv {
  const where = options.source ? `${options.source}: ` : 'csv: ';
  const records: string[][] = [];
  const starts: number[] = [];

  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let record: string[] = [];
  let recordLine = 1;
  let field = '';
  let fieldStarted = false; // anything seen for the current record (distinguishes an empty line from `""`)

  const endField = (): void => {
    record.push(field);
    field = '';
  };
  const endRecord = (): void => {
    if (fieldStarted || record.length > 0) {
      endField();
      records.push(record);
      starts.push(recordLine);
    }
    record = [];
    field = '';
    fieldStarted = false;
  };
  const fail = (message: string, atLine: number): never => {
    const dataRow = records.length; // header is records[0]; the record being read is data row `records.length`
    const rowText = dataRow === 0 ? 'header' : `data row ${dataRow}`;
    throw new FedriskError('INVALID_ARGUMENT', `${where}${rowText} (line ${atLine}): ${message}`, {
      ...(dataRow > 0 ? { row: dataRow } : {}),
      line: atLine,
      ...(options.source ? { source: options.source } : {}),
    });
  };

  while (i < n) {
    const c = text[i]!;
    if (!fieldStarted && record.length === 0) recordLine = line;
    if (c === '"') {
      if (field.length > 0) fail('a quote (") inside an unquoted field; quote the whole field and double the quote', line);
      fieldStarted = true;
      const openLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (q === '\r') {
          // Keep the line break as written inside the field, but count it once.
          if (text[i + 1] !== '\n') line++;
        } else if (q === '\n') {
          line++;
        }
        field += q;
        i++;
      }
      if (!closed) fail(`unterminated quoted field (opened on line ${openLine})`, openLine);
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
        fail(`unexpected text after a closing quote: ${JSON.stringify(text.slice(i, i + 10))}`, line);
      }
      continue;
    }
    if (c === ',') {
      fieldStarted = true;
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    fieldStarted = true;
    field += c;
    i++;
  }
  endRecord();

  if (records.length === 0) {
    throw new FedriskError('INVALID_ARGUMENT', `${where}empty CSV: no header row`, {
      ...(options.source ? { source: options.source } : {}),
    });
  }
  const header = records[0]!;
  const seen = new Set<string>();
  for (const [k, name] of header.entries()) {
    if (name.trim() === '') {
      throw new FedriskError('INVALID_ARGUMENT', `${where}header (line ${starts[0]}): column ${k + 1} has no name`, {
        line: starts[0],
        ...(options.source ? { source: options.source } : {}),
      });
    }
    if (seen.has(name)) {
      throw new FedriskError('INVALID_ARGUMENT', `${where}header (line ${starts[0]}): duplicate column name ${JSON.stringify(name)}`, {
        line: starts[0],
        column: name,
        ...(options.source ? { source: options.source } : {}),
      });
    }
    seen.add(name);
  }
  const rows = records.slice(1);
  const lines = starts.slice(1);
  for (const [r, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new FedriskError(
        'INVALID_ARGUMENT',
        `${where}data row ${r + 1} (line ${lines[r]}): has ${row.length} fields, the header has ${header.length}`,
        { row: r + 1, line: lines[r], ...(options.source ? { source: options.source } : {}) },
      );
    }
  }
  return { header, rows, lines };
}
