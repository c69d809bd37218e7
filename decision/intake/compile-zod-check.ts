/**
 * A zod v3 schema compiled into a plain predicate, so the hot path can accept a valid request without zod's per-call
 * allocations (contexts, issue lists, a fresh copy of every object) while the schema stays the only definition of
 * the request: /openapi.json is generated from it and every rejection is still explained by zod itself.
 *
 * The predicate is one-sided on purpose. It answers true only when zod would accept the value AND zod's output would
 * be the value itself (same keys, same primitives, nested objects structurally equal and with the same prototype), so
 * a caller may return the input unchanged. Whenever that cannot be shown it answers false and the caller asks zod,
 * which stays the authority: a false is never wrong, only slower. For JSON-parsed values the two verdicts agree
 * except where zod would change the value: a record key `__proto__`, which zod drops. (Objects with a null prototype
 * are also left to zod, which copies them onto Object.prototype; JSON.parse never makes one.)
 *
 * Only the schema kinds read below are understood. Anything else (another type, a string format, a transform, a
 * default, a coercion, a refinement nobody vouched for, a subclass) makes compilation throw instead of guessing.
 */
import { z } from 'zod';

/** zod accepts the value and its output is the value itself. */
const ACCEPT = 0;
/** zod rejects the value. */
const REJECT = 1;
/** Not decided here (zod may accept but return something else, e.g. a copy of a class instance): ask zod. */
const DEFER = 2;
type Verdict = typeof ACCEPT | typeof REJECT | typeof DEFER;
type NodeCheck = (value: unknown) => Verdict;

/** A refinement the compiler may trust, and a predicate that is true exactly when that refinement adds no issue. */
export type TrustedRefinement = readonly [schema: z.ZodTypeAny, predicate: (value: unknown) => boolean];

export interface CompileZodCheckOptions {
  /**
   * Refinements (`z.custom(fn)`, `.refine(fn)`) are closures the compiler cannot read, so each one it meets must be
   * vouched for here with a predicate equal to it; ideally the very function the schema was built from. Matched by
   * the refinement itself, so a `.describe()` copy of the registered schema matches too.
   */
  refinements?: readonly TrustedRefinement[];
}

/** Why a schema could not be compiled; the caller should keep validating with zod alone. */
export class UnsupportedZodSchemaError extends Error {
  constructor(what: string, path: readonly string[]) {
    super(`compileZodCheck: ${what} at ${path.length > 0 ? path.join('.') : '(root)'} is not supported`);
    this.name = 'UnsupportedZodSchemaError';
  }
}

/**
 * Compiles `schema` into a predicate that is true only when zod accepts the value and would return it unchanged
 * (see the module comment); throws UnsupportedZodSchemaError for any part of the schema it does not understand.
 */
export function compileZodCheck<S extends z.ZodTypeAny>(
  schema: S,
  options: CompileZodCheckOptions = {},
): (value: unknown) => value is z.output<S> {
  const trusted = new Map<unknown, (value: unknown) => boolean>();
  for (const [refined, predicate] of options.refinements ?? []) {
    const effect = refinementEffect(refined);
    if (effect === null) throw new UnsupportedZodSchemaError('a trusted refinement that is not a zod refinement', []);
    trusted.set(effect, predicate);
  }
  const check = compileNode(schema, [], trusted);
  return (value: unknown): value is z.output<S> => check(value) === ACCEPT;
}

function refinementEffect(schema: z.ZodTypeAny): unknown {
  if (!isExactly(schema, z.ZodEffects)) return null;
  const def = schema._def as z.ZodEffectsDef;
  return def.effect.type === 'refinement' ? def.effect : null;
}

/** The class itself, not a subclass that might parse differently, nor another copy of zod. */
function isExactly(schema: unknown, cls: abstract new (...args: never[]) => unknown): boolean {
  return typeof schema === 'object' && schema !== null && Object.getPrototypeOf(schema) === cls.prototype;
}

const KINDS = {
  ZodString: z.ZodString,
  ZodNumber: z.ZodNumber,
  ZodBoolean: z.ZodBoolean,
  ZodObject: z.ZodObject,
  ZodRecord: z.ZodRecord,
  ZodOptional: z.ZodOptional,
  ZodUnion: z.ZodUnion,
  ZodEffects: z.ZodEffects,
  ZodAny: z.ZodAny,
  ZodUnknown: z.ZodUnknown,
} as const;

function compileNode(schema: z.ZodTypeAny, path: readonly string[], trusted: ReadonlyMap<unknown, (value: unknown) => boolean>): NodeCheck {
  const def: unknown = typeof schema === 'object' && schema !== null ? (schema as { _def?: unknown })._def : undefined;
  const typeName: unknown = typeof def === 'object' && def !== null ? (def as { typeName?: unknown }).typeName : undefined;
  if (typeof typeName !== 'string' || !Object.prototype.hasOwnProperty.call(KINDS, typeName)) {
    throw new UnsupportedZodSchemaError(typeof typeName === 'string' ? typeName : 'a value that is not a zod v3 schema', path);
  }
  const kind = typeName as keyof typeof KINDS;
  if (!isExactly(schema, KINDS[kind])) throw new UnsupportedZodSchemaError(`a subclass of ${kind}`, path);
  switch (kind) {
    case 'ZodString':
      return compileString(schema._def as z.ZodStringDef, path);
    case 'ZodNumber':
      return compileNumber(schema._def as z.ZodNumberDef, path);
    case 'ZodBoolean':
      if ((schema._def as z.ZodBooleanDef).coerce) throw new UnsupportedZodSchemaError('z.coerce.boolean', path);
      return (v) => (typeof v === 'boolean' ? ACCEPT : REJECT);
    case 'ZodAny':
    case 'ZodUnknown':
      return () => ACCEPT;
    case 'ZodOptional': {
      const inner = compileNode((schema._def as z.ZodOptionalDef).innerType, path, trusted);
      return (v) => (v === undefined ? ACCEPT : inner(v));
    }
    case 'ZodUnion':
      return compileUnion((schema._def as z.ZodUnionDef).options, path, trusted);
    case 'ZodObject':
      return compileObject(schema._def as z.ZodObjectDef, path, trusted);
    case 'ZodRecord':
      return compileRecord(schema._def as z.ZodRecordDef, path, trusted);
    case 'ZodEffects':
      return compileEffects(schema._def as z.ZodEffectsDef, path, trusted);
  }
}

function compileString(def: z.ZodStringDef, path: readonly string[]): NodeCheck {
  if (def.coerce) throw new UnsupportedZodSchemaError('z.coerce.string', path);
  let min = 0;
  let max = Infinity;
  for (const check of def.checks) {
    if (check.kind === 'min') min = Math.max(min, check.value);
    else if (check.kind === 'max') max = Math.min(max, check.value);
    else if (check.kind === 'length') {
      min = Math.max(min, check.value);
      max = Math.min(max, check.value);
    } else throw new UnsupportedZodSchemaError(`the string check "${check.kind}"`, path);
  }
  if (Number.isNaN(min) || Number.isNaN(max)) throw new UnsupportedZodSchemaError('a NaN string length bound', path);
  return (v) => (typeof v === 'string' && v.length >= min && v.length <= max ? ACCEPT : REJECT);
}

function compileNumber(def: z.ZodNumberDef, path: readonly string[]): NodeCheck {
  if (def.coerce) throw new UnsupportedZodSchemaError('z.coerce.number', path);
  let int = false;
  let finite = false;
  const mins: { value: number; inclusive: boolean }[] = [];
  const maxs: { value: number; inclusive: boolean }[] = [];
  for (const check of def.checks) {
    if (check.kind === 'int') int = true;
    else if (check.kind === 'finite') finite = true;
    else if (check.kind === 'min') mins.push({ value: check.value, inclusive: check.inclusive });
    else if (check.kind === 'max') maxs.push({ value: check.value, inclusive: check.inclusive });
    else throw new UnsupportedZodSchemaError(`the number check "${check.kind}"`, path);
  }
  return (v) => {
    // zod's parsed type "number" excludes NaN (its type is "nan"); the checks below are zod's own comparisons.
    if (typeof v !== 'number' || Number.isNaN(v)) return REJECT;
    if (int && !Number.isInteger(v)) return REJECT;
    if (finite && !Number.isFinite(v)) return REJECT;
    for (const m of mins) if (m.inclusive ? v < m.value : v <= m.value) return REJECT;
    for (const m of maxs) if (m.inclusive ? v > m.value : v >= m.value) return REJECT;
    return ACCEPT;
  };
}

/**
 * zod's parsed type "object", for a value zod would return as an equal object. Arrays, null and promise-likes are
 * rejected as zod rejects them; an object with any prototype but Object.prototype (null-prototype objects, class
 * instances, Map, Date) is left to zod, whose output would be a copy with Object.prototype, or a rejection.
 */
function plainObjectVerdict(v: unknown): Verdict {
  if (typeof v !== 'object' || v === null) return REJECT;
  if (Object.getPrototypeOf(v) !== Object.prototype) return Array.isArray(v) ? REJECT : DEFER;
  const o = v as { then?: unknown; catch?: unknown };
  if (typeof o.then === 'function' && typeof o.catch === 'function') return REJECT;
  return ACCEPT;
}

function compileObject(def: z.ZodObjectDef, path: readonly string[], trusted: ReadonlyMap<unknown, (value: unknown) => boolean>): NodeCheck {
  if (def.unknownKeys !== 'strict') throw new UnsupportedZodSchemaError(`a ${String(def.unknownKeys)} object (only .strict() objects return their input)`, path);
  if (!isExactly(def.catchall, z.ZodNever)) throw new UnsupportedZodSchemaError('an object with .catchall()', path);
  const shape = def.shape();
  const keys = Object.keys(shape);
  for (const key of keys) {
    // zod reads `data[key]`, inherited values included, and never writes `__proto__`: such keys cannot be mirrored.
    if (key === '__proto__' || key in Object.prototype) throw new UnsupportedZodSchemaError(`the object key "${key}"`, path);
  }
  const checks = keys.map((key) => compileNode(shape[key]!, [...path, key], trusted));
  const known = new Set(keys);
  const n = keys.length;
  return (v) => {
    let verdict = plainObjectVerdict(v);
    if (verdict !== ACCEPT) return verdict;
    const o = v as Record<string, unknown>;
    // zod lists unknown keys with for-in (own and inherited enumerable ones): strict objects refuse any.
    for (const key in o) if (!known.has(key)) return REJECT;
    for (let i = 0; i < n; i++) {
      const r = checks[i]!(o[keys[i]!]);
      if (r === REJECT) return REJECT;
      if (r === DEFER) verdict = DEFER;
    }
    return verdict;
  };
}

function compileRecord(def: z.ZodRecordDef, path: readonly string[], trusted: ReadonlyMap<unknown, (value: unknown) => boolean>): NodeCheck {
  if (!isExactly(def.keyType, z.ZodString)) throw new UnsupportedZodSchemaError('a record key type other than z.string()', path);
  const keyCheck = (def.keyType._def as z.ZodStringDef).checks.length > 0 ? compileNode(def.keyType, [...path, '(key)'], trusted) : null;
  const valueCheck = compileNode(def.valueType, [...path, '(value)'], trusted);
  const hasOwn = Object.prototype.hasOwnProperty;
  return (v) => {
    let verdict = plainObjectVerdict(v);
    if (verdict !== ACCEPT) return verdict;
    const o = v as Record<string, unknown>;
    for (const key in o) {
      const r = keyCheck !== null && keyCheck(key) === REJECT ? REJECT : valueCheck(o[key]);
      if (r === REJECT) return REJECT;
      // zod drops a `__proto__` key and copies inherited ones into its output: not the input any more.
      if (r === DEFER || key === '__proto__' || !hasOwn.call(o, key)) verdict = DEFER;
    }
    return verdict;
  };
}

function compileUnion(options: readonly z.ZodTypeAny[], path: readonly string[], trusted: ReadonlyMap<unknown, (value: unknown) => boolean>): NodeCheck {
  const checks = options.map((option, i) => compileNode(option, [...path, `(option ${i})`], trusted));
  return (v) => {
    // zod returns the first option that accepts: an undecided option before it leaves the output undecided too.
    for (const check of checks) {
      const r = check(v);
      if (r !== REJECT) return r;
    }
    return REJECT;
  };
}

function compileEffects(def: z.ZodEffectsDef, path: readonly string[], trusted: ReadonlyMap<unknown, (value: unknown) => boolean>): NodeCheck {
  if (def.effect.type !== 'refinement') throw new UnsupportedZodSchemaError(`a ${def.effect.type} effect (it changes the value)`, path);
  const predicate = trusted.get(def.effect);
  if (predicate === undefined) throw new UnsupportedZodSchemaError('a refinement not listed in options.refinements', path);
  const inner = compileNode(def.schema, path, trusted);
  return (v) => {
    const r = inner(v);
    if (r !== ACCEPT) return r;
    return predicate(v) ? ACCEPT : REJECT;
  };
}
