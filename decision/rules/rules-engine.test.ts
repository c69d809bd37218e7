import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import type { RuleHit, RulesResult } from '../pipeline/decision-types.js';
import type { JdmDocument } from './jdm-check.js';
import { RulesEngine, type CompiledRules } from './rules-engine.js';
import { defaultRulesDocument } from './rules-store.js';
import { sampleRulesContext, type RulesContextPatch } from './sample-rules-context.js';

let compiled: CompiledRules | null = null;
async function rules(): Promise<CompiledRules> {
  compiled ??= await RulesEngine.compile(1, defaultRulesDocument());
  return compiled;
}

async function run(patch: RulesContextPatch): Promise<RulesResult> {
  return (await rules()).evaluate(sampleRulesContext(patch));
}

const hit = (ruleId: string, flag: string, action: RuleHit['action'], reasonCode: string): RuleHit => ({ ruleId, flag, action, reasonCode });

/** Asserts a refused document: INVALID_ARGUMENT whose details.field is `field`, message matching `message`. */
async function refused(doc: unknown, field: string, message?: RegExp): Promise<void> {
  await assert.rejects(RulesEngine.compile(2, doc), (err: unknown) => {
    assert.ok(err instanceof FedriskError, `expected a FedriskError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.equal(err.details.field, field, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function tableOf(doc: JdmDocument): { rules: Record<string, string>[]; outputs: Record<string, unknown>[] } {
  return doc.nodes[1]!.content as unknown as { rules: Record<string, string>[]; outputs: Record<string, unknown>[] };
}

test('a clean applicant passes with no hit', async () => {
  assert.deepEqual(await run({}), { rulesVersion: 1, hits: [], action: 'pass' });
});

test('blacklisted device -> reject, flag high_risk_device, reason DEVICE_BLACKLISTED', async () => {
  const r = await run({ device: { blacklisted: true } });
  assert.deepEqual(r.hits, [hit('device_blacklisted', 'high_risk_device', 'reject', 'DEVICE_BLACKLISTED')]);
  assert.equal(r.action, 'reject');
});

test('blacklisted applicant (any identifier kind) -> reject BLACKLISTED', async () => {
  for (const kind of ['idNumber', 'phone', 'bankCard'] as const) {
    const r = await run({ applicant: { blacklisted: true, blacklistKinds: [kind] } });
    assert.deepEqual(r.hits, [hit('applicant_blacklisted', 'blacklisted_applicant', 'reject', 'BLACKLISTED')], kind);
    assert.equal(r.action, 'reject');
  }
  // A kind listed without the summary flag still counts; a device-only entry is the device rule's business.
  assert.equal((await run({ applicant: { blacklistKinds: ['phone'] } })).action, 'reject');
  assert.deepEqual((await run({ applicant: { blacklistKinds: ['deviceId'] } })).hits, []);
});

test('emulator -> reject EMULATOR', async () => {
  const r = await run({ device: { emulator: true } });
  assert.deepEqual(r.hits, [hit('emulator', 'emulator_device', 'reject', 'EMULATOR')]);
  assert.equal(r.action, 'reject');
});

test('root or hook -> review ROOTED_OR_HOOKED', async () => {
  for (const device of [{ root: true }, { hook: true }, { root: true, hook: true }]) {
    const r = await run({ device });
    assert.deepEqual(r.hits, [hit('rooted_or_hooked', 'rooted_or_hooked_device', 'review', 'ROOTED_OR_HOOKED')]);
    assert.equal(r.action, 'review');
  }
});

test('proxy or VPN -> flag only (the action stays pass)', async () => {
  for (const device of [{ proxy: true }, { vpn: true }]) {
    const r = await run({ device });
    assert.deepEqual(r.hits, [hit('proxy_or_vpn', 'proxy_or_vpn', 'flag', 'PROXY_OR_VPN')]);
    assert.equal(r.action, 'pass');
  }
});

test('more than 5 applications in 1 h -> high_frequency_applicant + review; whitelisted applicants skip it', async () => {
  assert.deepEqual((await run({ velocity: { applications1h: 5, applications24h: 5 } })).hits, []);
  const r = await run({ velocity: { applications1h: 6, applications24h: 6 } });
  assert.deepEqual(r.hits, [hit('high_frequency_1h', 'high_frequency_applicant', 'review', 'HIGH_FREQUENCY')]);
  assert.equal(r.action, 'review');
  const white = await run({ velocity: { applications1h: 6, applications24h: 6 }, applicant: { whitelisted: true } });
  assert.deepEqual(white, { rulesVersion: 1, hits: [], action: 'pass' });
});

test('more than 10 applications in 24 h -> reject, whitelisted or not', async () => {
  assert.deepEqual((await run({ velocity: { applications24h: 10 } })).hits, []);
  const expected = [hit('excessive_applications_24h', 'excessive_applications', 'reject', 'EXCESSIVE_APPLICATIONS_24H')];
  assert.deepEqual((await run({ velocity: { applications24h: 11 } })).hits, expected);
  const white = await run({ velocity: { applications24h: 11 }, applicant: { whitelisted: true } });
  assert.deepEqual(white.hits, expected);
  assert.equal(white.action, 'reject');
});

test('cluster of 5 or more linked applicants -> review GANG_CLUSTER', async () => {
  assert.deepEqual((await run({ linkage: { clusterSize: 4 } })).hits, []);
  const r = await run({ linkage: { clusterSize: 5 } });
  assert.deepEqual(r.hits, [hit('gang_cluster', 'gang_cluster', 'review', 'GANG_CLUSTER')]);
  assert.equal(r.action, 'review');
});

test('3 or more applicants on one device in 30 days -> review SHARED_DEVICE', async () => {
  assert.deepEqual((await run({ linkage: { applicantsPerDevice30d: 2 } })).hits, []);
  const r = await run({ linkage: { applicantsPerDevice30d: 3 } });
  assert.deepEqual(r.hits, [hit('shared_device', 'shared_device', 'review', 'SHARED_DEVICE')]);
});

test('bot-like behaviour -> review BOT_LIKE', async () => {
  const r = await run({ device: { botLike: true } });
  assert.deepEqual(r.hits, [hit('bot_like_behaviour', 'bot_like_behaviour', 'review', 'BOT_LIKE')]);
  assert.equal(r.action, 'review');
});

test('every hit is collected and the most severe action wins', async () => {
  const r = await run({ device: { proxy: true, root: true, blacklisted: true }, linkage: { clusterSize: 9 } });
  assert.deepEqual(r.hits.map((h) => h.ruleId), ['device_blacklisted', 'rooted_or_hooked', 'proxy_or_vpn', 'gang_cluster']);
  assert.equal(r.action, 'reject');
});

test('documents that are not JDM objects are refused naming the problem', async () => {
  await refused([], 'rules', /JDM object/);
  await refused('{"nodes":[]}', 'rules', /JDM object/);
  await refused(null, 'rules');
  await refused({ nodes: [] }, 'rules.edges', /array/);
  await refused({ nodes: [], edges: [] }, 'rules.nodes', /empty/);
});

test('broken graphs are refused', async () => {
  const danglingEdge = defaultRulesDocument();
  danglingEdge.edges[1]!.targetId = 'nowhere';
  await refused(danglingEdge, 'rules.edges[1].targetId', /nowhere/);

  const cyclic = defaultRulesDocument();
  cyclic.edges.push({ id: 'loop', sourceId: 'default-rules', targetId: 'default-rules', type: 'edge' });
  await refused(cyclic, 'rules', /cyclic/i);

  const noInput = defaultRulesDocument();
  noInput.nodes.shift();
  noInput.edges.shift();
  await refused(noInput, 'rules.nodes', /inputNode/);

  const functionNode = defaultRulesDocument();
  functionNode.nodes[1]!.type = 'functionNode' as JdmDocument['nodes'][number]['type'];
  await refused(functionNode, 'rules.nodes[1].type', /decisionTableNode/);

  const badHitPolicy = defaultRulesDocument();
  tableOf(badHitPolicy);
  badHitPolicy.nodes[1]!.content['hitPolicy'] = 'all';
  await refused(badHitPolicy, 'rules.nodes[1].content.hitPolicy');
});

test('bad cells are refused with the rule and column', async () => {
  const syntax = defaultRulesDocument();
  tableOf(syntax).rules[2]!['cond'] = 'device.emulator ==';
  await refused(syntax, 'rules.nodes[1].content.rules[2].cond', /rule 'emulator'/);

  const typo = defaultRulesDocument();
  tableOf(typo).rules[5]!['cond'] = 'velocity.aplications1h > 5';
  await refused(typo, 'rules.nodes[1].content.rules[5].cond', /does not evaluate/);

  const unknownField = defaultRulesDocument();
  (tableOf(unknownField) as unknown as { inputs: Record<string, unknown>[] }).inputs[1]!['field'] = 'applicant.whitelist';
  await refused(unknownField, 'rules.nodes[1].content.inputs[1].field', /not a field/);
});

test('documents answering in the wrong shape are refused', async () => {
  const badAction = defaultRulesDocument();
  tableOf(badAction).rules[0]!['action'] = '"block"';
  await refused(badAction, 'rules.nodes[1].content.rules[0].action', /reject, review, flag/);

  const unquoted = defaultRulesDocument();
  tableOf(unquoted).rules[0]!['flag'] = 'high_risk_device';
  await refused(unquoted, 'rules.nodes[1].content.rules[0].flag', /non-empty string/);

  const missingColumn = defaultRulesDocument();
  tableOf(missingColumn).outputs.pop();
  await refused(missingColumn, 'rules.nodes[1].content.outputs', /reasonCode/);

  const firstHit = defaultRulesDocument();
  firstHit.nodes[1]!.content['hitPolicy'] = 'first';
  await refused(firstHit, 'rules.output', /array of hits/);

  const numericIds: JdmDocument = {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'in', content: {} },
      { id: 'x', type: 'expressionNode', name: 'x', content: { expressions: [{ id: 'e', key: 'hits', value: '[{ruleId: 1, flag: "f", action: "flag", reasonCode: "R"}]' }] } },
      { id: 'out', type: 'outputNode', name: 'out', content: {} },
    ],
    edges: [
      { id: 'a', sourceId: 'in', targetId: 'x' },
      { id: 'b', sourceId: 'x', targetId: 'out' },
    ],
  };
  await refused(numericIds, 'rules.output.hits[0].ruleId', /non-empty string/);
});

test('compiled documents are private copies with a stable digest', async () => {
  const doc = defaultRulesDocument();
  const a = await RulesEngine.compile(3, doc);
  tableOf(doc).rules[0]!['action'] = '"flag"';
  assert.equal((await a.evaluate(sampleRulesContext({ device: { blacklisted: true } }))).action, 'reject');
  const b = await RulesEngine.compile(4, defaultRulesDocument());
  assert.equal(a.digest, b.digest);
  assert.match(a.digest, /^[0-9a-f]{64}$/);
  await assert.rejects(RulesEngine.compile(-1, defaultRulesDocument()), (e: unknown) => e instanceof FedriskError && e.details.field === 'version');
});

test('evaluation latency (zen-engine, default rule set)', async () => {
  const r = await rules();
  const ctx = sampleRulesContext({ velocity: { applications1h: 7 }, device: { proxy: true } });
  for (let i = 0; i < 2000; i++) await r.evaluate(ctx);
  const n = 10_000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await r.evaluate(ctx);
  const sequential = Number(process.hrtime.bigint() - t0) / 1000 / n;
  t0 = process.hrtime.bigint();
  for (let b = 0; b < n / 50; b++) await Promise.all(Array.from({ length: 50 }, () => r.evaluate(ctx)));
  const concurrent = Number(process.hrtime.bigint() - t0) / 1000 / n;
  console.log(`rules evaluation: ${sequential.toFixed(1)} us sequential (one at a time), ${concurrent.toFixed(1)} us/evaluation at 50 in flight`);
  // Generous bound: a regression to per-call compilation (milliseconds) fails, machine noise does not.
  assert.ok(sequential < 2000, `sequential evaluation took ${sequential} us`);
});

test('the default document runs compiled; one outside the subset runs on zen-engine and answers the same', async () => {
  const fast = await rules();
  assert.equal(fast.engine, 'compiled');
  assert.equal(fast.engineNote, null);
  // The same rules plus a cell comparing a nullable number: outside the compiler's typed subset, so zen-engine runs it.
  const doc = defaultRulesDocument();
  const table = tableOf(doc);
  table.rules.push({ ...table.rules[0]!, _id: 'slow_form', cond: 'behaviour.formFillSeconds < 1', ruleId: '"slow_form"', flag: '"x"', action: '"flag"', reasonCode: '"X"' });
  const slow = await RulesEngine.compile(2, doc);
  assert.equal(slow.engine, 'zen-engine');
  assert.match(slow.engineNote ?? '', /outside the compiled subset: .*formFillSeconds/);
  for (const patch of [{}, { device: { emulator: true } }, { velocity: { applications1h: 9 } }, { behaviour: { formFillSeconds: null } }] as RulesContextPatch[]) {
    const a = await fast.evaluate(sampleRulesContext(patch));
    const b = await slow.evaluate(sampleRulesContext(patch));
    assert.deepEqual(b.hits, a.hits, JSON.stringify(patch));
  }
  const quick = await slow.evaluate(sampleRulesContext({ behaviour: { formFillSeconds: 0.5 } }));
  assert.deepEqual(quick.hits.map((h) => h.ruleId), ['slow_form']);
});

test('zen-engine never sees a context number it would abort on, nor an expression that could', async () => {
  // Outside the compiled subset (a nullable comparison), so zen-engine evaluates it; these numbers abort zen-engine
  // 0.54's whole process when passed as they are (more than 28 decimal places). The test process would die here.
  const doc = defaultRulesDocument();
  const table = tableOf(doc);
  table.rules.push({ ...table.rules[0]!, _id: 'slow_form', cond: 'behaviour.formFillSeconds < 1', ruleId: '"slow_form"', flag: '"x"', action: '"flag"', reasonCode: '"X"' });
  const zen = await RulesEngine.compile(3, doc);
  assert.equal(zen.engine, 'zen-engine');
  const tiny = sampleRulesContext({ application: { amount: 1e-30 }, model: { probabilityOfDefault: 1e-40, score: 900, grade: 'A' }, behaviour: { formFillSeconds: 5e-324 } });
  const result = await zen.evaluate(tiny);
  assert.deepEqual(result.hits.map((h) => h.ruleId), ['slow_form']);
  // `% <a count>` could be `% 0` on a live application: refused before zen-engine evaluates any cell.
  const modulo = defaultRulesDocument();
  tableOf(modulo).rules[0]!['cond'] = 'velocity.applications1h % velocity.applications24h == 1';
  await refused(modulo, 'rules.nodes[1].content.rules[0].cond', /'%' must be followed by a number literal/);
});
