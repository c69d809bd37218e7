import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sqlite3 from 'sqlite3';
import { FedriskError } from '../../common/errors.js';
import { insertStatement, sqlLiteral } from './sqlite-batch-sql.js';

const db = new sqlite3.Database(':memory:');
after(() => new Promise<void>((resolve) => db.close(() => resolve())));
const exec = (sql: string): Promise<void> => new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
const all = <T>(sql: string): Promise<T[]> => new Promise((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));

test('values survive a round trip through SQLite exactly, whatever their text (no value can change the statement)', async () => {
  await exec('CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, b BLOB, n REAL, f INTEGER)');
  const tricky = [
    "it's",
    "''",
    "'); DROP TABLE t; --",
    '\\\'',
    'line\nbreak\r\ttab',
    '中文 ✓ 🙂 \u2028',
    '',
    '"double" `back`',
    "x'00'",
  ];
  interface Row {
    id: number;
    s: string | null;
    b: Uint8Array | null;
    n: number | null;
    f: boolean;
  }
  const rows: Row[] = tricky.map((s, i) => ({ id: i + 1, s, b: new Uint8Array([0, 39, 255, i]), n: i === 0 ? -0.000123 : 1e300 / (i + 1), f: i % 2 === 0 }));
  rows.push({ id: 100, s: null, b: null, n: null, f: false });
  await exec(`BEGIN; ${insertStatement('t', rows as unknown as Record<string, unknown>[])} COMMIT;`);
  const back = await all<{ id: number; s: string | null; b: Buffer | null; n: number | null; f: number }>('SELECT * FROM t ORDER BY id');
  assert.equal(back.length, rows.length);
  back.forEach((r, k) => {
    const want = rows[k]!;
    assert.equal(r.s, want.s, `row ${r.id}`);
    assert.deepEqual(r.b === null ? null : [...r.b], want.b === null ? null : [...want.b]);
    assert.equal(r.n, want.n);
    assert.equal(r.f, want.f ? 1 : 0);
  });
});

test('upserts merge the listed columns; rows missing a column store NULL', async () => {
  await exec('CREATE TABLE u (k TEXT PRIMARY KEY, a TEXT, c TEXT)');
  await exec(insertStatement('u', [{ k: 'x', a: '1', c: 'keep' }]));
  await exec(insertStatement('u', [{ k: 'x', a: '2', c: 'new' }, { k: 'y', a: '3' }], { target: 'k', merge: ['a'] }));
  assert.deepEqual(await all('SELECT * FROM u ORDER BY k'), [
    { k: 'x', a: '2', c: 'keep' },
    { k: 'y', a: '3', c: null },
  ]);
  assert.equal(insertStatement('u', []), '');
});

test('refuses what it cannot render safely', () => {
  const internal = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof FedriskError && e.code === 'INTERNAL');
  internal(() => sqlLiteral('a\u0000b'));
  internal(() => sqlLiteral(Number.NaN));
  internal(() => sqlLiteral(Infinity));
  internal(() => sqlLiteral({}));
  internal(() => insertStatement('t; DROP TABLE t', [{ a: 1 }]));
  internal(() => insertStatement('t', [{ 'a"b': 1 }]));
  assert.equal(sqlLiteral(12n), '12');
  assert.equal(sqlLiteral(true), '1');
  assert.equal(sqlLiteral(undefined), 'NULL');
});
