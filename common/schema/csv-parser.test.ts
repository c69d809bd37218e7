import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import { parseCsv } from './csv-parser.js';

function rejects(text: string, pattern: RegExp, details: Record<string, unknown>): void {
  assert.throws(
    () => parseCsv(text, { source: 'x.csv' }),
    (err: unknown) => {
      assert.ok(err instanceof FedriskError);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, pattern);
      for (const [k, v] of Object.entries(details)) assert.equal(err.details[k], v, `details.${k}`);
      return true;
    },
  );
}

test('parses header and rows', () => {
  const csv = parseCsv('a,b,c\n1,2,3\n4,5,6\n');
  assert.deepEqual(csv.header, ['a', 'b', 'c']);
  assert.deepEqual(csv.rows, [['1', '2', '3'], ['4', '5', '6']]);
  assert.deepEqual(csv.lines, [2, 3]);
});

test('quoted fields, escaped quotes, commas and line breaks inside quotes', () => {
  const csv = parseCsv('"name","note"\r\n"x","say ""hi"", ok"\r\n"y","two\r\nlines"\r\n"z",""\r\n');
  assert.deepEqual(csv.header, ['name', 'note']);
  assert.deepEqual(csv.rows, [
    ['x', 'say "hi", ok'],
    ['y', 'two\r\nlines'],
    ['z', ''],
  ]);
  assert.deepEqual(csv.lines, [2, 3, 5]);
});

test('CRLF, LF and lone CR line ends; no final newline; BOM; empty fields', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\r\n1,\r\n,2').rows, [['1', ''], ['', '2']]);
  assert.deepEqual(parseCsv('a,b\r1,2\r3,4').rows, [['1', '2'], ['3', '4']]);
  assert.deepEqual(parseCsv('\ufeffa,b\n1,2').header, ['a', 'b']);
});

test('blank lines are skipped but still counted for line numbers', () => {
  const csv = parseCsv('a,b\n\n1,2\n\r\n3,4\n\n');
  assert.deepEqual(csv.rows, [['1', '2'], ['3', '4']]);
  assert.deepEqual(csv.lines, [3, 5]);
});

test('header only gives no rows', () => {
  assert.deepEqual(parseCsv('a,b\n'), { header: ['a', 'b'], rows: [], lines: [] });
});

test('ragged row names the data row and the line', () => {
  rejects('a,b,c\n1,2,3\n"multi\nline",2,3\n4,5\n', /x\.csv: data row 3 \(line 5\): has 2 fields, the header has 3/, { row: 3, line: 5 });
  rejects('a,b\n1,2,3\n', /data row 1 \(line 2\): has 3 fields/, { row: 1, line: 2 });
});

test('unterminated quote names the row and the line it opened on', () => {
  rejects('a,b\n1,2\n3,"open\nmore\n', /data row 2 \(line 3\): unterminated quoted field \(opened on line 3\)/, { row: 2, line: 3 });
  rejects('"a,b\n', /header \(line 1\): unterminated/, { line: 1 });
});

test('stray quotes are refused', () => {
  rejects('a,b\n1,x"y\n', /data row 1 \(line 2\): a quote/, { row: 1 });
  rejects('a,b\n1,"x"y\n', /unexpected text after a closing quote/, { row: 1 });
});

test('empty input, empty and duplicate header names', () => {
  rejects('', /empty CSV/, {});
  rejects('\n\n', /empty CSV/, {});
  rejects('a,,c\n', /column 2 has no name/, {});
  rejects('a,b,a\n', /duplicate column name "a"/, { column: 'a' });
});
