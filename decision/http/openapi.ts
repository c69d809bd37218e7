/**
 * /openapi.json, generated from the same zod schemas that validate requests (zod-to-json-schema), so the document
 * cannot drift from what the service accepts. Responses are described next to it.
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { FeatureSchema } from '../../common/schema/index.js';
import { applicationRequestSchema, FEATURES_JSON_SCHEMA } from '../intake/application-request.js';

type Json = Record<string, unknown>;

const errorBody: Json = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } }, required: ['code', 'message'] } },
};

const decisionAnswer: Json = {
  type: 'object',
  properties: {
    applicationId: { type: 'string', format: 'uuid' },
    decision: { enum: ['approve', 'review', 'reject'] },
    reason: { type: 'string', description: 'generic external text; internal reason codes are never returned' },
    grade: { enum: ['A', 'B', 'C', 'D', 'E'] },
    score: { type: 'integer' },
    probabilityOfDefault: { type: 'number' },
    apr: { type: ['number', 'null'], description: 'annual rate, never above the cap (36% at most)' },
    creditLimit: { type: ['number', 'null'] },
    modelVersion: { type: 'string' },
    rulesVersion: { type: 'integer' },
  },
};

const errors = (codes: number[]): Json =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'error', content: { 'application/json': { schema: errorBody } } }]));

function op(summary: string, roles: string, extra: Json = {}): Json {
  return { summary, description: `Roles: ${roles}.`, security: [{ apiKey: [] }], ...extra };
}

/**
 * `features` as the active model's schema defines them: the same FeatureSchema that validateFeatures holds every
 * request to (names, numbers or levels, which may be missing), so a lender's developer sees the exact fields.
 */
export function featuresJsonSchema(schema: FeatureSchema): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const f of schema.features) {
    const mayBeMissing = f.kind === 'numeric' ? f.missing === 'mean' : f.missing === 'level';
    if (!mayBeMissing) required.push(f.name);
    properties[f.name] =
      f.kind === 'numeric'
        ? { type: 'number', nullable: mayBeMissing, description: `numeric${mayBeMissing ? '; null or absent: the consortium mean' : ''}` }
        : { type: 'string', enum: [...f.levels], nullable: mayBeMissing, description: `one of the levels${mayBeMissing ? '; null or absent: missing' : ''}` };
  }
  return {
    type: 'object',
    description: `the features of schema ${schema.name} v${schema.version} (the active model's)`,
    properties,
    required,
    additionalProperties: false,
  };
}

let cached: { key: string; doc: Json } | null = null;

/**
 * The OpenAPI document. `features` is described from the active model's schema when one is given (the document is
 * rebuilt when the schema changes), and generically otherwise.
 */
export function buildOpenApi(featureSchema?: FeatureSchema | null): Json {
  const key = featureSchema ? `${featureSchema.name}@${featureSchema.version}:${JSON.stringify(featureSchema.features)}` : '';
  if (cached && cached.key === key) return cached.doc;
  const request = zodToJsonSchema(applicationRequestSchema, { target: 'openApi3', $refStrategy: 'none' }) as Json;
  (request['properties'] as Json)['features'] = featureSchema ? featuresJsonSchema(featureSchema) : FEATURES_JSON_SCHEMA;
  const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
  const doc: Json = {
    openapi: '3.0.3',
    info: {
      title: 'fedrisk decision API',
      version: '1',
      description:
        'Loan decisions for lender apps: layered rules, the consortium model, pricing under the APR cap, credit lines, manual review, lists, versioned rules and policy, a hash-chained audit log.',
    },
    components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key (roles: app, reviewer, admin)' } } },
    paths: {
      '/v1/applications': {
        post: op('Decide a loan application', 'app, admin', {
          parameters: [
            { name: 'mode', in: 'query', schema: { enum: ['async'] }, description: 'async: 202 at once, result by GET or callback' },
            { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', maxLength: 128 }, description: 'a replay returns the same answer' },
          ],
          requestBody: { required: true, ...json(request as Json) },
          responses: {
            '201': { description: 'decided', ...json(decisionAnswer) },
            '202': { description: 'accepted (async): {applicationId, status: "reviewing"}' },
            ...errors([400, 401, 403, 413, 422, 503]),
          },
        }),
      },
      '/v1/applications/{id}': { get: op('Status or result of an application', 'app, reviewer, admin', { responses: { '200': { description: 'status and decision' }, ...errors([400, 404]) } }) },
      '/v1/reviews': { get: op('Pending and claimed manual reviews', 'reviewer, admin', { responses: { '200': { description: 'page of reviews' } } }) },
      '/v1/reviews/{id}/claim': { post: op('Claim a review', 'reviewer, admin', { responses: { '200': { description: 'claimed' }, ...errors([404, 409]) } }) },
      '/v1/reviews/{id}/decision': {
        post: op('Decide a claimed review (limit and APR override, capped)', 'reviewer, admin', {
          requestBody: json({ type: 'object', properties: { outcome: { enum: ['approve', 'reject'] }, creditLimit: { type: 'number' }, apr: { type: 'number' }, note: { type: 'string', maxLength: 1000 } }, required: ['outcome'] }),
          responses: { '200': { description: 'applied decision (aprCapped tells whether the cap applied)' }, ...errors([400, 404, 409]) },
        }),
      },
      '/v1/lists': {
        get: op('List black/white entries', 'admin, reviewer', { responses: { '200': { description: 'entries (tokens, never raw values)' } } }),
        post: op('Add a black/white entry', 'admin', {
          requestBody: json({ type: 'object', properties: { list: { enum: ['black', 'white'] }, kind: { enum: ['idNumber', 'phone', 'bankCard', 'deviceId'] }, value: { type: 'string' }, reason: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } }, required: ['list', 'kind', 'value', 'reason'] }),
          responses: { '201': { description: 'added' }, ...errors([400, 409]) },
        }),
      },
      '/v1/lists/{id}': { delete: op('Remove an entry', 'admin', { responses: { '200': { description: 'removed' }, ...errors([404]) } }) },
      '/v1/rules': {
        get: op('Active rule set (JDM)', 'admin', { responses: { '200': { description: 'version and document' } } }),
        put: op('New rule version (validated, hot-reloaded; ?activate=false to stage)', 'admin', { responses: { '201': { description: 'version' }, ...errors([400]) } }),
      },
      '/v1/rules/versions': { get: op('All rule versions', 'admin', { responses: { '200': { description: 'versions' } } }) },
      '/v1/rules/versions/{version}/activate': { post: op('Activate an older version (rollback)', 'admin', { responses: { '200': { description: 'active' }, ...errors([404]) } }) },
      '/v1/rules/dry-run': { post: op('Replay the last N applications through a candidate rule set', 'admin', { responses: { '200': { description: 'transitions and examples' }, ...errors([400]) } }) },
      '/v1/policy': {
        get: op('Active policy (grades, prices, limits) and the APR cap', 'admin', { responses: { '200': { description: 'policy' } } }),
        put: op('New policy version (validated; prices above the cap refused)', 'admin', { responses: { '201': { description: 'version' }, ...errors([400]) } }),
      },
      '/v1/policy/versions': { get: op('All policy versions', 'admin', { responses: { '200': { description: 'versions' } } }) },
      '/v1/policy/versions/{version}/activate': { post: op('Activate an older policy', 'admin', { responses: { '200': { description: 'active' } } }) },
      '/v1/applicants/token': { post: op("An applicant's token from an ID number (for erasure)", 'admin', { responses: { '200': { description: '{token}' }, ...errors([400]) } }) },
      '/v1/applicants/{token}': { delete: op('Withdraw consent: erase the applicant\'s PII (the audit chain stays verifiable)', 'admin', { responses: { '200': { description: 'erased' }, ...errors([404]) } }) },
      '/v1/admin/pii/rotate-key': { post: op('Rotate the PII key: re-encrypt in place, retire the old key', 'admin', { responses: { '200': { description: 'rotation result' } } }) },
      '/v1/admin/pii/purge': { post: op('Purge PII of closed applications older than the retention period', 'admin', { responses: { '200': { description: 'purged count' } } }) },
      '/v1/audit/verify': { get: op('Verify the hash-chained audit log', 'admin', { responses: { '200': { description: 'ok' }, '409': { description: 'broken: names the first broken entry' } } }) },
      '/metrics': { get: op('Prometheus metrics', 'admin', { responses: { '200': { description: 'text exposition' } } }) },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
      '/readyz': { get: { summary: 'Readiness (an active model)', responses: { '200': { description: 'ready' }, '503': { description: 'no model' } } } },
    },
  };
  cached = { key, doc };
  return doc;
}
