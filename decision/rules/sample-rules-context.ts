import type { Rng } from '../../common/random.js';
import type { Grade, ListableKind, RulesContext } from '../pipeline/decision-types.js';

/** Section-wise overrides of a {@link RulesContext}: each top-level section may be patched partially. */
export type RulesContextPatch = { [K in keyof RulesContext]?: Partial<RulesContext[K]> };

const clean: RulesContext = {
  application: { amount: 1000, termMonths: 12 },
  device: {
    deviceId: 'sample-device',
    emulator: false,
    root: false,
    hook: false,
    proxy: false,
    vpn: false,
    botLike: false,
    blacklisted: false,
  },
  applicant: { blacklisted: false, whitelisted: false, blacklistKinds: [] },
  velocity: { applications1h: 1, applications24h: 1, applications30d: 1 },
  linkage: { applicantsPerDevice30d: 1, applicantsPerPhone30d: 1, applicantsPerIp30d: 1, clusterSize: 1 },
  behaviour: { formFillSeconds: 95, pasteEvents: 0, screenSwitches: 2 },
  model: { probabilityOfDefault: 0.05, score: 640, grade: 'A' },
};
/**
 * A clean applicant: no signal, single application, alone on its device, low risk. Tests and dry runs build contexts
 * from it so that one crafted difference explains every rule hit.
 */
export const CLEAN_RULES_CONTEXT: Readonly<RulesContext> = Object.freeze(clean);

const risky: RulesContext = {
  application: { amount: 5000, termMonths: 36 },
  device: {
    deviceId: 'sample-risky-device',
    emulator: true,
    root: true,
    hook: true,
    proxy: true,
    vpn: true,
    botLike: true,
    blacklisted: true,
  },
  applicant: { blacklisted: true, whitelisted: false, blacklistKinds: ['idNumber', 'phone', 'bankCard', 'deviceId'] },
  velocity: { applications1h: 12, applications24h: 30, applications30d: 60 },
  linkage: { applicantsPerDevice30d: 9, applicantsPerPhone30d: 4, applicantsPerIp30d: 20, clusterSize: 25 },
  behaviour: { formFillSeconds: 2, pasteEvents: 12, screenSwitches: 30 },
  model: { probabilityOfDefault: 0.62, score: 495, grade: 'E' },
};
/** Every field present and every signal raised: a context on which every rule a document may reasonably hold fires. */
export const RISKY_RULES_CONTEXT: Readonly<RulesContext> = Object.freeze(risky);

/** Builds a context from {@link CLEAN_RULES_CONTEXT} with the given sections patched (fresh objects, no sharing). */
export function sampleRulesContext(patch: RulesContextPatch = {}, base: Readonly<RulesContext> = CLEAN_RULES_CONTEXT): RulesContext {
  return {
    application: { ...base.application, ...patch.application },
    device: { ...base.device, ...patch.device },
    applicant: {
      ...base.applicant,
      ...patch.applicant,
      blacklistKinds: [...(patch.applicant?.blacklistKinds ?? base.applicant.blacklistKinds)],
    },
    velocity: { ...base.velocity, ...patch.velocity },
    linkage: { ...base.linkage, ...patch.linkage },
    behaviour: { ...base.behaviour, ...patch.behaviour },
    model: { ...base.model, ...patch.model },
  };
}

/**
 * The contexts a candidate rule document is evaluated on before it may be stored: clean, all-risky, and all-risky but
 * whitelisted. A document that errors or answers in the wrong shape on any of them is refused, so a broken document
 * can never become the active one.
 */
export function validationSamples(): { name: string; context: RulesContext }[] {
  return [
    { name: 'clean', context: sampleRulesContext() },
    { name: 'risky', context: sampleRulesContext({}, RISKY_RULES_CONTEXT) },
    { name: 'risky-whitelisted', context: sampleRulesContext({ applicant: { whitelisted: true } }, RISKY_RULES_CONTEXT) },
  ];
}

const KINDS: readonly ListableKind[] = ['idNumber', 'phone', 'bankCard', 'deviceId'];
const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D', 'E'];

/**
 * A random but well-typed context: every flag, count, list kind, nullable behaviour field, grade and amount varies,
 * with counts concentrated around the thresholds rules use (0..30). The compiled rule evaluator is checked against
 * zen-engine on a few hundred of these before it may replace it (rules-engine.ts), so they must reach every row.
 */
export function randomRulesContext(rng: Rng): RulesContext {
  const bool = (p = 0.5): boolean => rng() < p;
  const count = (): number => Math.floor(rng() * rng() * 31);
  const maybe = (f: () => number): number | null => (bool(0.2) ? null : f());
  const pd = rng();
  return {
    application: { amount: Math.round(100 + rng() * rng() * 999_900), termMonths: 1 + Math.floor(rng() * 60) },
    device: {
      deviceId: `device-${Math.floor(rng() * 1e6)}`,
      emulator: bool(0.2),
      root: bool(0.2),
      hook: bool(0.2),
      proxy: bool(0.2),
      vpn: bool(0.2),
      botLike: bool(0.2),
      blacklisted: bool(0.2),
    },
    applicant: { blacklisted: bool(0.2), whitelisted: bool(0.2), blacklistKinds: KINDS.filter(() => bool(0.25)) },
    velocity: { applications1h: count(), applications24h: count(), applications30d: count() },
    linkage: { applicantsPerDevice30d: count(), applicantsPerPhone30d: count(), applicantsPerIp30d: count(), clusterSize: 1 + count() },
    behaviour: { formFillSeconds: maybe(() => Math.round(rng() * 3000) / 10), pasteEvents: maybe(count), screenSwitches: maybe(count) },
    model: { probabilityOfDefault: pd, score: Math.round(300 + rng() * 600), grade: GRADES[Math.floor(rng() * GRADES.length)]! },
  };
}
