import type { RulesContext } from '../pipeline/decision-types.js';
import type { JdmDocument, JdmNode } from './jdm-check.js';
import { compileZenExpression, compileZenUnary, type CompiledExpr, type ExprFn, type ExprResult } from './zen-expression.js';

/**
 * Compiles the common subset of JDM (one decision table between the input and the output node) to a plain synchronous
 * JavaScript function. zen-engine costs ~150 us of CPU per async native call on the hot path; the compiled closures
 * cost a few property reads per rule. The compiled function returns EXACTLY what zen-engine 0.54's
 * `(await decision.evaluate(ctx)).result` returns; anything outside the subset, or any cell that could fail or
 * answer differently in zen for some context, is refused with a reason so the caller keeps zen-engine for it.
 *
 * zen-engine behaviours mirrored here (probed on 0.54, kept by jdm-compiler.test.ts):
 * - collect: an array of row objects in rule order (`[]` when nothing matches); first: the first row object, `{}`
 *   when nothing matches. A non-blank `outputPath` (`a.b`) nests that value: `{a: {b: value}}` — except that a
 *   first-hit table with no match answers `{}` even then. A blank `outputPath` is no path.
 * - A row object holds one key per non-blank output cell; a dotted field nests (`y.z` -> `{y: {z: ...}}`), no
 *   intermediate object appears for blank cells, keys come sorted (zen's maps are ordered), -0 comes back as 0.
 * - A blank cell (spaces, tabs, newlines) matches; a rule lacking the key of any input or output column never
 *   matches (zen skips it), a column field that is blank counts as no field.
 * - A cell that fails at run time makes zen skip its row silently (input and output cells alike). The compiler
 *   refuses every cell that could fail (type-checked against RulesContext, zen-expression.ts), so that never happens.
 */
export type CompiledJdm = (ctx: RulesContext) => unknown;

class Refusal extends Error {}
function refuse(msg: string): never {
  throw new Refusal(msg);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Blank as zen trims it (other Unicode spaces are left to the expression lexer, which refuses them). */
const BLANK = /^[ \t\n\r]*$/;
const TABLE_KEYS = new Set(['hitPolicy', 'inputs', 'outputs', 'rules', 'passThrough', 'inputField', 'outputPath', 'executionMode']);
const COLUMN_KEYS = new Set(['id', 'name', 'field']);

type Test = (ctx: RulesContext) => boolean;
interface OutEntry {
  key: string;
  fn: ExprFn | null;
  sub: OutEntry[] | null;
}
interface Row {
  tests: Test[];
  out: OutEntry[];
}
interface InputColumn {
  id: string;
  field: CompiledExpr | null;
}
interface OutputColumn {
  id: string;
  path: string[];
}

/** Splits a dotted output field or path the way zen nests it; `__proto__` would set a prototype in the napi result. */
function segments(path: string, what: string): string[] {
  const segs = path.split('.');
  if (segs.includes('__proto__')) refuse(`${what} '${path}' contains __proto__`);
  return segs;
}

function checkGraph(doc: JdmDocument): JdmNode {
  const other = doc.nodes.find((n) => n.type !== 'inputNode' && n.type !== 'decisionTableNode' && n.type !== 'outputNode');
  if (other) refuse(`node '${other.id}' is a ${other.type}: only inputNode -> decisionTableNode -> outputNode compiles`);
  const of = (type: string): JdmNode[] => doc.nodes.filter((n) => n.type === type);
  const [inputs, tables, outputs] = [of('inputNode'), of('decisionTableNode'), of('outputNode')];
  if (inputs.length !== 1 || tables.length !== 1 || outputs.length !== 1) {
    refuse(`needs exactly one inputNode, decisionTableNode and outputNode (found ${inputs.length}, ${tables.length} [${tables.map((t) => `'${t.id}'`).join(', ')}], ${outputs.length})`);
  }
  const [input, table, output] = [inputs[0]!, tables[0]!, outputs[0]!];
  for (const n of [input, output]) {
    const keys = Object.keys(n.content ?? {});
    if (keys.length > 0) refuse(`${n.type} '${n.id}' has content (${keys.join(', ')}): only an empty one compiles`);
  }
  const wired = (from: string, to: string): boolean =>
    doc.edges.some((e) => e.sourceId === from && e.targetId === to && (e['sourceHandle'] ?? null) === null && (e['targetHandle'] ?? null) === null);
  if (doc.edges.length !== 2 || !wired(input.id, table.id) || !wired(table.id, output.id)) {
    refuse(`edges must be exactly '${input.id}' -> '${table.id}' -> '${output.id}' (without handles)`);
  }
  return table;
}

function columns(content: Obj, key: 'inputs' | 'outputs', where: string): Obj[] {
  const cols = content[key];
  if (!Array.isArray(cols)) return refuse(`${where}: ${key} must be an array`);
  const ids = new Set<string>();
  return cols.map((col: unknown, k) => {
    if (!isObj(col) || typeof col['id'] !== 'string' || col['id'] === '' || ids.has(col['id'])) refuse(`${where}: ${key}[${k}] needs a unique string id`);
    ids.add(col['id']);
    const extra = Object.keys(col).filter((x) => !COLUMN_KEYS.has(x));
    if (extra.length > 0) refuse(`${where}: column '${col['id']}' has keys ${extra.join(', ')} (only id, name, field compile)`);
    const field = col['field'];
    if (field !== undefined && field !== null && typeof field !== 'string') refuse(`${where}: column '${col['id']}' field must be a string`);
    return col;
  });
}

function inputColumns(content: Obj, where: string): InputColumn[] {
  return columns(content, 'inputs', where).map((col) => {
    const id = col['id'] as string;
    const field = col['field'];
    if (typeof field !== 'string' || BLANK.test(field)) return { id, field: null };
    const r = compileZenExpression(field);
    return 'unsupported' in r ? refuse(`${where}: input column '${id}' field ${JSON.stringify(field)}: ${r.unsupported}`) : { id, field: r };
  });
}

function outputColumns(content: Obj, where: string): OutputColumn[] {
  const cols = columns(content, 'outputs', where).map((col) => {
    const id = col['id'] as string;
    const field = col['field'];
    if (typeof field !== 'string' || field === '') return refuse(`${where}: output column '${id}' needs a field`);
    return { id, path: segments(field, `output column '${id}' field`) };
  });
  for (const a of cols) {
    for (const b of cols) {
      const [pa, pb] = [a.path.join('.'), b.path.join('.')];
      if (a !== b && (pa === pb || pa.startsWith(`${pb}.`))) refuse(`${where}: output fields '${pb}' and '${pa}' overlap`);
    }
  }
  return cols;
}

function insert(tree: OutEntry[], path: string[], fn: ExprFn): void {
  const [key, ...rest] = path as [string, ...string[]];
  let entry = tree.find((e) => e.key === key);
  if (!entry) tree.push((entry = { key, fn: null, sub: rest.length > 0 ? [] : null }));
  if (rest.length === 0) entry.fn = fn;
  else insert(entry.sub!, rest, fn);
}

function sortTree(tree: OutEntry[]): OutEntry[] {
  for (const e of tree) if (e.sub) sortTree(e.sub);
  return tree.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** zen outputs numbers without a sign on zero and a fresh copy of lists. */
function outputFn(r: CompiledExpr): ExprFn {
  const f = r.fn;
  if (r.type.b === 'int' || r.type.b === 'num') {
    return r.type.n ? (c, d, e) => {
      const v = f(c, d, e);
      return v === null ? null : (v as number) + 0;
    } : (c, d, e) => (f(c, d, e) as number) + 0;
  }
  return r.type.b === 'arr' ? (c, d, e) => (f(c, d, e) as unknown[]).slice() : f;
}

function compileRows(content: Obj, where: string): Row[] {
  const inputs = inputColumns(content, where);
  const outputs = outputColumns(content, where);
  const rules = content['rules'];
  if (!Array.isArray(rules)) return refuse(`${where}: rules must be an array`);
  const rows: Row[] = [];
  rules.forEach((rule: unknown, j) => {
    if (!isObj(rule)) refuse(`${where}: rules[${j}] must be an object`);
    const label = `${where}, rule ${typeof rule['_id'] === 'string' ? `'${rule['_id']}' ` : ''}(rules[${j}])`;
    for (const [k, v] of Object.entries(rule)) if (typeof v !== 'string') refuse(`${label}: cell '${k}' is not a string`);
    if ([...inputs, ...outputs].some((col) => !Object.hasOwn(rule, col.id))) return; // zen never matches such a rule
    const cell = (id: string, kind: string, r: ExprResult, src: string): CompiledExpr =>
      'unsupported' in r ? refuse(`${label}, ${kind} column '${id}': ${JSON.stringify(src)}: ${r.unsupported}`) : r;
    const tests: Test[] = [];
    for (const col of inputs) {
      const src = rule[col.id] as string;
      if (BLANK.test(src)) continue;
      if (col.field === null) {
        const r = cell(col.id, 'input', compileZenExpression(src), src);
        if (r.type.b !== 'bool' || r.type.n) refuse(`${label}, input column '${col.id}': ${JSON.stringify(src)} must be a boolean condition`);
        const f = r.fn;
        tests.push((ctx) => f(ctx, undefined, undefined) as boolean);
      } else {
        const f = cell(col.id, 'input', compileZenUnary(src, col.field.type), src).fn;
        const v = col.field.fn;
        tests.push((ctx) => f(ctx, v(ctx, undefined, undefined), undefined) as boolean);
      }
    }
    const out: OutEntry[] = [];
    for (const col of outputs) {
      const src = rule[col.id] as string;
      if (!BLANK.test(src)) insert(out, col.path, outputFn(cell(col.id, 'output', compileZenExpression(src), src)));
    }
    rows.push({ tests, out: sortTree(out) });
  });
  return rows;
}

function build(tree: OutEntry[], ctx: RulesContext): Obj {
  const o: Obj = {};
  for (let i = 0; i < tree.length; i++) {
    const e = tree[i]!;
    o[e.key] = e.sub ? build(e.sub, ctx) : e.fn!(ctx, undefined, undefined);
  }
  return o;
}

function matches(row: Row, ctx: RulesContext): boolean {
  const tests = row.tests;
  for (let i = 0; i < tests.length; i++) if (!tests[i]!(ctx)) return false;
  return true;
}

function compileTable(table: JdmNode): CompiledJdm {
  const where = `table '${table.name || table.id}'`;
  const content = table.content;
  const extra = Object.keys(content).filter((k) => !TABLE_KEYS.has(k));
  if (extra.length > 0) refuse(`${where}: content keys ${extra.join(', ')} are not compiled`);
  const { hitPolicy, passThrough, inputField, executionMode, outputPath } = content;
  if (hitPolicy !== 'first' && hitPolicy !== 'collect') refuse(`${where}: hitPolicy ${JSON.stringify(hitPolicy)} (only first and collect)`);
  if (passThrough !== undefined && passThrough !== null && passThrough !== false) refuse(`${where}: passThrough is not compiled`);
  if (inputField !== undefined && inputField !== null) refuse(`${where}: inputField is not compiled`);
  if (executionMode !== undefined && executionMode !== null && executionMode !== 'single') refuse(`${where}: executionMode ${JSON.stringify(executionMode)} (only single)`);
  if (outputPath !== undefined && outputPath !== null && typeof outputPath !== 'string') refuse(`${where}: outputPath must be a string`);
  if (typeof outputPath === 'string' && !BLANK.test(outputPath) && outputPath.trim() === '') refuse(`${where}: outputPath of unusual blanks`);
  const path = typeof outputPath === 'string' && !BLANK.test(outputPath) ? segments(outputPath, 'outputPath') : [];
  const rows = compileRows(content, where);
  const nest = (v: unknown): unknown => {
    for (let i = path.length - 1; i >= 0; i--) v = { [path[i]!]: v };
    return v;
  };
  if (hitPolicy === 'first') {
    return (ctx) => {
      for (let i = 0; i < rows.length; i++) if (matches(rows[i]!, ctx)) return nest(build(rows[i]!.out, ctx));
      return {};
    };
  }
  return (ctx) => {
    const hits: Obj[] = [];
    for (let i = 0; i < rows.length; i++) if (matches(rows[i]!, ctx)) hits.push(build(rows[i]!.out, ctx));
    return nest(hits);
  };
}

/**
 * Compiles a structurally checked JDM document ({@link JdmDocument}) to a synchronous evaluator equal to zen-engine's
 * result, or says why it is outside the compiled subset (naming the node, rule and column) so the caller keeps
 * zen-engine. Pure: no I/O, nothing cached. The evaluator throws only when a context breaks the RulesContext
 * contract the types rely on (a count that is not a whole number met by arithmetic), never answers unlike zen.
 */
export function compileJdm(doc: JdmDocument): { evaluate: CompiledJdm } | { unsupported: string } {
  try {
    return { evaluate: compileTable(checkGraph(doc)) };
  } catch (err) {
    if (err instanceof Refusal) return { unsupported: err.message };
    throw err;
  }
}
