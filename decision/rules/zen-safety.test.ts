import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import type { JdmDocument } from './jdm-check.js';
import { defaultRulesDocument } from './rules-store.js';
import { sampleRulesContext } from './sample-rules-context.js';
import { checkZenSafety, safeRulesContext } from './zen-safety.js';

/** The default document with one more rule whose condition is `cond`. */
function withCondition(cond: string): JdmDocument {
  const doc = defaultRulesDocument();
  const rules = (doc.nodes[1]!.content as { rules: Record<string, string>[] }).rules;
  rules.push({ ...rules[0]!, _id: 'extra', cond, ruleId: '"extra"' });
  return doc;
}

function refusal(cond: string): string {
  try {
    checkZenSafety(withCondition(cond));
  } catch (err) {
    assert.ok(err instanceof FedriskError && err.code === 'INVALID_ARGUMENT', String(err));
    assert.match(String(err.details.field), /^rules\.nodes\[1\]\.content\.rules\[\d+\]\.cond$/);
    return err.message;
  }
  return '';
}

test('expressions that abort zen-engine are refused, naming the cell', () => {
  assert.match(refusal('velocity.applications1h % velocity.applications24h == 0'), /'%' must be followed by a number literal >= 1/);
  assert.match(refusal('velocity.applications1h % 0 == 1'), /'%'/);
  assert.match(refusal('2 ^ velocity.applications1h > 5'), /'\^' is not allowed/);
  assert.match(refusal('application.amount * 1000 * 1000 > 5'), /at most one '\*' or '\/'/);
  assert.match(refusal('application.amount / velocity.applications1h / 2 > 5'), /at most one/);
  assert.match(refusal('application.amount > 10000000000'), /outside \+-1000000000/);
});

test('ordinary expressions pass: one product, % by a literal, symbols inside strings, ranges', () => {
  for (const ok of [
    'velocity.applications1h % 2 == 1',
    'application.amount / application.termMonths > 5000',
    'application.amount * 2 > 5000',
    'some(applicant.blacklistKinds, # == "50% ^ off * / 0")',
    'velocity.applications1h in [1..5]',
    'model.probabilityOfDefault > 0.25 and application.amount <= 1000000',
  ]) {
    assert.equal(refusal(ok), '', ok);
  }
  assert.doesNotThrow(() => checkZenSafety(defaultRulesDocument()));
});

test('context numbers are clamped and rounded to what zen-engine holds', () => {
  const ctx = sampleRulesContext({ application: { amount: 1e-30 }, model: { probabilityOfDefault: 1e-40, score: 1e12, grade: 'A' }, behaviour: { formFillSeconds: 0.12345678901234 } });
  const safe = safeRulesContext(ctx);
  assert.equal(safe.application.amount, 0);
  assert.equal(safe.model.probabilityOfDefault, 0);
  assert.equal(safe.model.score, 1e9);
  assert.equal(safe.behaviour.formFillSeconds, 0.123456789);
  assert.equal(safe.behaviour.pasteEvents, ctx.behaviour.pasteEvents);
  assert.deepEqual(safe.applicant, ctx.applicant);
  assert.equal(Object.is(safeRulesContext(sampleRulesContext({ model: { probabilityOfDefault: -0, score: 600, grade: 'A' } })).model.probabilityOfDefault, -0), false);
  assert.equal(ctx.application.amount, 1e-30, 'the original is left alone');
});
