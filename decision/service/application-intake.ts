/**
 * Intake of loan applications around the pipeline: synchronous or asynchronous (202 at once, decision behind it,
 * an HMAC-signed callback), `Idempotency-Key` replays, the consent refusal (422, only the refusal is kept), metrics.
 * Transport-neutral: the HTTP route passes the parsed body and headers.
 */
import { FedriskError } from '../../common/errors.js';
import { callbackDeliveryFromRow, validateCallbackUrl } from '../callbacks/index.js';
import { idempotencyRequestDigest } from '../idempotency/index.js';
import { decideApplication, validateApplication, type DecideOptions, type DecisionAnswer, type DecideResult } from '../pipeline/decide-application.js';
import type { DecisionService } from './open-decision-service.js';

export interface IntakeRequest {
  body: unknown;
  apiKeyId: string;
  idempotencyKey: string | null;
  mode: 'sync' | 'async';
}

export interface IntakeResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** What GET /v1/applications/:id answers. */
export interface ApplicationStatusView {
  applicationId: string;
  status: 'reviewing' | 'decided' | 'failed';
  decision?: DecisionAnswer['decision'];
  reason?: string;
  grade?: string;
  score?: number;
  probabilityOfDefault?: number;
  apr?: number | null;
  creditLimit?: number | null;
  modelVersion?: string;
  rulesVersion?: number;
  createdAt?: string;
}

const asyncFailures = new Map<string, string>();

function callbackUrlOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const raw = (body as Record<string, unknown>)['callbackUrl'];
  return raw === undefined ? null : validateCallbackUrl(raw);
}

async function recordRefusal(svc: DecisionService, err: unknown): Promise<void> {
  if (!(err instanceof FedriskError)) return;
  svc.metrics.refusals.inc({ code: err.code });
  if (err.code === 'UNPROCESSABLE' && err.details.field === 'consent') {
    // Nothing of the application is kept: only that a refusal happened, and when.
    await svc.pipeline.writer.submit({ audit: { kind: 'decision', at: new Date().toISOString(), record: { type: 'consent-refused' } } });
  }
}

function observe(svc: DecisionService, started: bigint, result: DecideResult): void {
  svc.metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9);
  svc.metrics.outcomes.inc({ outcome: result.answer.decision });
  for (const h of result.ruleHits) svc.metrics.ruleHits.inc({ rule: h.ruleId, action: h.action });
}

async function runSync(svc: DecisionService, req: IntakeRequest, toRow?: DecideOptions['idempotency']): Promise<DecisionAnswer> {
  const started = process.hrtime.bigint();
  await svc.turns.turn();
  const result = await decideApplication(svc.pipeline, req.body, { apiKeyId: req.apiKeyId, ...(toRow ? { idempotency: toRow } : {}) });
  observe(svc, started, result);
  return result.answer;
}

function startAsync(svc: DecisionService, req: IntakeRequest): { applicationId: string } {
  // Everything checkable is checked before the 202: a malformed request never gets "reviewing".
  validateApplication(req.body, svc.pipeline);
  const callbackUrl = callbackUrlOf(req.body);
  const applicationId = svc.pipeline.newId();
  const started = process.hrtime.bigint();
  const job = svc.turns
    .turn()
    .then(() => decideApplication(svc.pipeline, req.body, { apiKeyId: req.apiKeyId, callbackUrl, applicationId }))
    .then((result) => {
      observe(svc, started, result);
      if (result.callback) svc.callbacks.dispatch(callbackDeliveryFromRow(result.callback));
    })
    .catch((err: unknown) => {
      asyncFailures.set(applicationId, err instanceof FedriskError ? err.code : 'INTERNAL');
      svc.log.error('async decision failed', { applicationId, error: err instanceof Error ? err.message : String(err) });
    })
    .finally(() => svc.pendingAsync.delete(applicationId));
  svc.pendingAsync.set(applicationId, job);
  return { applicationId };
}

export async function submitApplication(svc: DecisionService, req: IntakeRequest): Promise<IntakeResponse> {
  try {
    if (req.mode === 'sync' && callbackUrlOf(req.body) !== null) {
      throw new FedriskError('INVALID_ARGUMENT', 'callbackUrl: is only used with ?mode=async', { field: 'callbackUrl' });
    }
    if (req.idempotencyKey === null) {
      if (req.mode === 'async') return { status: 202, body: { ...startAsync(svc, req), status: 'reviewing' }, replayed: false };
      return { status: 201, body: await runSync(svc, req), replayed: false };
    }
    const gated = await svc.idempotency.run(
      { apiKeyId: req.apiKeyId, key: req.idempotencyKey, requestDigest: idempotencyRequestDigest({ body: req.body, mode: req.mode }) },
      async (ctx) => {
        if (req.mode === 'async') {
          const { applicationId } = startAsync(svc, req);
          return { status: 202, body: { applicationId, status: 'reviewing' }, applicationId };
        }
        const answer = await runSync(svc, req, (a) => ctx.row({ status: 201, body: a }, a.applicationId));
        return { status: 201, body: answer, applicationId: answer.applicationId, stored: true };
      },
    );
    return { status: gated.status, body: gated.body, replayed: gated.replayed };
  } catch (err) {
    await recordRefusal(svc, err);
    throw err;
  }
}

export async function applicationStatus(svc: DecisionService, id: string): Promise<ApplicationStatusView> {
  if (svc.pendingAsync.has(id)) return { applicationId: id, status: 'reviewing' };
  const failed = asyncFailures.get(id);
  if (failed) return { applicationId: id, status: 'failed', reason: `the decision could not be made (${failed}); submit again` };
  const record = await svc.applications.get(id);
  if (!record) throw new FedriskError('NOT_FOUND', `no application with id ${id}`, { field: 'id' });
  const d = record.details;
  let decision = record.decision;
  let apr = d?.apr ?? null;
  let creditLimit = d?.creditLimit ?? null;
  let status: ApplicationStatusView['status'] = 'decided';
  if (d?.status === 'review') {
    const review = await svc.reviews.get(id).catch(() => null);
    if (review && review.status === 'decided' && review.outcome) {
      decision = review.outcome;
      apr = review.finalApr;
      creditLimit = review.finalLimit;
    } else {
      status = 'reviewing';
      apr = null;
      creditLimit = null;
    }
  }
  return {
    applicationId: record.id,
    status,
    decision,
    reason: decision === 'approve' ? 'approved' : decision === 'reject' ? 'overall score below standard' : 'under review',
    grade: record.grade,
    score: record.score,
    probabilityOfDefault: record.probabilityOfDefault,
    apr: decision === 'approve' ? apr : null,
    creditLimit: decision === 'approve' ? creditLimit : decision === 'reject' ? 0 : null,
    modelVersion: record.modelVersion,
    ...(d ? { rulesVersion: d.rulesVersion } : {}),
    createdAt: record.createdAt,
  };
}
