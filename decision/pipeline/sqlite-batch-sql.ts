/**
 * SQL text for one group commit on SQLite: every insert of a batch as literal multi-row statements inside one
 * `BEGIN IMMEDIATE ... COMMIT`, run with a single `exec` on the driver's connection. This is the hot path's one
 * round trip to the database thread; going through the query builder costs a round trip and a compile per statement.
 *
 * Values are rendered as SQL literals by {@link sqlLiteral}, which accepts only primitives and byte arrays and
 * quotes strings by doubling single quotes (SQLite's only escape), so no value can change the statement.
 */
import { FedriskError } from '../../common/errors.js';

export type SqlRow = Record<string, unknown>;

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new FedriskError('INTERNAL', `not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FedriskError('INTERNAL', 'a non-finite number cannot be stored');
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') {
    if (v.includes('\u0000')) throw new FedriskError('INTERNAL', 'a NUL character cannot be stored in a text column');
    return v.includes("'") ? `'${v.replace(/'/g, "''")}'` : `'${v}'`;
  }
  if (v instanceof Uint8Array) return `X'${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'`;
  if (v instanceof Date) return `'${v.toISOString()}'`;
  throw new FedriskError('INTERNAL', `unsupported SQL value of type ${typeof v}`);
}

export interface Upsert {
  target: string;
  merge: readonly string[];
}

/** One multi-row INSERT (optionally an upsert) over the union of the rows' columns; missing values are NULL. */
export function insertStatement(table: string, rows: readonly SqlRow[], upsert?: Upsert): string {
  if (rows.length === 0) return '';
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  // Plain concatenation (no per-row arrays): this runs for every group commit on the decision path.
  let values = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    values += i === 0 ? '(' : ',(';
    for (let j = 0; j < cols.length; j++) values += (j === 0 ? '' : ',') + sqlLiteral(r[cols[j]!]);
    values += ')';
  }
  let sql = `INSERT INTO ${ident(table)} (${cols.map(ident).join(',')}) VALUES ${values}`;
  if (upsert) {
    sql += ` ON CONFLICT (${ident(upsert.target)}) DO UPDATE SET ${upsert.merge.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
  }
  return sql + ';';
}
