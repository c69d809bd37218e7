import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RulesResult } from '../pipeline/decision-types.js';
import { RulesEngine } from './rules-engine.js';
import { combineOutcome, dryRunRules, MAX_DRY_RUN_EXAMPLES, type DryRunSample } from './rules-dry-run.js';
import { defaultRulesDocument } from './rules-store.js';
import { sampleRulesContext } from './sample-rules-context.js';

/** Candidate: the 1-hour rule rejects instead of sending to review, and the shared-device rule is removed. */
async function candidateRules() {
  const doc = defaultRulesDocument();
  const content = doc.nodes[1]!.content as { rules: Record<string, string>[] };
  content.rules.find((r) => r['_id'] === 'high_frequency_1h')!['action'] = '"reject"';
  content.rules = content.rules.filter((r) => r['_id'] !== 'shared_device');
  return RulesEngine.compile(2, doc);
}

test('combineOutcome: rules reject, then rules review, then the model decides by pd', () => {
  const ctx = (pd: number) => sampleRulesContext({ model: { probabilityOfDefault: pd } });
  const r = (action: RulesResult['action']): RulesResult => ({ rulesVersion: 1, hits: [], action });
  assert.equal(combineOutcome(r('reject'), ctx(0.01)), 'reject');
  assert.equal(combineOutcome(r('review'), ctx(0.01)), 'review');
  assert.equal(combineOutcome(r('review'), ctx(0.9)), 'review');
  assert.equal(combineOutcome(r('pass'), ctx(0.01)), 'approve');
  assert.equal(combineOutcome(r('pass'), ctx(0.3)), 'review');
  assert.equal(combineOutcome(r('pass'), ctx(0.5)), 'reject');
  assert.equal(combineOutcome(r('pass'), ctx(0.3), { approveBelow: 0.35, rejectAtOrAbove: 0.6 }), 'approve');
});

test('dry run counts outcome transitions and shows the new hits', async () => {
  const current = await RulesEngine.compile(1, defaultRulesDocument());
  const candidate = await candidateRules();
  const samples: DryRunSample[] = [
    // unchanged: clean, low pd
    { applicationId: 'a1', context: sampleRulesContext(), outcome: 'approve' },
    // review -> reject: high frequency
    { applicationId: 'a2', context: sampleRulesContext({ velocity: { applications1h: 8, applications24h: 8 } }), outcome: 'review' },
    // review -> approve: shared device only, low pd
    { applicationId: 'a3', context: sampleRulesContext({ linkage: { applicantsPerDevice30d: 4 } }), outcome: 'review' },
    // review -> review: shared device but grey-zone pd
    { applicationId: 'a4', context: sampleRulesContext({ linkage: { applicantsPerDevice30d: 4 }, model: { probabilityOfDefault: 0.3 } }), outcome: 'review' },
    // unchanged reject (blacklisted device), recorded as approve: drift, not a change
    { applicationId: 'a5', context: sampleRulesContext({ device: { blacklisted: true } }), outcome: 'approve' },
    // whitelisted high-frequency applicant: skipped by both versions
    { applicationId: 'a6', context: sampleRulesContext({ velocity: { applications1h: 8 }, applicant: { whitelisted: true } }), outcome: 'approve' },
  ];
  const report = await dryRunRules(candidate, current, samples, (rules, ctx) => combineOutcome(rules, ctx));
  assert.equal(report.evaluated, 6);
  assert.equal(report.changed, 2);
  assert.equal(report.candidateVersion, 2);
  assert.equal(report.currentVersion, 1);
  assert.deepEqual(report.transitions, {
    'approve->review': 0,
    'approve->reject': 0,
    'review->approve': 1,
    'review->reject': 1,
    'reject->approve': 0,
    'reject->review': 0,
  });
  assert.equal(report.recordedDiffers, 1);
  assert.deepEqual(report.examples, [
    {
      applicationId: 'a2',
      from: 'review',
      to: 'reject',
      newHits: [{ ruleId: 'high_frequency_1h', flag: 'high_frequency_applicant', action: 'reject', reasonCode: 'HIGH_FREQUENCY' }],
      droppedHits: [{ ruleId: 'high_frequency_1h', flag: 'high_frequency_applicant', action: 'review', reasonCode: 'HIGH_FREQUENCY' }],
    },
    {
      applicationId: 'a3',
      from: 'review',
      to: 'approve',
      newHits: [],
      droppedHits: [{ ruleId: 'shared_device', flag: 'shared_device', action: 'review', reasonCode: 'SHARED_DEVICE' }],
    },
  ]);
  assert.deepEqual(report.candidateHitCounts, { high_frequency_1h: 1, device_blacklisted: 1 });
});

test('dry run keeps at most 20 examples but counts everything', async () => {
  const current = await RulesEngine.compile(1, defaultRulesDocument());
  const candidate = await candidateRules();
  const samples: DryRunSample[] = Array.from({ length: 45 }, (_, i) => ({
    applicationId: `b${i}`,
    context: sampleRulesContext({ velocity: { applications1h: 6 + (i % 3) } }),
    outcome: 'review',
  }));
  const report = await dryRunRules(candidate, current, samples, (rules, ctx) => combineOutcome(rules, ctx));
  assert.equal(report.changed, 45);
  assert.equal(report.transitions['review->reject'], 45);
  assert.equal(report.examples.length, MAX_DRY_RUN_EXAMPLES);
  assert.deepEqual(report.examples.map((e) => e.applicationId), samples.slice(0, 20).map((s) => s.applicationId));
  const empty = await dryRunRules(candidate, current, [], (rules, ctx) => combineOutcome(rules, ctx));
  assert.deepEqual([empty.evaluated, empty.changed, empty.examples.length], [0, 0, 0]);
});
