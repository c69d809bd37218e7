/**
 * The decision pipeline for one loan application (DESIGN "Decision pipeline"): validate -> consent -> tokens + PII
 * encryption -> device -> lists -> velocity -> linkage/graph -> model -> rules -> price (capped) -> limit -> outcome ->
 * audit (durable, hash-chained) -> answer with a generic reason. Everything it reads is in memory (indexes loaded
 * from the store and kept coherent by applying each decision as it is made), so no network call and no read query
 * sits on this path; the one write is the group commit.
 */
import { FedriskError } from '../../common/errors.js';
import { predictProbability } from '../../common/model/logistic-model.js';
import { encodeRow, validateFeatures, type RawRow } from '../../common/schema/index.js';
import { canonicalDigest } from '../canonical-json.js';
import type { ActiveModel } from '../scoring/active-model-cache.js';
import { scoreProbability } from '../scoring/score-card.js';
import { normaliseApplicant, applicantRow, type NormalisedApplicant, type PiiVault } from '../pii/index.js';
import { assessDevice, deviceIdFrom, normaliseIp, validateDevice } from '../device/index.js';
import { linkRow, type LinkEvent, type LinkIndex } from '../linkage/index.js';
import type { VelocityIndex } from '../velocity/index.js';
import type { ListIndex } from '../lists/index.js';
import type { ActiveRules } from '../rules/index.js';
import { combineOutcome } from '../rules/index.js';
import type { ActivePolicy } from '../policy/index.js';
import { offerFor, type AprCap } from '../policy/index.js';
import { reviewRow } from '../reviews/index.js';
import { callbackDeliveryRow, type CallbackDeliveryRow } from '../callbacks/index.js';
import type { IdempotencyRow } from '../idempotency/index.js';
import { applicationRow } from '../store/application-store.js';
import { parseApplicationRequest, type ApplicationRequest } from '../intake/application-request.js';
import type { DecisionWriter } from './decision-writer.js';
import { EXTERNAL_REASONS, type Grade, type ListableKind, type Outcome, type RuleHit, type RulesContext } from './decision-types.js';

export interface PipelineDeps {
  models: { current(): ActiveModel | null };
  vault: PiiVault;
  links: () => LinkIndex;
  velocity: () => VelocityIndex;
  lists: ListIndex;
  rules: ActiveRules;
  policy: ActivePolicy;
  aprCap: AprCap;
  writer: DecisionWriter;
  now: () => Date;
  newId: () => string;
}

/** What the lender's app gets back. `reason` is the generic external text; reason codes stay inside. */
export interface DecisionAnswer {
  applicationId: string;
  decision: Outcome;
  reason: string;
  grade: Grade;
  score: number;
  probabilityOfDefault: number;
  apr: number | null;
  creditLimit: number | null;
  modelVersion: string;
  rulesVersion: number;
}

export interface DecideOptions {
  apiKeyId: string | null;
  /** Builds the idempotent response row stored in the same transaction (Idempotency-Key requests). */
  idempotency?: (answer: DecisionAnswer) => IdempotencyRow;
  /** Async mode: the decision is also posted to this URL (recorded in the same transaction). */
  callbackUrl?: string | null;
  /** Async mode fixes the id before answering 202. */
  applicationId?: string;
}

export interface DecideResult {
  answer: DecisionAnswer;
  callback: CallbackDeliveryRow | null;
  reasonCodes: string[];
  ruleHits: RuleHit[];
}

/** Validates a request fully before anything is decided: 400 naming the field, 422 without consent. */
export function validateApplication(
  body: unknown,
  deps: Pick<PipelineDeps, 'models' | 'now'>,
): { req: ApplicationRequest; applicant: NormalisedApplicant; row: RawRow; active: ActiveModel } {
  const req = parseApplicationRequest(body);
  const applicant = normaliseApplicant(req.applicant, deps.now());
  validateDevice(req.device, 'device');
  if (req.consent !== true) throw new FedriskError('UNPROCESSABLE', 'consent: privacy consent is required before any data is used', { field: 'consent' });
  const active = deps.models.current();
  if (!active) throw new FedriskError('UNAVAILABLE', 'no active model: the service cannot score yet');
  const row = validateFeatures(active.model.schema, req.features, 'features');
  return { req, applicant, row, active };
}

export async function decideApplication(deps: PipelineDeps, body: unknown, opts: DecideOptions): Promise<DecideResult> {
  const { req, applicant, row, active } = validateApplication(body, deps);
  const now = deps.now();
  const at = now.getTime();
  const iso = now.toISOString();
  const applicationId = opts.applicationId ?? deps.newId();

  // Identity (normalised during validation), tokenised; raw values only ever leave this function encrypted.
  const tokens = {
    idToken: deps.vault.tokenize('idNumber', applicant.idNumber),
    phoneToken: deps.vault.tokenize('phone', applicant.phone),
    bankCardToken: applicant.bankCard ? deps.vault.tokenize('bankCard', applicant.bankCard) : null,
  };
  const deviceId = deviceIdFrom(req.device);
  const device = assessDevice(req.device, deviceId);
  const ipToken = deps.vault.tokenize('ip', normaliseIp(req.device.ip));

  // Lists, velocity and linkage from the in-memory indexes; this application joins them at once.
  const listHits = deps.lists.match({ idNumber: tokens.idToken, phone: tokens.phoneToken, bankCard: tokens.bankCardToken, deviceId }, at);
  const event: LinkEvent = { applicantToken: tokens.idToken, deviceId, phoneToken: tokens.phoneToken, ipToken, at };
  const velocity = deps.velocity().assess(tokens.idToken, at);
  const linkage = deps.links().assess(event);
  deps.velocity().apply([event]);
  deps.links().apply([event]);

  // Model: probability of default -> score -> grade.
  const loaded = deps.policy.current();
  const x = encodeRow(active.model.schema, active.model.standardisation, row, active.scratch);
  const pd = predictProbability(active.model, x);
  if (!Number.isFinite(pd)) throw new FedriskError('UNPROCESSABLE', 'features: these values cannot be scored by the active model', { field: 'features' });
  const scored = scoreProbability(pd, loaded.scoring);

  // Rules see flags and counts only.
  const black = listHits.filter((h) => h.list === 'black');
  const blacklistKinds = [...new Set(black.map((h) => h.kind))] as ListableKind[];
  const ctx: RulesContext = {
    application: { amount: req.amount, termMonths: req.termMonths },
    device: { ...device, blacklisted: blacklistKinds.includes('deviceId') },
    applicant: {
      blacklisted: blacklistKinds.some((k) => k !== 'deviceId'),
      whitelisted: listHits.some((h) => h.list === 'white'),
      blacklistKinds,
    },
    velocity,
    linkage,
    behaviour: {
      formFillSeconds: req.device.behaviour?.formFillSeconds ?? null,
      pasteEvents: req.device.behaviour?.pasteEvents ?? null,
      screenSwitches: req.device.behaviour?.screenSwitches ?? null,
    },
    model: { probabilityOfDefault: pd, score: scored.score, grade: scored.grade },
  };
  const rules = await deps.rules.evaluate(ctx);
  let outcome = combineOutcome(rules, ctx, loaded.scoring.thresholds);
  const reasonCodes = rules.hits.filter((h) => h.action !== 'flag' || h.reasonCode).map((h) => h.reasonCode);
  if (rules.action === 'pass') {
    if (outcome === 'reject') reasonCodes.push('MODEL_PD_ABOVE_REJECT_CUT');
    if (outcome === 'review') reasonCodes.push('MODEL_PD_GREY_ZONE');
  }

  // Price (capped in apr-cap.ts, the one place) and credit line.
  const offer = offerFor({ grade: scored.grade, features: row, amount: req.amount, termMonths: req.termMonths, outcome }, loaded.policy, deps.aprCap);
  if (outcome === 'approve' && offer.creditLimit <= 0) {
    outcome = 'reject';
    reasonCodes.push('NO_AFFORDABLE_CREDIT_LINE');
  }
  const answer: DecisionAnswer = {
    applicationId,
    decision: outcome,
    reason: EXTERNAL_REASONS[outcome],
    grade: scored.grade,
    score: scored.score,
    probabilityOfDefault: pd,
    apr: outcome === 'approve' ? offer.apr : null,
    creditLimit: outcome === 'approve' ? offer.creditLimit : outcome === 'reject' ? 0 : null,
    modelVersion: active.version,
    rulesVersion: rules.rulesVersion,
  };

  const flags = [...new Set(rules.hits.map((h) => h.flag))];
  // Keys in sorted order at every level: the objects are then canonical JSON as they stand (canonical-json.ts).
  const inputDigest = canonicalDigest({
    amount: req.amount,
    behaviour: ctx.behaviour,
    device,
    features: row,
    termMonths: req.termMonths,
    tokens: { bankCardToken: tokens.bankCardToken, deviceId, idToken: tokens.idToken, ipToken, phoneToken: tokens.phoneToken },
  });
  const callback = opts.callbackUrl ? callbackDeliveryRow(opts.callbackUrl, { ...answer, status: 'decided' }, now) : null;
  await deps.writer.submit({
    audit: {
      kind: 'decision',
      at: iso,
      record: {
        applicationId,
        apr: answer.apr,
        creditLimit: answer.creditLimit,
        flags,
        grade: scored.grade,
        inputDigest,
        modelVersion: active.version,
        outcome,
        policyVersion: loaded.version,
        probabilityOfDefault: pd,
        reasonCodes,
        ruleHits: rules.hits.map((h) => `${h.ruleId}:${h.action}`),
        rulesVersion: rules.rulesVersion,
        score: scored.score,
        type: 'decision',
      },
    },
    applicant: applicantRow(deps.vault, tokens, applicant, iso),
    application: (auditSeq) =>
      applicationRow({
        id: applicationId,
        createdAt: iso,
        modelVersion: active.version,
        probabilityOfDefault: pd,
        score: scored.score,
        grade: scored.grade,
        decision: outcome,
        featuresDigest: inputDigest,
        details: {
          applicantToken: tokens.idToken,
          amount: req.amount,
          termMonths: req.termMonths,
          status: outcome === 'review' ? 'review' : 'decided',
          reasonCodes,
          ruleHits: rules.hits,
          flags,
          rulesVersion: rules.rulesVersion,
          policyVersion: loaded.version,
          apr: outcome === 'reject' ? null : offer.apr,
          creditLimit: outcome === 'reject' ? 0 : offer.creditLimit,
          rulesContext: ctx,
          apiKeyId: opts.apiKeyId,
          auditSeq,
        },
      }),
    link: linkRow(applicationId, event),
    ...(outcome === 'review' ? { review: reviewRow(applicationId, { reasonCodes, proposedApr: offer.apr, proposedLimit: offer.creditLimit }, now) } : {}),
    ...(opts.idempotency ? { idempotency: opts.idempotency(answer) } : {}),
    ...(callback ? { callback } : {}),
  });
  return { answer, callback, reasonCodes, ruleHits: rules.hits };
}
