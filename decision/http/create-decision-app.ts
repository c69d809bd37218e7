/**
 * The decision service's HTTP shell (express): authentication by API key and role, body parsing (64 KB), thin routes
 * that validate and call the transport-neutral handlers, /metrics, /openapi.json and /docs. Errors become responses in
 * one middleware (error-middleware.ts) through the one status table.
 */
import express, { type Application, type Request, type RequestHandler } from 'express';
import { FedriskError, invalid } from '../../common/errors.js';
import { parseIdempotencyKeyHeader } from '../idempotency/index.js';
import { submitApplication, applicationStatus } from '../service/application-intake.js';
import { adminHandlers } from '../service/admin-handlers.js';
import type { DecisionService } from '../service/open-decision-service.js';
import type { ApiKeyRole } from '../store/api-key-store.js';
import { errorMiddleware, notFoundRoute } from './error-middleware.js';
import { bearerKey, type Principal } from './require-role.js';
import { buildOpenApi } from './openapi.js';
import { docsPage } from './docs-page.js';

export const MAX_BODY = '64kb';

const jsonBody: RequestHandler = express.json({ limit: MAX_BODY, strict: true });

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function idParam(req: Request, name = 'id'): string {
  const v = req.params[name];
  if (typeof v !== 'string' || !UUID.test(v)) throw invalid(name, 'must be a uuid');
  return v.toLowerCase();
}

function intParam(raw: unknown, field: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(field, `must be an integer between ${min} and ${max}`);
  return n;
}

function principal(res: express.Response): Principal {
  return res.locals['principal'] as Principal;
}

export function createDecisionApp(svc: DecisionService): Application {
  const admin = adminHandlers(svc);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  /** Authenticates the API key and checks its role; the principal is then `res.locals.principal`. */
  const auth =
    (...roles: ApiKeyRole[]): RequestHandler =>
    async (req, res, next) => {
      const key = bearerKey(req.get('authorization'));
      if (key === null) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        throw new FedriskError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)', { field: 'authorization' });
      }
      const found = await svc.apiKeys.verify(key);
      if (!found) throw new FedriskError('UNAUTHENTICATED', 'unknown or revoked API key', { field: 'authorization' });
      if (!roles.includes(found.role)) throw new FedriskError('PERMISSION_DENIED', "this API key's role may not call this endpoint", { field: 'authorization' });
      res.locals['principal'] = { keyId: found.id, role: found.role } satisfies Principal;
      next();
    };

  // ---- open: probes and documentation ----
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const active = svc.models.current();
    if (!active) throw new FedriskError('UNAVAILABLE', 'no active model yet');
    res.json({ status: 'ready', modelVersion: active.version, rulesVersion: svc.pipeline.rules.current().version, policyVersion: svc.pipeline.policy.current().version });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApi(svc.models.current()?.model.schema));
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsPage(buildOpenApi(svc.models.current()?.model.schema)));
  });

  // ---- applications ----
  app.post('/v1/applications', noStore, auth('app', 'admin'), jsonBody, async (req, res) => {
    const mode = req.query['mode'] === undefined ? 'sync' : req.query['mode'] === 'async' ? 'async' : null;
    if (mode === null) throw invalid('mode', 'must be async (or absent for a synchronous decision)');
    const result = await submitApplication(svc, {
      body: req.body as unknown,
      apiKeyId: principal(res).keyId,
      idempotencyKey: parseIdempotencyKeyHeader(req.headers['idempotency-key']),
      mode,
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    const id = (result.body as { applicationId?: string }).applicationId;
    if (id) res.location(`/v1/applications/${id}`);
    res.status(result.status).json(result.body);
  });
  app.get('/v1/applications/:id', noStore, auth('app', 'reviewer', 'admin'), async (req, res) => {
    res.json(await applicationStatus(svc, idParam(req)));
  });

  // ---- manual review (L3) ----
  app.get('/v1/reviews', noStore, auth('reviewer', 'admin'), async (req, res) => {
    res.json(await admin.listReviews({ limit: req.query['limit'], offset: req.query['offset'] }));
  });
  app.post('/v1/reviews/:id/claim', noStore, auth('reviewer', 'admin'), async (req, res) => {
    res.json(await admin.claimReview(idParam(req), principal(res).keyId));
  });
  app.post('/v1/reviews/:id/decision', noStore, auth('reviewer', 'admin'), jsonBody, async (req, res) => {
    res.json(await admin.decideReview(idParam(req), principal(res).keyId, req.body as unknown));
  });

  // ---- black and white lists ----
  app.get('/v1/lists', noStore, auth('admin', 'reviewer'), async (req, res) => {
    const q = req.query;
    res.json(
      await admin.listEntries({
        ...(typeof q['list'] === 'string' ? { list: q['list'] as 'black' | 'white' } : {}),
        ...(typeof q['kind'] === 'string' ? { kind: q['kind'] as 'idNumber' } : {}),
        includeExpired: q['includeExpired'] === 'true',
        limit: intParam(q['limit'], 'limit', 100, 1, 1000),
        offset: intParam(q['offset'], 'offset', 0, 0, 1_000_000),
      }),
    );
  });
  app.post('/v1/lists', noStore, auth('admin'), jsonBody, async (req, res) => {
    res.status(201).json(await admin.addListEntry(req.body as unknown, principal(res).keyId));
  });
  app.delete('/v1/lists/:id', noStore, auth('admin'), async (req, res) => {
    res.json(await admin.removeListEntry(idParam(req), principal(res).keyId));
  });

  // ---- rules and policy (versioned, hot-reloaded) ----
  app.get('/v1/rules', noStore, auth('admin'), async (_req, res) => {
    res.json(await admin.activeRules());
  });
  app.get('/v1/rules/versions', noStore, auth('admin'), async (_req, res) => {
    res.json(await admin.listRulesVersions());
  });
  app.put('/v1/rules', noStore, auth('admin'), jsonBody, async (req, res) => {
    const activate = req.query['activate'] !== 'false';
    const note = typeof req.query['note'] === 'string' ? req.query['note'].slice(0, 200) : '';
    res.status(201).json(await admin.putRules(req.body as unknown, principal(res).keyId, note, activate));
  });
  app.post('/v1/rules/versions/:version/activate', noStore, auth('admin'), async (req, res) => {
    res.json(await admin.activateRules(intParam(req.params['version'], 'version', 0, 1, 1_000_000_000), principal(res).keyId));
  });
  app.post('/v1/rules/dry-run', noStore, auth('admin'), jsonBody, async (req, res) => {
    const body = req.body as { document?: unknown; limit?: unknown };
    if (typeof body !== 'object' || body === null || body.document === undefined) throw invalid('document', 'is required: the candidate JDM document');
    const limit = body.limit === undefined ? 1000 : body.limit;
    if (typeof limit !== 'number') throw invalid('limit', 'must be a number');
    res.json(await admin.dryRunRules(body.document, limit));
  });
  app.get('/v1/policy', noStore, auth('admin'), (_req, res) => {
    res.json(admin.activePolicy());
  });
  app.get('/v1/policy/versions', noStore, auth('admin'), async (_req, res) => {
    res.json(await admin.listPolicyVersions());
  });
  app.put('/v1/policy', noStore, auth('admin'), jsonBody, async (req, res) => {
    const activate = req.query['activate'] !== 'false';
    res.status(201).json(await admin.putPolicy(req.body as unknown, principal(res).keyId, '', activate));
  });
  app.post('/v1/policy/versions/:version/activate', noStore, auth('admin'), async (req, res) => {
    res.json(await admin.activatePolicy(intParam(req.params['version'], 'version', 0, 1, 1_000_000_000), principal(res).keyId));
  });

  // ---- privacy and audit ----
  app.post('/v1/applicants/token', noStore, auth('admin'), jsonBody, (req, res) => {
    res.json(admin.applicantToken(req.body as unknown));
  });
  app.delete('/v1/applicants/:token', noStore, auth('admin'), async (req, res) => {
    res.json(await admin.eraseApplicant(String(req.params['token'])));
  });
  app.post('/v1/admin/pii/rotate-key', noStore, auth('admin'), async (_req, res) => {
    res.json(await admin.rotatePiiKey());
  });
  app.post('/v1/admin/pii/purge', noStore, auth('admin'), jsonBody, async (req, res) => {
    const days = (req.body as { retentionDays?: unknown }).retentionDays;
    if (typeof days !== 'number') throw invalid('retentionDays', 'must be a number of days');
    res.json(await admin.purgeRetention(days));
  });
  app.get('/v1/audit/verify', noStore, auth('admin'), async (_req, res) => {
    const r = await admin.verifyAudit();
    res.status(r.ok ? 200 : 409).json(r);
  });
  app.get('/metrics', auth('admin'), async (_req, res) => {
    res.type(svc.metrics.registry.contentType).send(await svc.metrics.registry.metrics());
  });

  app.use(notFoundRoute);
  app.use(errorMiddleware(svc.log));
  return app;
}
