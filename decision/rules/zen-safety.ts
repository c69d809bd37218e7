/**
 * Limits that keep zen-engine from taking the whole service down. zen-engine 0.54 does not return an error for some
 * inputs: it aborts the Node process (a Rust panic that cannot unwind across its native binding). Measured here:
 * a context number with more than 28 decimal places (`1e-30`, a model probability that underflowed) or of 7.9e28 or
 * more, `%` by zero, and decimal overflow in `*` or `^`. A lender's app controls some context numbers (the amount,
 * behaviour timings) and a risk operator writes the expressions, so neither may reach zen-engine unchecked:
 *
 * - {@link safeRulesContext}: every number of a rules context is clamped to +-1e9 and rounded to 10 decimal places
 *   before any evaluation (compiled or zen-engine, so the two stay identical). No rule needs more: amounts are at most
 *   1e6, probabilities and scores are compared with thresholds of a few decimals.
 * - {@link checkZenSafety}: before zen-engine sees a document, every expression is scanned: `^` is refused; `%` must
 *   be followed by a number literal >= 1; an expression holds at most one `*` or `/` (with operands of at most 1e9 and
 *   divisors rounded to 1e-10, one product or quotient stays below 1e19, far from the limit); number literals above
 *   1e9 are refused. Anything else zen-engine evaluates returns errors, not aborts (it was probed, not assumed).
 */
import { invalid } from '../../common/errors.js';
import type { RulesContext } from '../pipeline/decision-types.js';
import type { JdmDocument } from './jdm-check.js';

/** Largest magnitude of a number in a rules context or a rule's literal. */
export const RULES_NUMBER_LIMIT = 1e9;
const DECIMALS = 1e10;

function safeNumber(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const clamped = Math.max(-RULES_NUMBER_LIMIT, Math.min(RULES_NUMBER_LIMIT, x));
  const r = Number.isInteger(clamped) ? clamped : Math.round(clamped * DECIMALS) / DECIMALS;
  return r === 0 ? 0 : r; // never -0
}

/** `v` itself where nothing in it changes, else a copy (this runs on every decision: copy only what differs). */
function safeValue(v: unknown): unknown {
  if (typeof v === 'number') return safeNumber(v);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const y = safeValue(x);
      if (y !== x || Object.is(x, -0)) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  if (typeof v === 'object' && v !== null) {
    let out: Record<string, unknown> | null = null;
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const x = (v as Record<string, unknown>)[k];
      const y = safeValue(x);
      if (y !== x || Object.is(x, -0)) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/** A copy of `ctx` whose numbers zen-engine can hold (see the file comment); strings, booleans and nulls unchanged. */
export function safeRulesContext(ctx: RulesContext): RulesContext {
  return safeValue(ctx) as RulesContext;
}

/** Every expression of a document with the path an operator would fix it at. */
export function documentExpressions(doc: JdmDocument): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  doc.nodes.forEach((node, i) => {
    const base = `rules.nodes[${i}].content`;
    const c = node.content;
    if (node.type === 'expressionNode' || node.type === 'switchNode') {
      const key = node.type === 'expressionNode' ? 'expressions' : 'statements';
      const items = Array.isArray(c[key]) ? (c[key] as Record<string, unknown>[]) : [];
      items.forEach((item, k) => {
        const text = item['value'] ?? item['condition'];
        if (typeof text === 'string') out.push({ path: `${base}.${key}[${k}]`, text });
      });
    } else if (node.type === 'decisionTableNode' && Array.isArray(c['rules'])) {
      (c['rules'] as Record<string, unknown>[]).forEach((rule, j) => {
        for (const [col, cell] of Object.entries(rule)) {
          if (!col.startsWith('_') && typeof cell === 'string') out.push({ path: `${base}.rules[${j}].${col}`, text: cell });
        }
      });
    }
  });
  return out;
}

interface Tok {
  kind: 'num' | 'op' | 'other';
  text: string;
}

/** Numbers and operators of an expression, with string literals (any quote) skipped. */
function scan(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      i++;
      while (i < text.length && text[i] !== ch) i += text[i] === '\\' ? 2 : 1;
      i++;
      toks.push({ kind: 'other', text: 'string' });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      toks.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$#]/.test(ch)) {
      const m = /^[A-Za-z_$#][A-Za-z0-9_$#]*/.exec(text.slice(i))!;
      toks.push({ kind: 'other', text: m[0] });
      i += m[0].length;
    } else if (/\s/.test(ch)) {
      i++;
    } else {
      toks.push({ kind: 'op', text: ch });
      i++;
    }
  }
  return toks;
}

function literal(t: Tok | undefined): number | null {
  return t?.kind === 'num' ? Number(t.text.replace(/_/g, '')) : null;
}

/** Refuses (INVALID_ARGUMENT naming the cell) any expression that could abort the process inside zen-engine. */
export function checkZenSafety(doc: JdmDocument): void {
  for (const { path, text } of documentExpressions(doc)) {
    const toks = scan(text);
    let products = 0;
    toks.forEach((t, k) => {
      if (t.kind === 'num') {
        const v = literal(t);
        if (v === null || !Number.isFinite(v) || Math.abs(v) > RULES_NUMBER_LIMIT) {
          throw invalid(path, `${JSON.stringify(text)}: number ${t.text} is outside +-${RULES_NUMBER_LIMIT} (zen-engine limits)`);
        }
        return;
      }
      if (t.kind !== 'op') return;
      const next = literal(toks[k + 1]);
      if (t.text === '^') throw invalid(path, `${JSON.stringify(text)}: '^' is not allowed in rules (zen-engine aborts on decimal overflow)`);
      if (t.text === '%' && (next === null || next < 1)) {
        throw invalid(path, `${JSON.stringify(text)}: '%' must be followed by a number literal >= 1 (zen-engine aborts on % 0)`);
      }
      if (t.text === '*' || t.text === '/') {
        products++;
        if (products > 1) throw invalid(path, `${JSON.stringify(text)}: at most one '*' or '/' per expression (zen-engine aborts on decimal overflow)`);
      }
    });
  }
}
