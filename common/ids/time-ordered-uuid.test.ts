import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeOrderedUuid } from './time-ordered-uuid.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('is a version-7 RFC 9562 UUID carrying the millisecond time', () => {
  const t = Date.UTC(2026, 10, 22, 3, 14, 15, 926);
  const id = timeOrderedUuid(t);
  assert.match(id, UUID_V7);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), t);
});

test('sorts by time across milliseconds, and 20,000 ids are distinct', () => {
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) ids.push(timeOrderedUuid(1_700_000_000_000 + Math.floor(i / 10)));
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 10; i < ids.length; i += 10) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  for (const id of ids.slice(0, 50)) assert.match(id, UUID_V7);
});

test('refuses times outside 48 bits', () => {
  assert.throws(() => timeOrderedUuid(-1), RangeError);
  assert.throws(() => timeOrderedUuid(2 ** 48), RangeError);
  assert.throws(() => timeOrderedUuid(1.5), RangeError);
});
