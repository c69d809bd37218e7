/**
 * The decision service's HTTP shell (express): authentication by API key and role, body parsing (64 KB), thin routes
 * that validate and call the transport-neutral handlers, /metrics, /openapi.json and /docs. Errors become responses in
 * one middleware (error-middleware.ts) through the one status table.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Application, type Request, type RequestHandler } from 'express';
import { FedriskError, invalid } from '../../common/errors.js';
import { applicationStatus } from '../service/application-intake.js';
import { adminHandlers } from '../service/admin-handlers.js';
import type { DecisionService } from '../service/open-decision-service.js';
import type { ApiKeyRole } from '../store/api-key-store.js';
import { errorMiddleware, fromBodyParserError, notFoundRoute, unreadableBodyError } from './error-middleware.js';
import { authenticate, type Principal } from './require-role.js';
import { APPLICATION_ROLES, applicationsRoute, MAX_BODY } from './applications-route.js';
import { buildOpenApi } from './openapi.js';
import { docsPage } from './docs-page.js';
import { createApplicationLane } from './application-lane.js';

const parseJson: RequestHandler = express.json({ limit: MAX_BODY, strict: true });

/**
 * express.json, with every failure to read or decode the body answered as the client's fault: body-parser passes
 * some through untyped (a zlib error on a body marked gzip that is not), which would otherwise be a 500.
 */
const jsonBody: RequestHandler = (req, res, next) => {
  parseJson(req, res, (err?: unknown) => next(err === undefined ? undefined : (fromBodyParserError(err) ?? unreadableBodyError())));
};

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

/**
 * The service's request listener: the fast lane for POST /v1/applications (application-lane.ts) in front of the
 * express app. `lane: false` serves everything through express (the differential test compares the two).
 */
export function createDecisionHttpHandler(svc: DecisionService, options: { lane?: boolean } = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createDecisionApp(svc);
  if (options.lane === false) return app;
  const lane = createApplicationLane(svc, svc.log);
  return (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
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
      res.locals['principal'] = await authenticate(svc.apiKeys, req.get('authorization'), roles);
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
  app.post('/v1/applications', noStore, auth(...APPLICATION_ROLES), jsonBody, async (req, res) => {
    const answer = await applicationsRoute(svc, { mode: req.query['mode'], idempotencyKey: req.headers['idempotency-key'], body: req.body as unknown, principal: principal(res) });
    res.set(answer.headers).status(answer.status).json(answer.body);
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
