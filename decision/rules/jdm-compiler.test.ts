import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpressionSync, evaluateUnaryExpressionSync, ZenEngine } from '@gorules/zen-engine';
import { createRng, type Rng } from '../../common/random.js';
import type { Grade, ListableKind, RulesContext } from '../pipeline/decision-types.js';
import type { JdmDocument } from './jdm-check.js';
import { compileJdm, type CompiledJdm } from './jdm-compiler.js';
import { defaultRulesDocument } from './rules-store.js';
import { CLEAN_RULES_CONTEXT, RISKY_RULES_CONTEXT } from './sample-rules-context.js';
import { compileZenExpression, compileZenUnary } from './zen-expression.js';

const engine = new ZenEngine();
const KINDS: readonly ListableKind[] = ['idNumber', 'phone', 'bankCard', 'deviceId'];
const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D', 'E'];

/** A random, well-typed context: counts 0..20, behaviour fields null a quarter of the time, pd often on a threshold. */
function randomContext(rng: Rng): RulesContext {
  const bool = (p = 0.35): boolean => rng() < p;
  const count = (): number => Math.floor(rng() * 21);
  const maybe = (f: () => number): number | null => (rng() < 0.25 ? null : f());
  return {
    application: { amount: rng() < 0.5 ? Math.round(rng() * 1e6) : Math.round(rng() * 1e8) / 100, termMonths: 1 + Math.floor(rng() * 60) },
    device: {
      deviceId: `device-${Math.floor(rng() * 3)}`,
      emulator: bool(),
      root: bool(),
      hook: bool(),
      proxy: bool(),
      vpn: bool(),
      botLike: bool(),
      blacklisted: bool(),
    },
    applicant: { blacklisted: bool(0.2), whitelisted: bool(0.2), blacklistKinds: KINDS.filter(() => rng() < 0.3) },
    velocity: { applications1h: count(), applications24h: count(), applications30d: count() },
    linkage: { applicantsPerDevice30d: count(), applicantsPerPhone30d: count(), applicantsPerIp30d: count(), clusterSize: count() },
    behaviour: { formFillSeconds: maybe(() => Math.round(rng() * 1200) / 10), pasteEvents: maybe(count), screenSwitches: maybe(count) },
    model: {
      probabilityOfDefault: rng() < 0.2 ? [0.05, 0.1, 0.3, 0.5][Math.floor(rng() * 4)]! : rng(),
      score: rng() < 0.1 ? 600.5 : 300 + rng() * 600,
      grade: GRADES[Math.floor(rng() * GRADES.length)]!,
    },
  };
}

const contexts = (seed: number, n: number): RulesContext[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => randomContext(rng));
};

type Cells = Record<string, string>;
const col = (id: string, field?: string): Record<string, string> => (field === undefined ? { id, name: id } : { id, name: id, field });

/** input -> one decision table -> output, the shape the compiler handles. */
function tableDoc(content: Record<string, unknown>): JdmDocument {
  const position = { x: 0, y: 0 };
  return {
    contentType: 'application/vnd.gorules.decision',
    nodes: [
      { id: 'request', type: 'inputNode', name: 'Request', position, content: {} },
      { id: 'table', type: 'decisionTableNode', name: 'Table', position, content },
      { id: 'response', type: 'outputNode', name: 'Response', position, content: {} },
    ],
    edges: [
      { id: 'e1', sourceId: 'request', targetId: 'table', type: 'edge' },
      { id: 'e2', sourceId: 'table', targetId: 'response', type: 'edge' },
    ],
  };
}

/** Rows from a compact spec: each row's listed cells, every other column blank. */
function rows(inputs: string[], outputs: string[], specs: [string, Cells, Cells][]): Cells[] {
  return specs.map(([id, ins, outs]) => {
    const row: Cells = { _id: id };
    for (const c of inputs) row[c] = ins[c] ?? '';
    for (const c of outputs) row[c] = outs[c] ?? '';
    return row;
  });
}

function compiled(doc: JdmDocument): CompiledJdm {
  const c = compileJdm(doc);
  assert.ok('evaluate' in c, 'unsupported' in c ? c.unsupported : '');
  return c.evaluate;
}

/** Every value of `key` anywhere in a result: which rules fired over a run. */
function valuesOf(v: unknown, key: string, into: Set<unknown>): Set<unknown> {
  if (Array.isArray(v)) v.forEach((x) => valuesOf(x, key, into));
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (k === key) into.add(x);
      valuesOf(x, key, into);
    }
  }
  return into;
}

/** Asserts compiled === zen on `n` seeded random contexts; returns zen's results for coverage checks. */
async function agreeWithZen(doc: JdmDocument, seed: number, n = 300): Promise<unknown[]> {
  const evaluate = compiled(doc);
  const zen = engine.createDecision(doc);
  const results: unknown[] = [];
  for (const ctx of contexts(seed, n)) {
    const expected = (await zen.evaluate(ctx)).result;
    const actual = evaluate(ctx);
    if (!isDeepEqual(actual, expected)) assert.deepStrictEqual(actual, expected, `on context ${JSON.stringify(ctx)}`);
    assert.equal(JSON.stringify(actual), JSON.stringify(expected), 'same key order (zen sorts keys)');
    results.push(expected);
  }
  return results;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

function assertFired(results: unknown[], key: string, expected: string[]): void {
  const fired = valuesOf(results, key, new Set());
  assert.deepEqual([...fired].sort(), [...expected].sort(), 'every live rule fires on some context (and dead ones never)');
}

// ---- documents ----------------------------------------------------------------------------------------------------

const UNARY_IN = ['v1', 'grade', 'emu', 'paste', 'ffs', 'kinds', 'pd', 'sum'];
const UNARY_DOC = tableDoc({
  hitPolicy: 'collect',
  outputPath: 'hits',
  inputs: [
    col('v1', 'velocity.applications1h'),
    col('grade', 'model.grade'),
    col('emu', 'device.emulator'),
    col('paste', 'behaviour.pasteEvents'),
    col('ffs', 'behaviour.formFillSeconds'),
    col('kinds', 'applicant.blacklistKinds'),
    col('pd', 'model.probabilityOfDefault'),
    col('sum', 'velocity.applications1h + velocity.applications24h'),
  ],
  outputs: [col('rule', 'rule'), col('v', 'detail.v1')],
  rules: rows(UNARY_IN, ['rule', 'v'], [
    ['gt', { v1: '> 5' }, { rule: '"gt"', v: 'velocity.applications1h' }],
    ['between', { v1: '>= 2 and <= 4' }, { rule: '"between"' }],
    ['closed', { v1: '[1..5]' }, { rule: '"closed"' }],
    ['open', { v1: '(1..5)' }, { rule: '"open"' }],
    ['halfOpen', { v1: '[1..5)' }, { rule: '"halfOpen"' }],
    ['dollar', { v1: '$ > 2' }, { rule: '"dollar"' }],
    ['notEqual', { v1: '!= 5' }, { rule: '"notEqual"' }],
    ['literal', { v1: '7' }, { rule: '"literal"' }],
    ['list', { v1: '1, 3, 5' }, { rule: '"list"' }],
    ['joins', { v1: '> 1 and < 5, 17' }, { rule: '"joins"' }],
    ['notIn', { v1: 'not in [2..18]' }, { rule: '"notIn"' }],
    ['ctxRef', { v1: '> velocity.applications24h' }, { rule: '"ctxRef"' }],
    ['grades', { grade: '"A", "B"' }, { rule: '"grades"' }],
    ['notGrades', { grade: 'not in ["C", "D"]' }, { rule: '"notGrades"' }],
    ['emuTrue', { emu: 'true' }, { rule: '"emuTrue"' }],
    ['emuFalse', { emu: 'false' }, { rule: '"emuFalse"' }],
    ['pasteNull', { paste: 'null' }, { rule: '"pasteNull"' }],
    ['pasteSet', { paste: '!= null' }, { rule: '"pasteSet"' }],
    ['pasteIn', { paste: 'in [0, 1, 2]' }, { rule: '"pasteIn"' }],
    ['ffs', { ffs: '$ ?? 0 > 60' }, { rule: '"ffs"' }],
    ['kindsSome', { kinds: 'some($, # == "phone")' }, { rule: '"kindsSome"' }],
    ['kindsLen', { kinds: 'len($) > 1' }, { rule: '"kindsLen"' }],
    ['kindsIn', { kinds: '"bankCard" in $' }, { rule: '"kindsIn"' }],
    ['pdRange', { pd: '[0.1..0.3]' }, { rule: '"pdRange"' }],
    ['pdHigh', { pd: '> 0.5' }, { rule: '"pdHigh"' }],
    ['sum', { sum: '[10..20)' }, { rule: '"sum"' }],
    ['combined', { v1: '> 3', grade: '"E"', emu: 'false' }, { rule: '"combined"' }],
  ]),
});

const FIRST_OUT = ['action', 'reason', 'score', 'kinds', 'ratio', 'paste', 'ffs', 'flag'];
const FIRST_DOC = tableDoc({
  hitPolicy: 'first',
  passThrough: false,
  inputField: null,
  executionMode: 'single',
  inputs: [col('cond')],
  outputs: [
    col('rule', 'rule'),
    col('action', 'decision.action'),
    col('reason', 'decision.reason'),
    col('score', 'score'),
    col('kinds', 'meta.kinds'),
    col('ratio', 'meta.ratio'),
    col('paste', 'meta.paste'),
    col('ffs', 'meta.ffs'),
    col('flag', 'meta.flag'),
  ],
  rules: rows(['cond'], ['rule', ...FIRST_OUT], [
    ['both', { cond: 'device.blacklisted and applicant.blacklisted' }, { rule: '"both"', action: '"reject"', reason: '"both"', score: 'velocity.applications1h * 2 + 1' }],
    ['spread', { cond: 'velocity.applications24h - velocity.applications1h > 10' }, { rule: '"spread"', action: '"review"', reason: 'model.grade + "-" + device.deviceId', score: '-velocity.applications1h', ratio: 'velocity.applications24h / velocity.applications1h' }],
    ['risky', { cond: 'model.probabilityOfDefault > 0.7' }, { rule: '"risky"', action: '"review"', score: 'velocity.applications30d % 7', paste: 'behaviour.pasteEvents ?? 0', ffs: 'behaviour.formFillSeconds' }],
    ['vpn', { cond: 'none(applicant.blacklistKinds, # == "phone") and device.vpn' }, { rule: '"vpn"', kinds: 'applicant.blacklistKinds', flag: 'device.root ? "rooted" : null', ratio: 'velocity.applications1h / 4' }],
  ]),
});

const COLLECT_DOC = tableDoc({
  hitPolicy: 'collect',
  inputs: [col('cond')],
  outputs: [col('rule', 'rule'), col('level', 'level'), col('count', 'stats.count'), col('amount', 'stats.amount')],
  rules: rows(['cond'], ['rule', 'level', 'count', 'amount'], [
    ['some', { cond: 'some(applicant.blacklistKinds, # != "deviceId")' }, { rule: '"some"', count: 'count(applicant.blacklistKinds, true)' }],
    ['all', { cond: 'all(applicant.blacklistKinds, # == "phone")' }, { rule: '"all"' }],
    ['count', { cond: 'count(applicant.blacklistKinds, # in ["phone", "bankCard"]) >= 1' }, { rule: '"count"' }],
    ['len', { cond: 'len(applicant.blacklistKinds) == 0 and not device.root' }, { rule: '"len"', level: 'device.root ? "high" : device.vpn ? "medium" : "low"' }],
    ['nullish', { cond: '(behaviour.pasteEvents ?? 0) + (behaviour.screenSwitches ?? 0) > 20' }, { rule: '"nullish"' }],
    ['nullCheck', { cond: 'behaviour.formFillSeconds != null and model.grade in ["D", "E"]' }, { rule: '"nullCheck"', amount: 'application.amount' }],
    ['ranges', { cond: 'velocity.applications1h in [3..8] and velocity.applications24h not in (5..15)' }, { rule: '"ranges"' }],
    ['ternary', { cond: '(device.root ? velocity.applications1h : linkage.clusterSize) > 10' }, { rule: '"ternary"' }],
    ['fraction', { cond: 'model.score >= 600.5 or application.amount < 100000' }, { rule: '"fraction"' }],
    ['arith', { cond: 'velocity.applications30d % 5 == 0 and -linkage.applicantsPerIp30d < -10' }, { rule: '"arith"' }],
    ['notOr', { cond: 'not (device.proxy or device.vpn) and model.grade == "A"' }, { rule: '"notOr"' }],
    ['mixed', { cond: '"deviceId" not in applicant.blacklistKinds and application.termMonths * 1000 > application.amount' }, { rule: '"mixed"' }],
  ]),
});

const SHAPES_DOC = tableDoc({
  hitPolicy: 'collect',
  outputPath: 'result.hits',
  inputs: [col('cond'), col('root', 'device.root')],
  outputs: [col('rule', 'rule'), col('a', 'x.a'), col('b', 'x.b'), col('c', 'c')],
  rules: [
    { _id: 'dead', root: 'true', rule: '"dead"', a: '1', b: '2', c: '3' }, // no 'cond' key: zen never matches it
    { _id: 'blanks', cond: ' \t', root: '\n', rule: '"blanks"', a: '  ', b: '', c: '"c"' },
    { _id: 'empty', cond: 'device.vpn', root: '', rule: '', a: '', b: '', c: '' },
    { _id: 'nested', cond: 'device.hook', root: 'false', rule: '"nested"', a: 'velocity.applications1h', b: '', c: 'null' },
  ],
});

const NO_MATCH_DOC = tableDoc({
  hitPolicy: 'first',
  outputPath: 'out',
  inputs: [col('cond')],
  outputs: [col('rule', 'rule')],
  rules: rows(['cond'], ['rule'], [
    ['rare', { cond: 'velocity.applications1h == 20 or device.root and device.hook and device.vpn' }, { rule: '"rare"' }],
    ['rarer', { cond: 'velocity.applications24h == 0' }, { rule: '"rarer"' }],
  ]),
});

// ---- differential tests -------------------------------------------------------------------------------------------

test('the default document compiles and answers exactly like zen-engine', async () => {
  const doc = defaultRulesDocument();
  const evaluate = compiled(doc);
  const zen = engine.createDecision(doc);
  for (const ctx of [CLEAN_RULES_CONTEXT, RISKY_RULES_CONTEXT]) assert.deepStrictEqual(evaluate(ctx), (await zen.evaluate(ctx)).result);
  const results = await agreeWithZen(doc, 1);
  const live = ['device_blacklisted', 'applicant_blacklisted', 'emulator', 'rooted_or_hooked', 'proxy_or_vpn', 'high_frequency_1h', 'excessive_applications_24h', 'gang_cluster', 'shared_device', 'bot_like_behaviour'];
  assertFired(results, 'ruleId', live);
});

test('unary cells (comparisons, ranges, lists, joins, $, null tests, list fields) answer like zen', async () => {
  const results = await agreeWithZen(UNARY_DOC, 2);
  const ids = (UNARY_DOC.nodes[1]!.content['rules'] as Cells[]).map((r) => r['_id']!);
  assertFired(results, 'rule', ids);
});

test('first hit with nested output fields, arithmetic, quotients, ?? and nullable outputs answers like zen', async () => {
  const results = await agreeWithZen(FIRST_DOC, 3);
  assertFired(results, 'rule', ['both', 'spread', 'risky', 'vpn']);
  assert.ok(results.some((r) => isDeepEqual(r, {})), 'some contexts match no rule');
});

test('collect with full-expression conditions (some/all/none/count/len, ternary, ??, in, arithmetic) answers like zen', async () => {
  const results = await agreeWithZen(COLLECT_DOC, 4);
  const ids = (COLLECT_DOC.nodes[1]!.content['rules'] as Cells[]).map((r) => r['_id']!);
  assertFired(results, 'rule', ids);
});

test('dotted outputPath, blank and missing cells answer like zen', async () => {
  const results = await agreeWithZen(SHAPES_DOC, 5);
  assertFired(results, 'rule', ['blanks', 'nested']);
});

test('first hit with outputPath and frequent no-match answers like zen', async () => {
  const results = await agreeWithZen(NO_MATCH_DOC, 6);
  assertFired(results, 'rule', ['rare', 'rarer']);
});

test('result shapes: no match, first vs collect, outputPath, nested fields, blank cells (pinned on zen too)', async () => {
  const ctx = { ...CLEAN_RULES_CONTEXT, device: { ...CLEAN_RULES_CONTEXT.device, hook: true } };
  const cases: [JdmDocument, unknown][] = [
    [tableDoc({ hitPolicy: 'first', outputPath: 'hits', inputs: [col('c')], outputs: [col('o', 'o')], rules: [{ c: 'false', o: '1' }] }), {}],
    [tableDoc({ hitPolicy: 'first', inputs: [col('c')], outputs: [col('o', 'o')], rules: [{ c: 'false', o: '1' }] }), {}],
    [tableDoc({ hitPolicy: 'collect', outputPath: 'hits', inputs: [col('c')], outputs: [col('o', 'o')], rules: [{ c: 'false', o: '1' }] }), { hits: [] }],
    [tableDoc({ hitPolicy: 'collect', inputs: [col('c')], outputs: [col('o', 'o')], rules: [{ c: 'false', o: '1' }] }), []],
    [tableDoc({ hitPolicy: 'first', outputPath: 'a.b', inputs: [], outputs: [col('o', 'x.y')], rules: [{ o: '1' }, { o: '2' }] }), { a: { b: { x: { y: 1 } } } }],
    [tableDoc({ hitPolicy: 'collect', outputPath: ' ', inputs: [], outputs: [col('o', 'o'), col('p', 'p')], rules: [{ o: '1', p: '' }, { o: '2' }, { o: '3', p: 'null' }] }), [{ o: 1 }, { o: 3, p: null }]],
    [SHAPES_DOC, { result: { hits: [{ c: 'c', rule: 'blanks' }, { c: null, rule: 'nested', x: { a: 1 } }] } }],
    [tableDoc({ hitPolicy: 'first', inputs: [], outputs: [col('z', 'z'), col('b', 'a.b'), col('a', 'a.a')], rules: [{ z: '1', b: '2', a: '3' }] }), { a: { a: 3, b: 2 }, z: 1 }],
  ];
  for (const [doc, expected] of cases) {
    const zen = (await engine.createDecision(doc).evaluate(ctx)).result;
    assert.deepStrictEqual(zen, expected, 'zen-engine changed behaviour');
    assert.equal(JSON.stringify(zen), JSON.stringify(expected), 'zen-engine sorts keys');
    assert.equal(JSON.stringify(compiled(doc)(ctx)), JSON.stringify(expected));
    assert.deepStrictEqual(compiled(doc)(ctx), expected);
  }
});

test('zero comes back unsigned and output lists are fresh copies, as from zen', async () => {
  const outputs = [col('n', 'n'), col('m', 'm'), col('a', 'a'), col('f', 'f'), col('k', 'k')];
  const cells = { n: '0 * -1', m: '-velocity.applications1h', a: 'application.amount', f: 'behaviour.formFillSeconds', k: 'applicant.blacklistKinds' };
  const doc = tableDoc({ hitPolicy: 'first', inputs: [], outputs, rules: [cells] });
  const ctx: RulesContext = {
    ...CLEAN_RULES_CONTEXT,
    application: { amount: -0, termMonths: 12 },
    velocity: { ...CLEAN_RULES_CONTEXT.velocity, applications1h: 0 },
    behaviour: { formFillSeconds: -0, pasteEvents: null, screenSwitches: null },
  };
  const out = compiled(doc)(ctx) as { n: number; m: number; a: number; f: number; k: string[] };
  assert.deepStrictEqual(out, (await engine.createDecision(doc).evaluate(ctx)).result);
  assert.ok([out.n, out.m, out.a, out.f].every((v) => Object.is(v, 0)));
  assert.notEqual(out.k, ctx.applicant.blacklistKinds);
});

// ---- expression level ---------------------------------------------------------------------------------------------

const EXPRESSIONS = [
  'device.root or device.hook', 'not device.root and device.vpn', '!device.root', 'device.vpn == not device.root', 'not device.vpn == device.root',
  'velocity.applications1h + velocity.applications24h > 10', 'velocity.applications1h * 2 - 3', 'velocity.applications24h / velocity.applications1h',
  'velocity.applications30d % -7', '- velocity.applications1h * 2', 'velocity.applications1h - -2', '0 * -1', '1 / 3', '10 / 4', 'velocity.applications1h / 0',
  'behaviour.pasteEvents ?? 0 + 1', 'behaviour.formFillSeconds ?? 99.5', 'behaviour.pasteEvents ?? 0 > 3', 'behaviour.screenSwitches in [1, 2, null]',
  'count([1, 2, 3], # > velocity.applications1h)', 'some(applicant.blacklistKinds, some(["phone"], # == "phone"))', 'none(applicant.blacklistKinds, # == "phone")',
  '"phone" not in applicant.blacklistKinds', 'velocity.applications1h in [1, "1", true]', 'velocity.applications1h not in (1..5]', 'model.probabilityOfDefault in [0.1..0.5]',
  'model.probabilityOfDefault == 0.1', 'model.score > 600.5', 'device.root ? velocity.applications1h : model.score', 'device.root ? 1 : null',
  'behaviour.pasteEvents == null ? "none" : "some"', 'model.grade + "-" + device.deviceId', "'y' == \"y\"", '1.50', '007', 'model.grade == 1', '1 == 1 == true',
  'device.vpn or velocity.applications1h > 2 and device.root', '((device.vpn))',
];

test('compiled expressions equal evaluateExpressionSync on random contexts', () => {
  for (const expr of EXPRESSIONS) {
    const c = compileZenExpression(expr);
    assert.ok('fn' in c, `${expr}: ${'unsupported' in c ? c.unsupported : ''}`);
    for (const ctx of contexts(7, 100)) {
      let ours = c.fn(ctx, undefined, undefined);
      if (typeof ours === 'number') ours += 0;
      assert.deepStrictEqual(ours, evaluateExpressionSync(expr, ctx), `${expr} on ${JSON.stringify(ctx)}`);
    }
  }
});

const UNARY_CELLS: [string, string[]][] = [
  ['velocity.applications1h', ['$ + 1', '2 + 3', '-5', 'not true', 'null', '$', '[1,2]', 'velocity.applications24h', 'true ? 1 : 2', '$ > 2 ? true : false', '(1)', 'len(applicant.blacklistKinds)', 'count(applicant.blacklistKinds, true)', '$ % 2 == 0', '"5"', 'device.root', '[5..5]', 'some([1, 2], # == $)', '1, 2 and 3']],
  ['model.grade', ['"A" or "B" and "C"', '!= "A"', '$ == "A" and device.root']],
  ['device.emulator', ['!$', 'not $', '$ and true', '$ or false', 'not device.root', '!= true']],
  ['behaviour.formFillSeconds', ['== null', '12.5', 'null, 12.5']],
  ['applicant.blacklistKinds', ['none($, # == "phone")', 'all($, # == "phone")', 'count($, true) == 0']],
  ['behaviour.pasteEvents ?? 0', ['> 3', '0']],
];

test('compiled unary cells equal evaluateUnaryExpressionSync with $ = the field value', () => {
  for (const [field, cells] of UNARY_CELLS) {
    const f = compileZenExpression(field);
    assert.ok('fn' in f, field);
    for (const cell of cells) {
      const c = compileZenUnary(cell, f.type);
      assert.ok('fn' in c, `${field} / ${cell}: ${'unsupported' in c ? c.unsupported : ''}`);
      for (const ctx of contexts(8, 100)) {
        const $ = f.fn(ctx, undefined, undefined);
        assert.equal(c.fn(ctx, $, undefined), evaluateUnaryExpressionSync(cell, { ...ctx, $ }), `${field} / ${cell} with $ = ${JSON.stringify($)}`);
      }
    }
  }
});

test('expressions that could fail in zen or answer differently are refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['behaviour.formFillSeconds < 5', /'<' needs non-null numbers, got a nullable number/],
    ['model.grade > "B"', /'>' needs non-null numbers, got a string/],
    ['abs(velocity.applications1h)', /function 'abs'/],
    ['device.emulater', /unknown path 'device.emulater'/],
    ['application.amount * 2', /'\*' needs whole numbers/],
    ['velocity.applications1h % 0', /non-zero/],
    ['velocity.applications1h % velocity.applications24h', /literal divisor/],
    ['0.30000000000000001 == model.probabilityOfDefault', /not exactly representable/],
    ['velocity.applications1h / 2 > 1', /quotient/],
    ['device.root and 1', /'and' needs a boolean/],
    ['not velocity.applications1h', /'not' needs a boolean/],
    ['behaviour.pasteEvents + 1', /nullable whole number/],
    ['applicant.blacklistKinds[0]', /index/],
    ['`x`', /template/],
    ['[1..5]', /interval/],
    ['$', /'\$'/],
    ['1e3', /exponent/],
    ['device.root ? 1 : "x"', /branches differ/],
    ['len(device.deviceId)', /'len' needs a list/],
  ];
  for (const [expr, reason] of cases) {
    const c = compileZenExpression(expr);
    assert.ok('unsupported' in c, `${expr} should be refused`);
    assert.match(c.unsupported, reason, expr);
  }
  const nullable = compileZenExpression('behaviour.formFillSeconds');
  assert.ok('fn' in nullable);
  for (const cell of ['> 20', '[10..20]', '$ == null or $ < 20']) assert.ok('unsupported' in compileZenUnary(cell, nullable.type), cell);
  for (const cell of ['($ > 2 and $ < 5)', '(> 2)', ', 1', '$ ?? 3']) assert.ok('unsupported' in compileZenUnary(cell, nullable.type), cell);
});

// ---- document refusals ----------------------------------------------------------------------------------------------

function refusedDoc(doc: JdmDocument, reason: RegExp): void {
  const c = compileJdm(doc);
  assert.ok('unsupported' in c, 'expected a refusal');
  assert.match(c.unsupported, reason);
}

function withCell(cell: string, field?: string): JdmDocument {
  return tableDoc({ hitPolicy: 'collect', inputs: [col('cond', field)], outputs: [col('rule', 'rule')], rules: [{ _id: 'r1', cond: cell, rule: '"r1"' }] });
}

test('documents outside the subset are refused naming the node, rule and column', () => {
  const withSwitch = tableDoc({ hitPolicy: 'first', inputs: [], outputs: [col('o', 'o')], rules: [] });
  withSwitch.nodes.push({ id: 'router', type: 'switchNode', name: 'Router', content: { statements: [] } });
  refusedDoc(withSwitch, /node 'router' is a switchNode/);

  const twoTables = tableDoc({ hitPolicy: 'first', inputs: [], outputs: [col('o', 'o')], rules: [] });
  twoTables.nodes.push({ ...twoTables.nodes[1]!, id: 'table2' });
  twoTables.edges.push({ id: 'e3', sourceId: 'request', targetId: 'table2' }, { id: 'e4', sourceId: 'table2', targetId: 'response' });
  refusedDoc(twoTables, /exactly one .*decisionTableNode.*'table', 'table2'/);

  refusedDoc(withCell('abs(velocity.applications1h) > 1'), /table 'Table', rule 'r1' \(rules\[0\]\), input column 'cond': .*function 'abs'/);
  refusedDoc(withCell('device.emulater'), /rule 'r1'.*input column 'cond'.*unknown path 'device.emulater'/);
  refusedDoc(withCell('behaviour.formFillSeconds < 5'), /rule 'r1'.*'<' needs non-null numbers, got a nullable number/);
  refusedDoc(withCell('model.grade > "B"'), /rule 'r1'.*'>' needs non-null numbers, got a string/);
  refusedDoc(withCell('> 20', 'behaviour.formFillSeconds'), /rule 'r1'.*nullable number/);
  refusedDoc(withCell('velocity.applications1h'), /must be a boolean condition/);
  refusedDoc(withCell('true', 'device.emulater'), /input column 'cond' field "device.emulater": unknown path/);

  const badOutput = withCell('true');
  (badOutput.nodes[1]!.content['rules'] as Cells[])[0]!['rule'] = 'application.amount * 1.5';
  refusedDoc(badOutput, /output column 'rule'.*whole numbers/);

  const table = (extra: Record<string, unknown>): JdmDocument =>
    tableDoc({ hitPolicy: 'collect', inputs: [], outputs: [col('o', 'o')], rules: [], ...extra });
  refusedDoc(table({ passThrough: true }), /passThrough/);
  refusedDoc(table({ executionMode: 'loop' }), /executionMode/);
  refusedDoc(table({ inputField: 'items' }), /inputField/);
  refusedDoc(table({ outputPath: 'a.__proto__' }), /__proto__/);
  refusedDoc(tableDoc({ hitPolicy: 'collect', inputs: [], outputs: [col('o', 'x'), col('p', 'x.y')], rules: [] }), /overlap/);
  refusedDoc(tableDoc({ hitPolicy: 'collect', inputs: [], outputs: [col('o', 'o')], rules: [{ o: '1', _n: 5 } as never] }), /cell '_n' is not a string/);

  const withSchema = table({});
  withSchema.nodes[0]!.content = { schema: '{}' };
  refusedDoc(withSchema, /inputNode 'request' has content/);
  const rewired = table({});
  rewired.edges[1]!['sourceHandle'] = 'branch';
  refusedDoc(rewired, /edges must be exactly/);
});
