import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../common/random.js';
import { canonicalDigest, canonicalJson } from './canonical-json.js';

/** The definition, written the obvious way: sorted keys at every level, undefined members skipped, non-finite refused. */
function reference(value: unknown, depth = 0): string {
  if (depth > 64) throw new TypeError('too deep');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => reference(v, depth + 1)).join(',')}]`;
  if (ArrayBuffer.isView(value)) return reference(Array.from(value as unknown as ArrayLike<number>), depth);
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const parts = Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${reference(o[k], depth + 1)}`);
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`cannot encode a ${typeof value}`);
}

const KEYS = ['a', 'b', 'z', 'A', '10', '2', '0', 'é', '\ud83d\ude00', 'key with space', '"q"', '', 'aa', 'ab', '__proto_x'];

function randomValue(rng: Rng, depth: number): unknown {
  const r = rng();
  if (depth > 3 || r < 0.45) {
    const p = rng();
    if (p < 0.2) return Math.floor(rng() * 2e6) - 1e6;
    if (p < 0.35) return (rng() - 0.5) * 10 ** Math.floor(rng() * 40 - 20);
    if (p < 0.4) return [-0, 0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER][Math.floor(rng() * 5)];
    if (p < 0.6) return KEYS[Math.floor(rng() * KEYS.length)]! + String.fromCharCode(Math.floor(rng() * 0xffff));
    if (p < 0.7) return rng() < 0.5;
    if (p < 0.8) return null;
    if (p < 0.85) return undefined;
    return 'line\nbreak "quoted" \\ \u0001 \ud800';
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(rng, depth + 1) ?? null);
  if (r < 0.7) return new Uint8Array([1, 2, Math.floor(rng() * 256)]);
  const o: Record<string, unknown> = {};
  const keys = KEYS.filter(() => rng() < 0.3);
  // Half the objects are built in sorted order (the fast path), half in random order (the general writer).
  if (rng() < 0.5) keys.sort();
  for (const k of keys) o[k] = randomValue(rng, depth + 1);
  return o;
}

test('canonical JSON equals the reference definition on 20,000 random values, sorted or not', () => {
  const rng = createRng(7);
  for (let i = 0; i < 20_000; i++) {
    const v = randomValue(rng, 0);
    let want: string | Error;
    try {
      want = reference(v);
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) assert.throws(() => canonicalJson(v), TypeError, `value ${i}`);
    else assert.equal(canonicalJson(v), want, `value ${i}`);
  }
});

test('key order on the wire does not change the text or the digest', () => {
  const a = { b: 1, a: { y: [1, { d: 2, c: 3 }], x: 'x' } };
  const b = { a: { x: 'x', y: [1, { c: 3, d: 2 }] }, b: 1 };
  assert.equal(canonicalJson(a), '{"a":{"x":"x","y":[1,{"c":3,"d":2}]},"b":1}');
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalDigest(a), canonicalDigest(b));
});

test('refuses what JSON would silently change: non-finite numbers, undefined in arrays, functions, deep nesting', () => {
  assert.throws(() => canonicalJson({ a: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ a: Infinity }), TypeError);
  assert.throws(() => canonicalJson([1, undefined]), TypeError);
  assert.throws(() => canonicalJson({ f: () => 1 }), TypeError);
  assert.throws(() => canonicalJson(1n), TypeError);
  let deep: unknown = 1;
  for (let i = 0; i < 70; i++) deep = { a: deep };
  assert.throws(() => canonicalJson(deep), TypeError);
  // Integer-like keys iterate numerically, not in string order: still sorted as strings.
  assert.equal(canonicalJson({ 2: 'b', 10: 'a' }), '{"10":"a","2":"b"}');
  // Objects with another prototype are written from their own keys, never through a toJSON.
  assert.equal(canonicalJson({ when: new Date(0) }), '{"when":{}}');
});
