import { randomUUID } from 'node:crypto';
import { FedriskError, invalid } from '../common/errors.js';
import { predictProbability } from '../common/model/logistic-model.js';
import { encodeRow, validateFeatures } from '../common/schema/index.js';
import { canonicalDigest } from './canonical-json.js';
import type { ActiveModel } from './scoring/active-model-cache.js';
import { scoreProbability, type Decision, type Grade, type ScoringPolicy } from './scoring/score-card.js';
import type { ApplicationRecord, ApplicationStore } from './store/application-store.js';

/** What the transport-neutral handlers need; the HTTP shell and tests build it once. */
export interface DecisionDeps {
  /** Source of the active model (an {@link ActiveModelCache} in production). */
  models: { current(): ActiveModel | null };
  applications: ApplicationStore;
  policy: ScoringPolicy;
  now?: () => Date;
  newId?: () => string;
}

/** The answer to one application. Deliberately no reasons: the applicant only ever gets a generic one. */
export interface DecisionResult {
  applicationId: string;
  decision: Decision;
  probabilityOfDefault: number;
  score: number;
  grade: Grade;
  modelVersion: string;
}

/** A stored decision as it is read back (no input, no digest). */
export interface ApplicationView extends DecisionResult {
  createdAt: string;
}

/** Top-level fields a request may carry; anything else is refused so a misspelt field is never silently ignored. */
const REQUEST_FIELDS = new Set(['features']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Checks the request envelope; the features themselves can only be checked against the active model's schema. */
function envelope(body: unknown): { features: unknown } {
  if (!isPlainObject(body)) throw invalid('body', 'must be a JSON object like {"features": {...}}');
  for (const key of Object.keys(body)) {
    if (!REQUEST_FIELDS.has(key)) throw invalid(key, 'is not a field of an application request');
  }
  if (!Object.prototype.hasOwnProperty.call(body, 'features')) throw invalid('features', 'is required');
  return { features: body['features'] };
}

/** The model layer's one call: probability of default for a validated application under the active model. */
function score(active: ActiveModel, features: unknown): { pd: number; digest: string } {
  const { model } = active;
  const row = validateFeatures(model.schema, features, 'features');
  const x = encodeRow(model.schema, model.standardisation, row, active.scratch);
  const pd = predictProbability(model, x);
  if (!Number.isFinite(pd)) {
    throw new FedriskError('UNPROCESSABLE', 'features: these values cannot be scored by the active model', {
      field: 'features',
    });
  }
  return { pd, digest: canonicalDigest(row) };
}

/**
 * Scores one loan application with the active model and records the decision. Order matters: the envelope is
 * checked first (its errors do not depend on a model), then 503 if no model is active, then the features against
 * that model's own schema, so a caller always learns the exact field at fault. Only a digest of the validated input
 * is stored.
 */
export async function decideApplication(deps: DecisionDeps, body: unknown): Promise<DecisionResult> {
  const { features } = envelope(body);
  const active = deps.models.current();
  if (!active) throw new FedriskError('UNAVAILABLE', 'no active model: the service cannot score yet');
  const { pd, digest } = score(active, features);
  const scored = scoreProbability(pd, deps.policy);
  const record: ApplicationRecord = {
    id: (deps.newId ?? randomUUID)(),
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
    modelVersion: active.version,
    probabilityOfDefault: pd,
    score: scored.score,
    grade: scored.grade,
    decision: scored.decision,
    featuresDigest: digest,
  };
  await deps.applications.insert(record);
  return {
    applicationId: record.id,
    decision: record.decision,
    probabilityOfDefault: record.probabilityOfDefault,
    score: record.score,
    grade: record.grade,
    modelVersion: record.modelVersion,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads back a decision by id (NOT_FOUND if unknown; an id that is not a uuid is refused up front). */
export async function getApplication(deps: Pick<DecisionDeps, 'applications'>, id: unknown): Promise<ApplicationView> {
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid('id', 'must be an application id (uuid)');
  const record = await deps.applications.get(id.toLowerCase());
  if (!record) throw new FedriskError('NOT_FOUND', `no application with id ${id}`, { field: 'id' });
  return {
    applicationId: record.id,
    createdAt: record.createdAt,
    decision: record.decision,
    probabilityOfDefault: record.probabilityOfDefault,
    score: record.score,
    grade: record.grade,
    modelVersion: record.modelVersion,
  };
}
