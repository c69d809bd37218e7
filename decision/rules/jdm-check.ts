import { evaluateExpressionSync, evaluateUnaryExpressionSync } from '@gorules/zen-engine';
import { invalid } from '../../common/errors.js';
import type { RulesContext } from '../pipeline/decision-types.js';
import { checkZenSafety } from './zen-safety.js';

/**
 * Static checks of a JDM (JSON Decision Model) document before zen-engine sees it. zen-engine's own errors name no
 * position, and a broken cell makes zen silently skip its row (a typo would disable a rule without a word), so every
 * structural problem and every cell that does not parse is refused here with the path of the offending part
 * (`rules.nodes[1].content.rules[3].cond`), which is what a risk operator editing a table needs.
 */

/** A JDM graph node as checked here (zen-engine reads further fields such as `position`, kept as they are). */
export interface JdmNode {
  id: string;
  type: JdmNodeType;
  name: string;
  content: Record<string, unknown>;
  [key: string]: unknown;
}

/** A JDM edge between two nodes of the same document. */
export interface JdmEdge {
  id: string;
  sourceId: string;
  targetId: string;
  [key: string]: unknown;
}

/** A JDM decision graph that passed {@link checkJdmStructure}. */
export interface JdmDocument {
  nodes: JdmNode[];
  edges: JdmEdge[];
  [key: string]: unknown;
}

/**
 * Node types a rule document may use. Function nodes (JavaScript in QuickJS, 50 ms timeout) and decision nodes
 * (loading other documents) are left out: rules stay declarative tables and expressions, evaluation stays in the
 * tens of microseconds, and a document is self-contained, so its digest names everything it does.
 */
export const ALLOWED_NODE_TYPES = ['inputNode', 'outputNode', 'decisionTableNode', 'expressionNode', 'switchNode'] as const;
export type JdmNodeType = (typeof ALLOWED_NODE_TYPES)[number];

/** Output fields of a rule hit; a table that outputs one of them must output all four. */
export const HIT_FIELDS = ['ruleId', 'flag', 'action', 'reasonCode'] as const;
/** What a hit may ask for: reject and review change the outcome, flag is only recorded. */
export const HIT_ACTIONS = ['reject', 'review', 'flag'] as const;

/** Size bounds: a rule document is a handful of tables, not a program; bigger ones are refused before compiling. */
export const MAX_NODES = 100;
export const MAX_EDGES = 400;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function arrayAt(obj: Obj, key: string, path: string): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw invalid(`${path}.${key}`, 'must be an array');
  return v;
}

/** A zen-engine error as one readable line (`parserError: Incomplete parser output`), and whether it is a syntax error. */
export function zenMessage(err: unknown): { text: string; syntax: boolean } {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  const first = (raw.split('\n')[0] ?? '').trim();
  try {
    const parsed: unknown = JSON.parse(first);
    if (isObj(parsed) && typeof parsed['type'] === 'string') {
      const type = parsed['type'];
      const rest = Object.entries(parsed)
        .filter(([k]) => k !== 'type')
        .map(([k, v]) => (k === 'source' ? String(v) : `${k}=${JSON.stringify(v)}`))
        .join(', ');
      return { text: rest ? `${type}: ${rest}` : type, syntax: type === 'lexerError' || type === 'parserError' };
    }
  } catch {
    // not JSON: zen's serde errors are plain text
  }
  return { text: first || 'unknown zen-engine error', syntax: false };
}

function checkColumns(content: Obj, key: 'inputs' | 'outputs', path: string): void {
  const seen = new Set<string>();
  arrayAt(content, key, path).forEach((col, k) => {
    const at = `${path}.${key}[${k}]`;
    if (!isObj(col)) throw invalid(at, 'must be an object');
    if (!nonEmptyString(col['id'])) throw invalid(`${at}.id`, 'must be a non-empty string');
    if (seen.has(col['id'])) throw invalid(`${at}.id`, `duplicate column id '${col['id']}'`);
    seen.add(col['id']);
    if (col['field'] !== undefined && col['field'] !== null && typeof col['field'] !== 'string') {
      throw invalid(`${at}.field`, 'must be a string');
    }
    if (key === 'outputs' && !nonEmptyString(col['field'])) throw invalid(`${at}.field`, 'an output column needs a field');
  });
}

function checkTable(content: Obj, path: string): void {
  const hp = content['hitPolicy'];
  if (hp !== 'first' && hp !== 'collect') throw invalid(`${path}.hitPolicy`, "must be 'first' or 'collect'");
  checkColumns(content, 'inputs', path);
  checkColumns(content, 'outputs', path);
  const outFields = new Set((content['outputs'] as Obj[]).map((c) => String(c['field'])));
  if (HIT_FIELDS.some((f) => outFields.has(f))) {
    const missing = HIT_FIELDS.filter((f) => !outFields.has(f));
    if (missing.length) throw invalid(`${path}.outputs`, `a table producing rule hits needs output fields ${missing.join(', ')}`);
  }
  arrayAt(content, 'rules', path).forEach((rule, j) => {
    if (!isObj(rule)) throw invalid(`${path}.rules[${j}]`, 'must be an object of cells');
    for (const [col, cell] of Object.entries(rule)) {
      if (!col.startsWith('_') && typeof cell !== 'string') throw invalid(`${path}.rules[${j}].${col}`, 'a cell must be a string');
    }
  });
}

function checkNode(node: unknown, i: number, ids: Set<string>): JdmNode {
  const at = `rules.nodes[${i}]`;
  if (!isObj(node)) throw invalid(at, 'must be an object');
  if (!nonEmptyString(node['id'])) throw invalid(`${at}.id`, 'must be a non-empty string');
  if (ids.has(node['id'])) throw invalid(`${at}.id`, `duplicate node id '${node['id']}'`);
  ids.add(node['id']);
  const type = node['type'];
  if (typeof type !== 'string' || !(ALLOWED_NODE_TYPES as readonly string[]).includes(type)) {
    throw invalid(`${at}.type`, `must be one of ${ALLOWED_NODE_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  }
  if (typeof node['name'] !== 'string') throw invalid(`${at}.name`, 'must be a string');
  const content = node['content'] ?? {};
  if (!isObj(content)) throw invalid(`${at}.content`, 'must be an object');
  if (type === 'decisionTableNode') checkTable(content, `${at}.content`);
  if (type === 'expressionNode') {
    arrayAt(content, 'expressions', `${at}.content`).forEach((e, k) => {
      if (!isObj(e) || !nonEmptyString(e['key']) || typeof e['value'] !== 'string') {
        throw invalid(`${at}.content.expressions[${k}]`, 'needs a string key and value');
      }
    });
  }
  if (type === 'switchNode') {
    arrayAt(content, 'statements', `${at}.content`).forEach((s, k) => {
      if (!isObj(s) || !nonEmptyString(s['id']) || (s['condition'] !== undefined && typeof s['condition'] !== 'string')) {
        throw invalid(`${at}.content.statements[${k}]`, 'needs a string id and condition');
      }
    });
  }
  return { ...node, id: node['id'], type: type as JdmNodeType, name: node['name'], content };
}

/** Checks the graph's shape: nodes, edges, one input, at least one output, well-formed tables. Returns it typed. */
export function checkJdmStructure(doc: unknown): JdmDocument {
  if (!isObj(doc)) throw invalid('rules', 'must be a JDM object with nodes and edges');
  const rawNodes = arrayAt(doc, 'nodes', 'rules');
  const rawEdges = arrayAt(doc, 'edges', 'rules');
  if (rawNodes.length === 0) throw invalid('rules.nodes', 'must not be empty');
  if (rawNodes.length > MAX_NODES) throw invalid('rules.nodes', `at most ${MAX_NODES} nodes`);
  if (rawEdges.length > MAX_EDGES) throw invalid('rules.edges', `at most ${MAX_EDGES} edges`);
  const ids = new Set<string>();
  const nodes = rawNodes.map((n, i) => checkNode(n, i, ids));
  const inputs = nodes.filter((n) => n.type === 'inputNode').length;
  if (inputs !== 1) throw invalid('rules.nodes', `needs exactly one inputNode (found ${inputs})`);
  if (!nodes.some((n) => n.type === 'outputNode')) throw invalid('rules.nodes', 'needs an outputNode');
  const edges = rawEdges.map((e, i): JdmEdge => {
    const at = `rules.edges[${i}]`;
    if (!isObj(e)) throw invalid(at, 'must be an object');
    if (!nonEmptyString(e['id'])) throw invalid(`${at}.id`, 'must be a non-empty string');
    for (const end of ['sourceId', 'targetId'] as const) {
      const ref = e[end];
      if (typeof ref !== 'string' || !ids.has(ref)) throw invalid(`${at}.${end}`, `names no node (${JSON.stringify(ref)})`);
    }
    return { ...e, id: e['id'], sourceId: e['sourceId'] as string, targetId: e['targetId'] as string };
  });
  return { ...doc, nodes, edges };
}

function fieldAt(ctx: unknown, path: string): unknown {
  let cur: unknown = ctx;
  for (const part of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Evaluates every cell of every decision table on `ctx` (a context with every field present). Syntax errors are
 * refused everywhere. Tables fed straight from the input node see exactly `ctx`, so there a runtime error (a
 * misspelt field compared with a number) and a column field that is not in the context are refused too; and hit
 * outputs must be non-empty strings, `action` one of reject|review|flag.
 */
export function checkJdmCells(doc: JdmDocument, ctx: RulesContext): void {
  // Cells are evaluated by zen-engine below: first refuse what would abort the process there (zen-safety.ts).
  checkZenSafety(doc);
  const inputId = doc.nodes.find((n) => n.type === 'inputNode')?.id;
  doc.nodes.forEach((node, i) => {
    const base = `rules.nodes[${i}].content`;
    if (node.type === 'expressionNode' || node.type === 'switchNode') {
      const items = (node.content[node.type === 'expressionNode' ? 'expressions' : 'statements'] as Obj[]) ?? [];
      items.forEach((item, k) => {
        const expr = String(item['value'] ?? item['condition'] ?? '');
        if (!expr.trim()) return;
        try {
          evaluateExpressionSync(expr, ctx);
        } catch (err) {
          const m = zenMessage(err);
          if (m.syntax) throw invalid(`${base}.${node.type === 'expressionNode' ? 'expressions' : 'statements'}[${k}]`, m.text);
        }
      });
      return;
    }
    if (node.type !== 'decisionTableNode') return;
    const incoming = doc.edges.filter((e) => e.targetId === node.id);
    const direct = incoming.length > 0 && incoming.every((e) => e.sourceId === inputId);
    const inputs = node.content['inputs'] as Obj[];
    const outputs = node.content['outputs'] as Obj[];
    if (direct) {
      inputs.forEach((col, k) => {
        if (nonEmptyString(col['field']) && fieldAt(ctx, col['field']) === undefined) {
          throw invalid(`${base}.inputs[${k}].field`, `'${col['field']}' is not a field of the rules context`);
        }
      });
    }
    (node.content['rules'] as Obj[]).forEach((rule, j) => {
      const label = nonEmptyString(rule['_id']) ? `rule '${rule['_id']}'` : `rule ${j}`;
      const fail = (colId: string, msg: string) => invalid(`${base}.rules[${j}].${colId}`, `${label}: ${msg}`);
      for (const col of inputs) {
        const cell = rule[String(col['id'])];
        if (typeof cell !== 'string' || !cell.trim()) continue;
        try {
          if (nonEmptyString(col['field'])) evaluateUnaryExpressionSync(cell, { ...ctx, $: fieldAt(ctx, col['field']) ?? null });
          else evaluateExpressionSync(cell, ctx);
        } catch (err) {
          const m = zenMessage(err);
          if (m.syntax || direct) throw fail(String(col['id']), `${JSON.stringify(cell)} does not evaluate (${m.text})`);
        }
      }
      for (const col of outputs) {
        const colId = String(col['id']);
        const cell = rule[colId];
        const field = String(col['field']);
        const isHit = (HIT_FIELDS as readonly string[]).includes(field);
        if (typeof cell !== 'string' || !cell.trim()) {
          if (isHit) throw fail(colId, `output '${field}' is empty`);
          continue;
        }
        let value: unknown;
        try {
          value = evaluateExpressionSync(cell, ctx);
        } catch (err) {
          const m = zenMessage(err);
          if (m.syntax || direct) throw fail(colId, `${JSON.stringify(cell)} does not evaluate (${m.text})`);
          continue;
        }
        if (!isHit || !direct) continue;
        if (!nonEmptyString(value)) throw fail(colId, `output '${field}' must be a non-empty string (a quoted literal like "\\"x\\"")`);
        if (field === 'action' && !(HIT_ACTIONS as readonly string[]).includes(value)) {
          throw fail(colId, `action must be one of ${HIT_ACTIONS.join(', ')} (got ${JSON.stringify(value)})`);
        }
      }
    });
  });
}
