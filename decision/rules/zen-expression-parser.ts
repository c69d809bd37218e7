/**
 * Lexer and parser of zen-engine's expression language (the subset zen-expression.ts compiles), mirroring zen's own
 * standard and unary grammars: precedences, `not in`, intervals, closures with `#`, and how a unary cell (`> 5`,
 * `"a", "b"`, `[1..5]`, `$ > 2`) becomes a test of `$`. Anything outside the subset fails with {@link Unsupported}.
 */

/** Thrown inside the parser and compiler; turned into an `{ unsupported }` value at the edge (zen-expression.ts). */
export class Unsupported extends Error {}
export function fail(msg: string): never {
  throw new Unsupported(msg);
}

// ---- lexer --------------------------------------------------------------------------------------------------------

interface Tok {
  k: 'num' | 'str' | 'id' | 'op';
  v: string;
}
const WORD_OPS = new Set(['and', 'or', 'not', 'in']);
const TWO = new Set(['??', '==', '!=', '<=', '>=', '..']);
const ONE = '<>+-*/%^!?:,.()[]#';

export function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  const re = { num: /\d+(?:\.\d+)?/y, id: /[A-Za-z_$][A-Za-z0-9_$]*/y, notIn: / in(?![A-Za-z0-9_$])/y };
  let i = 0;
  const take = (r: RegExp): string | null => {
    r.lastIndex = i;
    const m = r.exec(src);
    return m ? m[0] : null;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') i++; // zen's lexer: \r and other blanks are errors; `not in` takes one space
    else if (ch === '"' || ch === "'") {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) fail('unterminated string');
      toks.push({ k: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else if (take(re.num) !== null) {
      const v = take(re.num)!;
      i += v.length;
      if (/[A-Za-z_$]/.test(src[i] ?? '')) fail(`number '${v}${src[i]}…' (exponents and _ separators are not compiled)`);
      toks.push({ k: 'num', v });
    } else if (take(re.id) !== null) {
      const v = take(re.id)!;
      i += v.length;
      const notIn = v === 'not' ? take(re.notIn) : null;
      if (notIn !== null) i += notIn.length;
      toks.push(notIn !== null ? { k: 'op', v: 'not in' } : { k: WORD_OPS.has(v) ? 'op' : 'id', v });
    } else if (TWO.has(src.slice(i, i + 2))) {
      toks.push({ k: 'op', v: src.slice(i, i + 2) });
      i += 2;
    } else if (ONE.includes(ch)) {
      toks.push({ k: 'op', v: ch });
      i++;
    } else fail(`character '${ch}' is not compiled (template strings, objects, &&/|| are outside the subset)`);
  }
  return toks;
}

// ---- parser (mirrors zen's standard and unary parsers) ------------------------------------------------------------

export type Node =
  | { t: 'num'; raw: string }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'root' }
  | { t: 'ptr' }
  | { t: 'path'; p: string }
  | { t: 'arr'; items: Node[] }
  | { t: 'range'; lo: Node; hi: Node; loOpen: boolean; hiOpen: boolean }
  | { t: 'paren'; e: Node }
  | { t: 'un'; op: 'not' | '-'; e: Node }
  | { t: 'bin'; op: string; l: Node; r: Node }
  | { t: 'cond'; c: Node; a: Node; b: Node }
  | { t: 'call'; fn: string; args: Node[] }
  | { t: 'asbool'; e: Node };

const PREC: Record<string, number> = {
  or: 10, and: 15, '==': 20, '!=': 20, '<': 20, '>': 20, '<=': 20, '>=': 20, in: 20, 'not in': 20,
  '+': 30, '-': 30, '*': 60, '/': 60, '%': 60, '^': 70, '??': 80,
};
const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=', 'in', 'not in']);
const CLOSURE_FNS = new Set(['some', 'all', 'none', 'count']);
const ROOT: Node = { t: 'root' };

export class Parser {
  private pos = 0;
  private depth = 0;
  private readonly hasRange: boolean;
  constructor(private readonly toks: Tok[], private readonly unary: boolean) {
    this.hasRange = toks.some((t) => t.k === 'op' && t.v === '..');
  }
  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) fail(`expected '${v}' at token ${this.pos + 1}`);
    this.pos++;
  }
  end(): void {
    if (this.pos < this.toks.length) fail(`unexpected '${this.toks[this.pos]!.v}' (incomplete parse)`);
  }

  /** zen `binary_expression`: precedence climbing; in unary cells `and`/`or`/`,` end an operand except at a closure body's top. */
  binary(prec: number, closureTop = false): Node {
    let left = this.prefix();
    for (let t = this.peek(); t !== undefined && t.k === 'op'; t = this.peek()) {
      if (this.unary && !closureTop && (t.v === 'and' || t.v === 'or' || t.v === ',')) break;
      const p = PREC[t.v];
      if (p === undefined || p < prec) break;
      this.pos++;
      left = { t: 'bin', op: t.v, l: left, r: this.binary(t.v === '^' ? p : p + 1) };
    }
    if (prec === 0 && this.isOp('?')) {
      this.pos++;
      const a = this.binary(0);
      this.expect(':');
      left = { t: 'cond', c: left, a, b: this.binary(0) };
    }
    return left;
  }

  private prefix(): Node {
    const t = this.peek();
    if (t === undefined) fail('unexpected end of expression');
    if (t.k === 'op' && t.v === '#' && this.depth > 0) {
      this.pos++;
      return this.noPostfix({ t: 'ptr' });
    }
    if (t.k === 'op' && (t.v === 'not' || t.v === '!' || t.v === '-' || t.v === '+')) {
      if (t.v === '+') fail('unary + is not compiled');
      this.pos++;
      return { t: 'un', op: t.v === '-' ? '-' : 'not', e: this.binary(t.v === '-' ? 200 : 50) };
    }
    if (t.k === 'op' && (t.v === '[' || t.v === '(')) {
      const range = this.hasRange ? this.interval() : null;
      if (range) return range;
      this.pos++;
      if (t.v === '[') return this.noPostfix(this.array());
      const e = this.binary(0);
      this.expect(')');
      return this.noPostfix({ t: 'paren', e });
    }
    this.pos++;
    if (t.k === 'num') return this.noPostfix({ t: 'num', raw: t.v });
    if (t.k === 'str') return this.noPostfix({ t: 'str', v: t.v });
    if (t.k === 'op') fail(`unexpected '${t.v}'`);
    if (t.v === 'true' || t.v === 'false') return this.noPostfix({ t: 'bool', v: t.v === 'true' });
    if (t.v === 'null') return this.noPostfix({ t: 'null' });
    if (this.isOp('(')) return this.noPostfix(this.call(t.v));
    if (t.v === '$') return this.noPostfix(ROOT);
    let p = t.v;
    while (this.isOp('.')) {
      this.pos++;
      const prop = this.peek();
      if (prop === undefined || prop.k !== 'id') fail(`expected a property name after '${p}.'`);
      this.pos++;
      p += `.${prop.v}`;
    }
    if (this.isOp('(')) fail(`method call '${p}(…)' is not compiled`);
    return this.noPostfix({ t: 'path', p });
  }

  private noPostfix(n: Node): Node {
    if (this.isOp('.') || this.isOp('[')) fail('member access or [index] on this value is not compiled');
    return n;
  }

  /** zen tries an interval at every bracket when the cell contains `..`, and backtracks when it is not one. */
  private interval(): Node | null {
    const [start, depth] = [this.pos, this.depth];
    const back = (): null => {
      [this.pos, this.depth] = [start, depth];
      return null;
    };
    let lo: Node;
    let hi: Node;
    try {
      this.pos++;
      lo = this.binary(0);
      this.expect('..');
      hi = this.binary(0);
    } catch (err) {
      if (err instanceof Unsupported) return back();
      throw err;
    }
    const close = this.peek();
    if (close === undefined || close.k !== 'op' || ![']', ')', '[', '('].includes(close.v)) return back();
    if (close.v === '[' || close.v === '(') fail(`interval closed by '${close.v}' is not compiled`);
    this.pos++;
    return this.noPostfix({ t: 'range', lo, hi, loOpen: this.toks[start]!.v === '(', hiOpen: close.v === ')' });
  }

  private array(): Node {
    const items: Node[] = [];
    while (!this.isOp(']')) {
      if (items.length > 0) {
        this.expect(',');
        if (this.isOp(']')) break;
      }
      items.push(this.binary(0));
    }
    this.expect(']');
    return { t: 'arr', items };
  }

  private call(fn: string): Node {
    this.expect('(');
    const args: Node[] = [];
    if (CLOSURE_FNS.has(fn)) {
      args.push(this.binary(0));
      if (this.peek()?.v === 'as') fail(`'${fn}(… as alias, …)' is not compiled`);
      this.expect(',');
      this.depth++;
      args.push(this.binary(0, true));
      this.depth--;
    } else if (fn === 'len') {
      while (!this.isOp(')')) {
        args.push(this.binary(0));
        if (!this.isOp(',')) break;
        this.pos++;
      }
    } else fail(`function '${fn}' is not compiled (only some, all, none, count, len)`);
    this.expect(')');
    return { t: 'call', fn, args };
  }

  /** zen's unary cell: tests joined by `and`, `or` and `,` (= or), left to right at one precedence. */
  unaryRoot(): Node {
    let left = this.unaryPair();
    while (this.pos < this.toks.length) {
      const t = this.peek()!;
      if (t.k !== 'op' || !['and', 'or', ','].includes(t.v)) fail(`invalid join '${t.v}' in a unary cell`);
      this.pos++;
      left = { t: 'bin', op: t.v === 'and' ? 'and' : 'or', l: left, r: this.unaryPair() };
    }
    return left;
  }

  private unaryPair(): Node {
    const lead = (): boolean => this.peek()?.k === 'op' && COMPARISONS.has(this.peek()!.v);
    const left = lead() ? ROOT : this.binary(0);
    if (lead()) {
      const op = this.peek()!.v;
      this.pos++;
      return { t: 'bin', op, l: left, r: this.binary(0) };
    }
    const how = behaviour(left);
    return how === 'bool' ? { t: 'asbool', e: left } : { t: 'bin', op: how === 'in' ? 'in' : '==', l: ROOT, r: left };
  }
}

/** zen's `UnaryNodeBehaviour`: compare `$` with the value (==), test membership (in), or take the cell as a boolean. */
function behaviour(n: Node): '==' | 'in' | 'bool' {
  switch (n.t) {
    case 'arr':
    case 'range':
      return 'in';
    case 'ptr':
    case 'asbool':
      return 'bool';
    case 'paren':
    case 'un':
      return behaviour(n.e);
    case 'cond': {
      const a = behaviour(n.a);
      return a === behaviour(n.b) ? a : '==';
    }
    case 'bin': {
      if (PREC[n.op]! >= 30 && n.op !== '??') {
        const a = behaviour(n.l);
        return a === behaviour(n.r) ? a : '==';
      }
      return 'bool';
    }
    case 'call':
      return n.fn === 'len' || n.fn === 'count' ? '==' : 'bool';
    default:
      return '==';
  }
}

