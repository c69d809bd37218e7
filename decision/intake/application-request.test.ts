import { describe, it } from 'node:test';
import type { z } from 'zod';
import assert from 'node:assert/strict';
import { FedriskError } from '../../common/errors.js';
import { createRng, type Rng } from '../../common/random.js';
import { syntheticApplications } from '../../simulations/bench/synthetic-applications.js';
import { applicationRequestSchema, isAcceptedApplicationRequest, parseApplicationRequest, zodToFedriskError, type ApplicationRequest } from './application-request.js';

type Obj = Record<string, unknown>;

const STRING_BOUNDS: [string, number, number][] = [
  ['applicant.idNumber', 1, 32],
  ['applicant.name', 1, 64],
  ['applicant.phone', 1, 32],
  ['applicant.bankCard', 1, 32],
  ['device.model', 1, 128],
  ['device.os', 1, 128],
  ['device.ip', 2, 64],
  ['callbackUrl', 1, 2048],
];
const NUMBER_BOUNDS: [string, number, number, boolean][] = [
  ['amount', 1, 1_000_000, false],
  ['termMonths', 1, 60, true],
  ['device.behaviour.formFillSeconds', 0, 86_400, false],
  ['device.behaviour.pasteEvents', 0, 10_000, true],
  ['device.behaviour.screenSwitches', 0, 10_000, true],
];
const EXPECTED_SOLE_ISSUES = [
  ...STRING_BOUNDS.flatMap(([p, min, max]) => [`${p} too_small ${min}`, `${p} too_big ${max}`, `${p} invalid_type string<-number`]),
  ...NUMBER_BOUNDS.flatMap(([p, min, max, int]) => [
    `${p} too_small ${min}`,
    `${p} too_big ${max}`,
    `${p} invalid_type number<-string`,
    `${p} invalid_type number<-nan`,
    ...(int ? [`${p} invalid_type integer<-float`] : []),
  ]),
  ...['', 'applicant', 'device', 'device.signals', 'device.behaviour'].map((p) => `${p} unrecognized_keys`.trim()),
  ...['', 'applicant', 'device', 'device.attributes', 'device.signals', 'device.behaviour'].map((p) => `${p} invalid_type object<-array`.trim()),
  'device.attributes.screen invalid_union',
  'device.attributes.screen too_big 256',
  'device.signals.root invalid_type boolean<-string',
  'consent invalid_type boolean<-undefined',
  'features custom',
];

/** A zod issue without the values: where, and which bound or type. */
function issueKind(issue: z.ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? '#' : p)).join('.');
  const detail =
    issue.code === 'too_small' ? `${String(issue.minimum)}${issue.inclusive ? '' : ' exclusive'}` : issue.code === 'too_big' ? `${String(issue.maximum)}` : issue.code === 'invalid_type' ? `${issue.expected}<-${issue.received}` : '';
  return `${path} ${issue.code} ${detail}`.trim();
}

/** parseApplicationRequest as it was before the compiled check: zod alone decides and words the error. */
function zodOnlyParse(body: unknown): ApplicationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FedriskError('INVALID_ARGUMENT', 'body: must be a JSON object', { field: 'body' });
  }
  const res = applicationRequestSchema.safeParse(body);
  if (!res.success) throw zodToFedriskError(res.error);
  return res.data;
}

type Outcome = { ok: true; data: unknown } | { ok: false; code: string; message: string; details: unknown };

function outcome(parse: (body: unknown) => ApplicationRequest, body: unknown): Outcome {
  try {
    return { ok: true, data: parse(body) };
  } catch (e) {
    assert.ok(e instanceof FedriskError, `not a FedriskError: ${String(e)}`);
    return { ok: false, code: e.code, message: e.message, details: e.details };
  }
}

/** Anywhere but under `features` (which zod returns as it stands, prototype and all). */
function hasNullPrototypeObject(v: unknown, key = ''): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || key === 'features') return false;
  if (Object.getPrototypeOf(v) === null) return true;
  return Object.entries(v).some(([k, x]) => hasNullPrototypeObject(x, k));
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every path to an object member, objects included (arrays are leaves). */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (!isObj(v)) return [];
  const out: string[][] = [];
  for (const k of Object.keys(v)) {
    out.push([...prefix, k]);
    out.push(...paths(v[k], [...prefix, k]));
  }
  return out;
}

function objectPaths(v: unknown, prefix: string[] = []): string[][] {
  if (!isObj(v)) return [];
  const out: string[][] = [prefix];
  for (const k of Object.keys(v)) out.push(...objectPaths(v[k], [...prefix, k]));
  return out;
}

function parentOf(root: Obj, path: string[]): Obj {
  let o: unknown = root;
  for (const k of path.slice(0, -1)) o = (o as Obj)[k];
  return o as Obj;
}

function at(root: Obj, path: string[]): unknown {
  let o: unknown = root;
  for (const k of path) o = (o as Obj)[k];
  return o;
}

/** Strings around every length bound in the schema (1, 2, 32, 64, 128, 256, 2048), some with astral characters. */
const STRING_LENGTHS = [0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 2047, 2048, 2049];
/** Numbers around every numeric bound (0, 1, 60, 86 400, 10 000, 1 000 000), and the awkward ones. */
const NUMBERS = [
  0, -0, 1, -1, 0.5, 0.999999, 1.000001, 2, 59, 59.5, 60, 60.5, 61, 86_399.9, 86_400, 86_400.000001, 86_401, 9_999, 10_000, 10_000.5, 10_001,
  999_999.99, 1_000_000, 1_000_000.0000001, 1_000_001, 1e308, -1e308, 5e-324, -5e-324, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, NaN, Infinity, -Infinity,
];

function randomString(rng: Rng): string {
  const n = STRING_LENGTHS[Math.floor(rng() * STRING_LENGTHS.length)]!;
  const r = rng();
  if (r < 0.2) return '😀'.repeat(Math.floor(n / 2)) + (n % 2 === 1 ? 'a' : ''); // .length counts UTF-16 units, as zod does
  if (r < 0.3) return ' '.repeat(n);
  return 'x'.repeat(n);
}

function junk(rng: Rng, depth = 0): unknown {
  const r = rng();
  if (r < 0.08) return null;
  if (r < 0.12) return undefined;
  if (r < 0.2) return rng() < 0.5;
  if (r < 0.45) return NUMBERS[Math.floor(rng() * NUMBERS.length)];
  if (r < 0.65) return rng() < 0.2 ? String(NUMBERS[Math.floor(rng() * NUMBERS.length)]) : randomString(rng);
  if (r < 0.75 || depth > 2) return rng() < 0.5 ? [] : [junk(rng, depth + 1)];
  if (r < 0.85) return {};
  if (r < 0.9) return Object.create(null) as Obj;
  const o: Obj = {};
  const n = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < n; i++) o[pickKey(rng)] = junk(rng, depth + 1);
  return o;
}

const EXTRA_KEYS = ['extra', 'Applicant', 'consent ', '', 'constructor', 'toString', 'hasOwnProperty', 'then', 'valueOf', '0', 'bankcard', 'vpn'];
const pickKey = (rng: Rng): string => EXTRA_KEYS[Math.floor(rng() * EXTRA_KEYS.length)]!;

/** Values that are valid somewhere in the request, to make valid-but-unusual payloads as well as broken ones. */
function plausible(rng: Rng, path: string[], current: unknown): unknown {
  const leaf = path[path.length - 1]!;
  if (typeof current === 'string' || leaf === 'callbackUrl') return randomString(rng);
  if (typeof current === 'number') return NUMBERS[Math.floor(rng() * NUMBERS.length)];
  if (typeof current === 'boolean') return rng() < 0.5;
  if (path[path.length - 2] === 'attributes') {
    const r = rng();
    return r < 0.4 ? randomString(rng) : r < 0.8 ? NUMBERS[Math.floor(rng() * NUMBERS.length)] : rng() < 0.5;
  }
  return junk(rng);
}

const OPTIONAL_ADDITIONS: [string[], (rng: Rng) => unknown][] = [
  [['callbackUrl'], randomString],
  [['device', 'signals', 'vpn'], (rng) => rng() < 0.5],
  [['device', 'attributes', 'extra'], (rng) => plausible(rng, ['device', 'attributes', 'extra'], undefined)],
  [['device', 'attributes', 'constructor'], randomString],
  [['features', 'extra'], junk],
];

function mutate(rng: Rng, base: Obj): Obj {
  const body = structuredClone(base);
  const steps = 1 + Math.floor(rng() * 3);
  for (let s = 0; s < steps; s++) {
    const r = rng();
    if (r < 0.2) {
      const all = paths(body);
      const p = all[Math.floor(rng() * all.length)];
      if (p) delete parentOf(body, p)[p[p.length - 1]!];
    } else if (r < 0.35) {
      const objs = objectPaths(body);
      const p = objs[Math.floor(rng() * objs.length)]!;
      (at(body, p) as Obj)[pickKey(rng)] = rng() < 0.5 ? junk(rng) : randomString(rng);
    } else if (r < 0.6) {
      const all = paths(body);
      const p = all[Math.floor(rng() * all.length)];
      if (p) parentOf(body, p)[p[p.length - 1]!] = junk(rng);
    } else if (r < 0.85) {
      const all = paths(body);
      const p = all[Math.floor(rng() * all.length)];
      if (p) parentOf(body, p)[p[p.length - 1]!] = plausible(rng, p, at(body, p));
    } else if (r < 0.92) {
      const objs = objectPaths(body).filter((p) => p.length > 0);
      const p = objs[Math.floor(rng() * objs.length)];
      if (p) parentOf(body, p)[p[p.length - 1]!] = rng() < 0.5 ? [at(body, p)] : Object.values(at(body, p) as Obj);
    } else {
      const [p, make] = OPTIONAL_ADDITIONS[Math.floor(rng() * OPTIONAL_ADDITIONS.length)]!;
      const parent = p.slice(0, -1).every((_, i) => isObj(at(body, p.slice(0, i + 1)))) ? parentOf(body, p) : null;
      if (parent !== null) parent[p[p.length - 1]!] = make(rng);
    }
  }
  return body;
}

/** Valid bodies that exercise the optional parts: some dropped, some at their bounds. */
function validVariant(rng: Rng, base: Obj): Obj {
  const body = structuredClone(base);
  const applicant = body['applicant'] as Obj;
  const device = body['device'] as Obj;
  if (rng() < 0.3) delete applicant['bankCard'];
  if (rng() < 0.2) delete device['attributes'];
  if (rng() < 0.2) delete device['signals'];
  if (rng() < 0.2) delete device['behaviour'];
  if (rng() < 0.3) body['callbackUrl'] = 'x'.repeat(rng() < 0.5 ? 1 : 2048);
  if (rng() < 0.3) body['amount'] = [1, 1_000_000, 1.5, 999_999.99][Math.floor(rng() * 4)];
  if (rng() < 0.3) body['termMonths'] = rng() < 0.5 ? 1 : 60;
  if (rng() < 0.3) applicant['name'] = 'n'.repeat(rng() < 0.5 ? 1 : 64);
  if (rng() < 0.3) device['ip'] = 'i'.repeat(rng() < 0.5 ? 2 : 64);
  if (rng() < 0.2 && isObj(device['behaviour'])) device['behaviour'] = { formFillSeconds: rng() < 0.5 ? -0 : 86_400, pasteEvents: 10_000, screenSwitches: 0 };
  if (rng() < 0.2) body['features'] = rng() < 0.5 ? {} : Object.create(null);
  if (rng() < 0.2 && isObj(device['attributes'])) (device['attributes'] as Obj)['long'] = 'a'.repeat(256);
  return body;
}

/** Every bounded leaf set to every boundary candidate, one change at a time, so each bound is met exactly. */
function boundarySweep(base: Obj): Obj[] {
  const full = structuredClone(base);
  full['callbackUrl'] = 'https://lender.example/cb';
  const out: Obj[] = [];
  for (const p of paths(full)) {
    const current = at(full, p);
    const candidates: unknown[] =
      typeof current === 'number'
        ? NUMBERS
        : typeof current === 'string'
          ? STRING_LENGTHS.flatMap((n) => ['x'.repeat(n), '😀'.repeat(Math.floor(n / 2)) + (n % 2 === 1 ? 'a' : '')])
          : [];
    for (const value of candidates) {
      const body = structuredClone(full);
      parentOf(body, p)[p[p.length - 1]!] = value;
      out.push(body);
    }
  }
  return out;
}

function payloads(): unknown[] {
  const rng = createRng(20_261_122);
  const bases = syntheticApplications(600, 11);
  const out: unknown[] = [...boundarySweep(bases[0]!)];
  for (const base of bases) {
    out.push(structuredClone(base));
    out.push(validVariant(rng, base));
    for (let i = 0; i < 8; i++) out.push(mutate(rng, rng() < 0.5 ? base : validVariant(rng, base)));
  }
  // The body itself replaced by something else.
  for (let i = 0; i < 200; i++) out.push(junk(rng));
  return out;
}

describe('parseApplicationRequest with the compiled check', () => {
  const all = payloads();

  it('agrees with zod on every one of thousands of valid, mutated and junk payloads', () => {
    assert.ok(all.length >= 5_000, `only ${all.length} payloads`);
    let accepted = 0;
    let rejected = 0;
    let deferred = 0;
    const sole = new Set<string>();
    for (const body of all) {
      const res = applicationRequestSchema.safeParse(body);
      if (!res.success && res.error.issues.length === 1) sole.add(issueKind(res.error.issues[0]!));
      const fast = isAcceptedApplicationRequest(body);
      if (res.success && !fast && hasNullPrototypeObject(body)) {
        // Not JSON.parse output: zod copies the object onto Object.prototype, so the check leaves it to zod.
        assert.notDeepStrictEqual(res.data, body);
        deferred++;
        continue;
      }
      assert.equal(fast, res.success, `verdicts differ on ${JSON.stringify(body)}: ${res.success ? 'zod accepts' : res.error.issues[0]?.message}`);
      if (res.success) {
        // The claim the fast path rests on: zod's output for this schema is the input itself, structurally.
        assert.deepStrictEqual(res.data, body);
        accepted++;
      } else rejected++;
    }
    // Not vacuous: both verdicts are well represented.
    assert.ok(accepted >= 1_500, `only ${accepted} accepted`);
    assert.ok(rejected >= 3_000, `only ${rejected} rejected`);
    assert.ok(deferred > 0 && deferred < 100, `${deferred} deferred`);
    // Each bound, type and unknown-key rule was met alone at least once (a rejection for that reason only).
    const missing = EXPECTED_SOLE_ISSUES.filter((kind) => !sole.has(kind));
    assert.deepStrictEqual(missing, []);
  });

  it('returns what zod returned and throws byte-identical errors (message, code, field)', () => {
    for (const body of all) {
      const expected = outcome(zodOnlyParse, body);
      const actual = outcome(parseApplicationRequest, body);
      assert.deepStrictEqual(actual, expected);
    }
  });

  it('returns the body itself on the fast path', () => {
    const body = syntheticApplications(1, 3)[0]!;
    assert.equal(parseApplicationRequest(body), body);
  });

  it('leaves a record key __proto__ to zod, which drops it (the body is not returned as it stands)', () => {
    const body = JSON.parse(JSON.stringify(syntheticApplications(1, 5)[0]!).replace('"screen":', '"__proto__":"x","screen":')) as Obj;
    assert.ok(Object.prototype.hasOwnProperty.call((body['device'] as Obj)['attributes'], '__proto__'));
    assert.equal(isAcceptedApplicationRequest(body), false);
    const res = applicationRequestSchema.safeParse(body);
    assert.ok(res.success);
    const parsed = parseApplicationRequest(body);
    assert.notEqual(parsed, body);
    assert.deepStrictEqual(parsed, res.data);
    assert.equal(Object.prototype.hasOwnProperty.call(parsed.device.attributes, '__proto__'), false);
  });

  it('words the common mistakes as before', () => {
    const base = syntheticApplications(1, 9)[0]!;
    const cases: [Obj, string][] = [
      [{ ...base, amount: 0.5 }, 'amount: Number must be greater than or equal to 1'],
      [{ ...base, extra: 1 }, 'extra: is not a field of this request'],
      [{ ...base, features: [] }, 'features: must be an object'],
      [{ ...base, termMonths: undefined }, 'termMonths: is required'],
    ];
    for (const [body, message] of cases) assert.throws(() => parseApplicationRequest(body), { message });
    assert.throws(() => parseApplicationRequest([]), { message: 'body: must be a JSON object' });
  });
});
