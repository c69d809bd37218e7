import type { RulesContext } from '../pipeline/decision-types.js';
import { fail, lex, Parser, Unsupported, type Node } from './zen-expression-parser.js';

/**
 * A typed compiler for the common subset of zen-engine's expression language (`@gorules/zen-engine` 0.54), to plain
 * JavaScript closures. zen-engine fails a cell at run time on a type mismatch (`null > 5`, `not 1`, `1 and true`) and
 * a failed cell silently skips its row; a JavaScript rewrite that did something else there would quietly change
 * decisions. So every expression is type-checked against the {@link RulesContext} shape and anything that could fail
 * in zen for SOME context, or whose value could differ from zen's decimal arithmetic, is refused (a reason string),
 * never guessed at. The parser mirrors zen's grammar (precedences, unary-cell rules); all behaviours below were
 * probed against zen-engine itself (see jdm-compiler.test.ts).
 */

/** Value types: `int` is a whole number (JS doubles and zen decimals agree exactly on whole-number + - * % below 2^53);
 * `quot` a quotient (number, or null on division by zero) that may only be output: comparing it could differ from
 * zen's 28-digit decimal. `n` marks a value that may be null. */
export type Base = 'bool' | 'int' | 'num' | 'str' | 'null' | 'quot' | 'arr';
export interface ValueType {
  readonly b: Base;
  readonly n: boolean;
  readonly el?: ValueType;
}
/** A compiled expression: `dollar` is `$` (the column value of a unary cell), `element` is `#` inside a closure. */
export type ExprFn = (ctx: RulesContext, dollar: unknown, element: unknown) => unknown;
/** An expression compiled and type-checked: its closure and the type of what it returns. */
export interface CompiledExpr {
  fn: ExprFn;
  type: ValueType;
}
/** A compiled expression, or why it stays with zen-engine (a value, not an exception: the caller falls back). */
export type ExprResult = CompiledExpr | { unsupported: string };

const ty = (b: Base, n = false, el?: ValueType): ValueType => (el ? { b, n, el } : { b, n });
const BOOL = ty('bool');
const INT = ty('int');
const STR = ty('str');
const NULL = ty('null', true);

/** The tag each RulesContext field must carry; tsc rejects the table below when RulesContext changes. Whole numbers
 * are counts or fields the intake schema declares `.int()`; amount, score and probabilities are any number. */
type Tag<V> = [V] extends [boolean] ? 'bool' : [V] extends [number] ? 'int' | 'num' : [V] extends [number | null] ? 'int?' | 'num?'
  : [V] extends [string] ? 'str' : [V] extends [readonly string[]] ? 'str[]' : never;
const CONTEXT: { [S in keyof RulesContext]: { [F in keyof RulesContext[S]]-?: Tag<RulesContext[S][F]> } } = {
  application: { amount: 'num', termMonths: 'int' },
  device: { deviceId: 'str', emulator: 'bool', root: 'bool', hook: 'bool', proxy: 'bool', vpn: 'bool', botLike: 'bool', blacklisted: 'bool' },
  applicant: { blacklisted: 'bool', whitelisted: 'bool', blacklistKinds: 'str[]' },
  velocity: { applications1h: 'int', applications24h: 'int', applications30d: 'int' },
  linkage: { applicantsPerDevice30d: 'int', applicantsPerPhone30d: 'int', applicantsPerIp30d: 'int', clusterSize: 'int' },
  behaviour: { formFillSeconds: 'num?', pasteEvents: 'int?', screenSwitches: 'int?' },
  model: { probabilityOfDefault: 'num', score: 'num', grade: 'str' },
};
const PATHS = new Map<string, ValueType>();
for (const [section, fields] of Object.entries(CONTEXT)) {
  for (const [field, tag] of Object.entries(fields as Record<string, string>)) {
    const t = tag === 'str[]' ? ty('arr', false, STR) : ty(tag.replace('?', '') as Base, tag.endsWith('?'));
    PATHS.set(`${section}.${field}`, t);
  }
}

/** Human name of a type, for refusal messages. */
export function describeType(t: ValueType): string {
  const name = { bool: 'boolean', int: 'whole number', num: 'number', str: 'string', null: 'null', quot: 'quotient', arr: 'list' }[t.b];
  return t.n && t.b !== 'null' && t.b !== 'quot' ? `nullable ${name}` : name;
}

// ---- type check and compile ---------------------------------------------------------------------------------------

interface Env {
  dollar?: ValueType | undefined;
  el?: ValueType | undefined;
}
type Rec = Record<string, Record<string, unknown>>;

const isNum = (t: ValueType): boolean => t.b === 'int' || t.b === 'num';
const isScalar = (t: ValueType): boolean => t.b !== 'arr' && t.b !== 'quot';
const constant = (v: unknown, type: ValueType): CompiledExpr => ({ type, fn: () => v });

function canonical(s: string): string {
  const [int = '', frac = ''] = s.split('.');
  const f = frac.replace(/0+$/, '');
  return (int.replace(/^0+(?=\d)/, '') || '0') + (f ? `.${f}` : '');
}

/** A number literal must equal a double exactly as zen's decimal sees it (contexts reach zen as shortest round-trip
 * text, so a literal that is the shortest text of its double compares in zen exactly as the double does in JS). */
function numberValue(raw: string): number {
  const v = Number(raw);
  if (!(Math.abs(v) <= Number.MAX_SAFE_INTEGER) || (v !== 0 && Math.abs(v) < 1e-6) || canonical(raw) !== canonical(String(v))) {
    fail(`number literal ${raw} is not exactly representable as a JavaScript number (zen compares it as a decimal)`);
  }
  return v;
}
const numType = (v: number): ValueType => (Number.isInteger(v) ? INT : ty('num'));

/** A literal list element or interval bound: number (optionally negated), string, boolean, null. */
function literal(n: Node): { v: unknown; type: ValueType } | null {
  if (n.t === 'paren') return literal(n.e);
  const neg = n.t === 'un' && n.op === '-' && n.e.t === 'num';
  const raw = n.t === 'num' ? n.raw : neg && n.e.t === 'num' ? n.e.raw : null;
  if (raw !== null) {
    const v = numberValue(raw);
    return { v: neg ? 0 - v : v, type: numType(v) };
  }
  if (n.t === 'str' || n.t === 'bool') return { v: n.v, type: n.t === 'str' ? STR : BOOL };
  return n.t === 'null' ? { v: null, type: NULL } : null;
}

function join(a: ValueType, b: ValueType): ValueType | null {
  if (a.b === 'null') return b.b === 'arr' ? null : ty(b.b, true);
  if (b.b === 'null') return a.b === 'arr' ? null : ty(a.b, true);
  if (a.b === 'arr' || b.b === 'arr') return null;
  if (a.b === b.b) return ty(a.b, a.n || b.n);
  return isNum(a) && isNum(b) ? ty('num', a.n || b.n) : null;
}

function need(c: CompiledExpr, ok: (t: ValueType) => boolean, what: string, op: string): CompiledExpr {
  if (!ok(c.type)) fail(`'${op}' needs ${what}, got a ${describeType(c.type)} (zen would fail or answer differently)`);
  return c;
}
const bool = (c: CompiledExpr, op: string): CompiledExpr => need(c, (t) => t.b === 'bool' && !t.n, 'a boolean', op);
const int = (c: CompiledExpr, op: string): CompiledExpr => need(c, (t) => t.b === 'int' && !t.n, 'whole numbers (decimal and double arithmetic differ on fractions)', op);
const num = (c: CompiledExpr, op: string): CompiledExpr => need(c, (t) => isNum(t) && !t.n, 'non-null numbers', op);

/** Whole-number arithmetic; a context breaking the whole-number contract throws instead of answering unlike zen. */
function arith(op: string, l: ExprFn, r: ExprFn): ExprFn {
  const f = op === '+' ? (x: number, y: number) => x + y : op === '-' ? (x: number, y: number) => x - y
    : op === '*' ? (x: number, y: number) => x * y : (x: number, y: number) => x % y;
  return (c, d, e) => {
    const x = l(c, d, e) as number;
    const y = r(c, d, e) as number;
    const v = f(x, y);
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || !Number.isSafeInteger(v)) {
      throw new RangeError(`jdm: '${op}' on ${x} and ${y}: the rules context broke its whole-number contract`);
    }
    return v + 0;
  };
}

function list(n: Node, env: Env, op: string): CompiledExpr {
  if (n.t === 'paren') return list(n.e, env, op);
  if (n.t !== 'arr') return need(compile(n, env), (t) => t.b === 'arr', 'a list', op);
  const items = n.items.map((i) => literal(i) ?? fail(`'${op}' lists must hold literals only`));
  let el: ValueType | null | undefined = items[0]?.type ?? NULL;
  for (const i of items) el = el && join(el, i.type);
  const values = items.map((i) => i.v);
  return { type: el ? ty('arr', false, el) : ty('arr'), fn: () => values };
}

function compileBinary(n: Extract<Node, { t: 'bin' }>, env: Env): CompiledExpr {
  const { op } = n;
  if (op === 'in' || op === 'not in') {
    const x = need(compile(n.l, env), isScalar, 'a single value on its left', op);
    const neg = op === 'not in';
    let rhs = n.r;
    while (rhs.t === 'paren') rhs = rhs.e;
    if (rhs.t === 'range') {
      num(x, op);
      const lo = literal(rhs.lo);
      const hi = literal(rhs.hi);
      if (!lo || !hi || !isNum(lo.type) || !isNum(hi.type)) fail('interval bounds must be number literals');
      const [a, b, ao, bo, xf] = [lo.v as number, hi.v as number, rhs.loOpen, rhs.hiOpen, x.fn];
      return { type: BOOL, fn: (c, d, e) => {
        const v = xf(c, d, e) as number;
        return ((ao ? v > a : v >= a) && (bo ? v < b : v <= b)) !== neg;
      } };
    }
    const arr = list(rhs, env, op).fn;
    const xf = x.fn;
    return { type: BOOL, fn: (c, d, e) => (arr(c, d, e) as unknown[]).includes(xf(c, d, e)) !== neg };
  }
  const l = compile(n.l, env);
  const r = compile(n.r, env);
  const [lf, rf] = [l.fn, r.fn];
  switch (op) {
    case 'and':
    case 'or':
      bool(l, op);
      bool(r, op);
      return { type: BOOL, fn: op === 'and' ? (c, d, e) => (lf(c, d, e) as boolean) && (rf(c, d, e) as boolean) : (c, d, e) => (lf(c, d, e) as boolean) || (rf(c, d, e) as boolean) };
    case '==':
    case '!=': {
      need(l, isScalar, 'single values', op);
      need(r, isScalar, 'single values', op);
      return { type: BOOL, fn: op === '==' ? (c, d, e) => lf(c, d, e) === rf(c, d, e) : (c, d, e) => lf(c, d, e) !== rf(c, d, e) };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      num(l, op);
      num(r, op);
      const cmp: Record<string, (x: number, y: number) => boolean> = { '<': (x, y) => x < y, '<=': (x, y) => x <= y, '>': (x, y) => x > y, '>=': (x, y) => x >= y };
      const f = cmp[op]!;
      return { type: BOOL, fn: (c, d, e) => f(lf(c, d, e) as number, rf(c, d, e) as number) };
    }
    case '??': {
      if (l.type.b === 'null') return r;
      if (!l.type.n) return l;
      const type = join(ty(l.type.b, false), r.type) ?? fail(`'??' joins a ${describeType(l.type)} with a ${describeType(r.type)}`);
      return { type, fn: (c, d, e) => lf(c, d, e) ?? rf(c, d, e) };
    }
    case '+':
      if (l.type.b === 'str' && !l.type.n && r.type.b === 'str' && !r.type.n) return { type: STR, fn: (c, d, e) => (lf(c, d, e) as string) + (rf(c, d, e) as string) };
      return { type: INT, fn: arith(op, int(l, op).fn, int(r, op).fn) };
    case '-':
    case '*':
      return { type: INT, fn: arith(op, int(l, op).fn, int(r, op).fn) };
    case '%': {
      const divisor = literal(n.r);
      if (!divisor || divisor.type.b !== 'int' || divisor.v === 0) fail("'%' needs a non-zero whole-number literal divisor (zen aborts the process on % 0)");
      return { type: INT, fn: arith(op, int(l, op).fn, rf) };
    }
    case '/':
      int(l, op);
      int(r, op);
      return { type: ty('quot', true), fn: (c, d, e) => {
        const y = rf(c, d, e) as number;
        return y === 0 ? null : (lf(c, d, e) as number) / y + 0;
      } };
    default:
      return fail(`operator '${op}' is not compiled`);
  }
}

function compile(n: Node, env: Env): CompiledExpr {
  switch (n.t) {
    case 'num': {
      const v = numberValue(n.raw);
      return constant(v, numType(v));
    }
    case 'str':
      return constant(n.v, STR);
    case 'bool':
      return constant(n.v, BOOL);
    case 'null':
      return constant(null, NULL);
    case 'paren':
      return compile(n.e, env);
    case 'asbool':
      return bool(compile(n.e, env), 'a unary cell');
    case 'root':
      return env.dollar ? { type: env.dollar, fn: (_c, d) => d } : fail("'$' is only compiled in cells of an input column with a field");
    case 'ptr':
      return env.el ? { type: env.el, fn: (_c, _d, e) => e } : fail("'#' outside a closure");
    case 'path': {
      const type = PATHS.get(n.p) ?? fail(`unknown path '${n.p}' (not a field of the rules context)`);
      const [s, f] = n.p.split('.') as [string, string];
      return { type, fn: (c) => (c as unknown as Rec)[s]![f] };
    }
    case 'arr':
      return fail('a list literal is only compiled after in / not in or as the list of some, all, none, count, len');
    case 'range':
      return fail('an interval is only compiled after in / not in');
    case 'un': {
      const x = compile(n.e, env);
      const xf = x.fn;
      if (n.op === 'not') {
        bool(x, 'not');
        return { type: BOOL, fn: (c, d, e) => !(xf(c, d, e) as boolean) };
      }
      num(x, '-');
      return { type: x.type, fn: (c, d, e) => 0 - (xf(c, d, e) as number) };
    }
    case 'bin':
      return compileBinary(n, env);
    case 'cond': {
      const cf = bool(compile(n.c, env), '?').fn;
      const a = compile(n.a, env);
      const b = compile(n.b, env);
      const type = join(a.type, b.type) ?? fail(`'? :' branches differ: ${describeType(a.type)} and ${describeType(b.type)}`);
      const [af, bf] = [a.fn, b.fn];
      return { type, fn: (c, d, e) => (cf(c, d, e) ? af(c, d, e) : bf(c, d, e)) };
    }
    case 'call': {
      if (n.fn === 'len') {
        if (n.args.length !== 1) fail('len takes one argument');
        const af = list(n.args[0]!, env, 'len').fn;
        return { type: INT, fn: (c, d, e) => (af(c, d, e) as unknown[]).length };
      }
      const arr = list(n.args[0]!, env, n.fn);
      if (!arr.type.el) fail(`${n.fn}: list elements of different types`);
      const pred = bool(compile(n.args[1]!, { ...env, el: arr.type.el }), `${n.fn} predicate`).fn;
      const af = arr.fn;
      if (n.fn === 'count') {
        return { type: INT, fn: (c, d, e) => {
          const a = af(c, d, e) as unknown[];
          let k = 0;
          for (let i = 0; i < a.length; i++) if (pred(c, d, a[i])) k++;
          return k;
        } };
      }
      // some stops on true (true), none on true (false), all on false (false); an empty list: some false, others true.
      const stop = n.fn !== 'all';
      const onStop = n.fn === 'some';
      return { type: BOOL, fn: (c, d, e) => {
        const a = af(c, d, e) as unknown[];
        for (let i = 0; i < a.length; i++) if (pred(c, d, a[i]) === stop) return onStop;
        return !onStop;
      } };
    }
  }
}

function run(src: string, unary: boolean, dollar: ValueType | undefined): ExprResult {
  try {
    const p = new Parser(lex(src), unary);
    const root = unary ? p.unaryRoot() : p.binary(0);
    p.end();
    const c = compile(root, { dollar });
    return { fn: c.fn, type: c.type };
  } catch (err) {
    if (err instanceof Unsupported) return { unsupported: err.message };
    throw err;
  }
}

/** Compiles a standard zen expression (a condition cell, an output cell, a column field); `$` is not available. */
export function compileZenExpression(src: string): ExprResult {
  return run(src, false, undefined);
}

/** Compiles a zen unary cell (`> 5`, `"a", "b"`, `[1..5]`, `$ > 2`) against `$` of the given type; the result is boolean. */
export function compileZenUnary(src: string, dollar: ValueType): ExprResult {
  const r = run(src, true, dollar);
  return 'fn' in r && (r.type.b !== 'bool' || r.type.n) ? { unsupported: 'a unary cell must be boolean' } : r;
}
