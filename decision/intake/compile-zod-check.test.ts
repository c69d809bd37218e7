import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createRng, type Rng } from '../../common/random.js';
import { compileZodCheck, UnsupportedZodSchemaError } from './compile-zod-check.js';

const isPositive = (v: unknown): boolean => typeof v === 'number' && v > 0;
const positive = z.number().refine(isPositive, 'must be positive');
const hasName = (v: unknown): boolean => typeof v === 'object' && v !== null && 'name' in v;
const named = z.custom<{ name: unknown }>(hasName, { message: 'needs a name' });

/** Schemas using every supported kind and check, exclusive bounds included (the request schema has none). */
const ZOO: { name: string; schema: z.ZodTypeAny; seeds?: unknown[] }[] = [
  { name: 'gte/lte', schema: z.number().min(-1).max(1) },
  { name: 'gt/lt', schema: z.number().gt(-1).lt(1) },
  { name: 'int positive', schema: z.number().int().positive() },
  { name: 'finite nonnegative', schema: z.number().finite().nonnegative() },
  { name: 'two lower bounds', schema: z.number().min(0).gt(0.5).max(2).max(1.5) },
  { name: 'plain number', schema: z.number() },
  { name: 'string min/max', schema: z.string().min(2).max(3) },
  { name: 'string length', schema: z.string().length(2) },
  { name: 'string nonempty', schema: z.string().nonempty() },
  { name: 'boolean', schema: z.boolean() },
  { name: 'optional', schema: z.string().max(1).optional() },
  { name: 'union', schema: z.union([z.string().max(1), z.number().int(), z.boolean()]) },
  { name: 'any', schema: z.any() },
  { name: 'unknown', schema: z.unknown() },
  { name: 'record', schema: z.record(z.union([z.string().max(2), z.number().finite()])) },
  { name: 'record with key checks', schema: z.record(z.string().min(2), z.boolean()) },
  { name: 'refinement', schema: positive.describe('a described copy of a trusted refinement') },
  {
    name: 'nested strict objects',
    schema: z
      .object({
        a: z.number().int().min(0).max(2),
        b: z.object({ c: z.boolean().optional(), d: z.string().min(1).max(2) }).strict().optional(),
        e: z.record(z.number()).optional(),
        f: named.describe('trusted custom'),
      })
      .strict()
      .describe('described object'),
    seeds: [
      { a: 0, f: { name: 1 } },
      { a: 2, b: { d: 'x' }, f: { name: 'n' } },
      { a: 1, b: { c: true, d: 'xy' }, e: { x: 1, y: -0 }, f: { name: null } },
    ],
  },
  { name: 'union of objects', schema: z.union([z.object({ a: z.number() }).strict(), z.object({ b: z.string() }).strict()]), seeds: [{ a: 1 }, { b: '' }] },
];
const TRUSTED = [[positive, isPositive], [named, hasName]] as const;

const NUMBERS = [0, -0, 0.5, -0.5, 1, -1, 1.5, 2, 3, -1.0000001, 0.9999999, 1e308, -1e308, 5e-324, 2 ** 53, NaN, Infinity, -Infinity];
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'name', 'ab', 'abc', '', 'constructor', 'then', 'toString'];

class Point {
  constructor(readonly a: number) {}
}

function value(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (r < 0.05) return null;
  if (r < 0.1) return undefined;
  if (r < 0.18) return rng() < 0.5;
  if (r < 0.45) return NUMBERS[Math.floor(rng() * NUMBERS.length)];
  if (r < 0.65) return 'xyzw😀'.slice(0, Math.floor(rng() * 6));
  if (r < 0.7 || depth > 2) return [value(rng, depth + 1)];
  if (r < 0.72) return new Point(1);
  const o: Record<string, unknown> = rng() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
  const n = Math.floor(rng() * 4);
  for (let i = 0; i < n; i++) o[KEYS[Math.floor(rng() * KEYS.length)]!] = value(rng, depth + 1);
  return o;
}

/** A seed with up to two members replaced, removed or added, at any depth. */
function mutated(rng: Rng, seed: unknown): unknown {
  const copy = structuredClone(seed);
  const steps = Math.floor(rng() * 3);
  for (let s = 0; s < steps; s++) {
    let o = copy as Record<string, unknown>;
    for (;;) {
      const keys = Object.keys(o);
      const k = keys[Math.floor(rng() * keys.length)];
      const next = k === undefined ? undefined : o[k];
      if (k !== undefined && typeof next === 'object' && next !== null && !Array.isArray(next) && rng() < 0.5) {
        o = next as Record<string, unknown>;
        continue;
      }
      const r = rng();
      if (r < 0.3 && k !== undefined) delete o[k];
      else if (r < 0.5) o[KEYS[Math.floor(rng() * KEYS.length)]!] = value(rng);
      else if (k !== undefined) o[k] = value(rng);
      break;
    }
  }
  return copy;
}

/** What JSON.parse could have produced: zod returns such values as they are, so the check must decide them. */
function jsonShaped(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) return v.every(jsonShaped);
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every(jsonShaped);
}

describe('compileZodCheck', () => {
  it('agrees with zod on random values for every supported kind, and accepts only what zod returns unchanged', () => {
    const rng = createRng(7_001);
    for (const { name, schema, seeds } of ZOO) {
      const check = compileZodCheck(schema, { refinements: TRUSTED });
      let accepted = 0;
      let rejected = 0;
      for (let i = 0; i < 3_000; i++) {
        const v = seeds !== undefined && rng() < 0.7 ? mutated(rng, seeds[Math.floor(rng() * seeds.length)]) : value(rng);
        const res = schema.safeParse(v);
        const fast = check(v);
        if (fast) {
          assert.ok(res.success, `${name}: accepted what zod rejects: ${String(JSON.stringify(v))}`);
          assert.deepStrictEqual(res.data, v, `${name}: zod changed ${String(JSON.stringify(v))}`);
          accepted++;
        } else if (res.success) {
          assert.ok(!jsonShaped(v), `${name}: rejected what zod accepts: ${String(JSON.stringify(v))}`);
        } else rejected++;
      }
      const acceptsAll = name === 'any' || name === 'unknown';
      assert.ok(accepted > 0 && (rejected > 0 || acceptsAll), `${name}: ${accepted} accepted, ${rejected} rejected`);
    }
  });

  it('decides every boundary as zod does, exclusive bounds and -0 included', () => {
    const schemas = [z.number().gt(0).lt(1), z.number().min(0).max(1), z.number().int().gte(-0).lte(0), z.number().nonpositive()];
    for (const schema of schemas) {
      const check = compileZodCheck(schema);
      for (const v of [...NUMBERS, 1 - Number.EPSILON, Number.MIN_VALUE, -Number.MIN_VALUE]) {
        assert.equal(check(v), schema.safeParse(v).success, `${String(v)} against ${JSON.stringify(schema._def.checks)}`);
      }
    }
  });

  it('leaves to zod the values zod would return changed', () => {
    const rec = compileZodCheck(z.record(z.string()));
    assert.equal(rec(JSON.parse('{"__proto__":"x","a":"b"}')), false); // zod drops the key
    assert.equal(rec(Object.create({ inherited: 'x' }) as object), false); // zod copies inherited keys
    assert.equal(rec(Object.assign(Object.create(null) as object, { a: 'b' })), false); // zod's copy has Object.prototype
    const obj = z.object({ a: z.number() }).strict();
    const objCheck = compileZodCheck(obj);
    assert.ok(obj.safeParse(new Point(1)).success);
    assert.equal(objCheck(new Point(1)), false);
    // A union whose first option would accept with a changed value: zod returns that one, so neither may be taken.
    const union = z.union([z.record(z.string()), z.unknown()]);
    const protoKey: unknown = JSON.parse('{"__proto__":"x"}');
    assert.notDeepStrictEqual(union.parse(protoKey), protoKey);
    assert.equal(compileZodCheck(union)(protoKey), false);
    assert.equal(compileZodCheck(union)({ a: 'x' }), true);
  });

  it('rejects what zod rejects even off the JSON path: promise-likes, arrays, Map, Date', () => {
    const check = compileZodCheck(z.record(z.any()));
    const thenable = { then: () => undefined, catch: () => undefined };
    for (const v of [thenable, [], new Map(), new Date(0), null]) {
      assert.equal(check(v), false);
      if (v !== null && !(v instanceof Map) && !(v instanceof Date)) assert.equal(z.record(z.any()).safeParse(v).success, false);
    }
  });

  it('trusts a refinement only through the predicate it was given', () => {
    const check = compileZodCheck(positive, { refinements: TRUSTED });
    assert.equal(check(2), true);
    assert.equal(check(-2), false);
    assert.equal(check('2'), false);
    assert.throws(() => compileZodCheck(z.number().refine((n) => n > 0)), UnsupportedZodSchemaError);
    assert.throws(() => compileZodCheck(z.number(), { refinements: [[z.number(), isPositive]] }), /not a zod refinement/);
  });

  it('refuses every kind it does not understand, naming where', () => {
    const refused: [string, z.ZodTypeAny][] = [
      ['date', z.date()],
      ['email', z.string().email()],
      ['regex', z.string().regex(/x/)],
      ['trim (a transform inside a string)', z.string().trim()],
      ['toLowerCase', z.string().toLowerCase()],
      ['startsWith', z.string().startsWith('a')],
      ['multipleOf', z.number().multipleOf(2)],
      ['coerce number', z.coerce.number()],
      ['coerce string', z.coerce.string()],
      ['coerce boolean', z.coerce.boolean()],
      ['transform', z.string().transform((s) => s.length)],
      ['preprocess', z.preprocess((v) => v, z.string())],
      ['default', z.string().default('x')],
      ['catch', z.string().catch('x')],
      ['nullable', z.string().nullable()],
      ['literal', z.literal('a')],
      ['enum', z.enum(['a', 'b'])],
      ['array', z.array(z.string())],
      ['tuple', z.tuple([z.string()])],
      ['null', z.null()],
      ['bigint', z.bigint()],
      ['lazy', z.lazy(() => z.string())],
      ['intersection', z.intersection(z.object({}), z.object({}))],
      ['discriminated union', z.discriminatedUnion('k', [z.object({ k: z.literal('a') })])],
      ['branded', z.string().brand('b')],
      ['readonly', z.object({}).strict().readonly()],
      ['pipeline', z.string().pipe(z.string())],
      ['strip object (drops keys)', z.object({ a: z.string() })],
      ['passthrough object', z.object({ a: z.string() }).passthrough()],
      ['catchall object', z.object({ a: z.string() }).strict().catchall(z.string())],
      ['key inherited from Object.prototype', z.object({ constructor: z.string() }).strict()],
      ['record with number keys', z.record(z.number(), z.string())],
      ['record with enum keys', z.record(z.enum(['a']), z.string())],
      ['record key with a format', z.record(z.string().email(), z.string())],
      ['unregistered custom', z.custom((v) => v !== null)],
      ['nested unknown', z.object({ a: z.object({ b: z.date().optional() }).strict() }).strict()],
      ['subclass', new (class extends z.ZodString {})(z.string()._def)],
      ['not a schema', {} as z.ZodTypeAny],
      ['zod v4 schema', { _zod: { def: { type: 'string' } } } as unknown as z.ZodTypeAny],
    ];
    for (const [name, schema] of refused) {
      assert.throws(() => compileZodCheck(schema), UnsupportedZodSchemaError, name);
    }
    assert.throws(
      () => compileZodCheck(z.object({ a: z.object({ b: z.date().optional() }).strict() }).strict()),
      { message: 'compileZodCheck: ZodDate at a.b is not supported' },
    );
  });
});
