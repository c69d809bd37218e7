import express, { type Application, type RequestHandler } from 'express';
import { FedriskError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { decideApplication, getApplication, type DecisionDeps } from '../application-handler.js';
import type { ApiKeyStore } from '../store/api-key-store.js';
import { errorMiddleware, notFoundRoute } from './error-middleware.js';
import { requireRole } from './require-role.js';

/** Everything the HTTP shell needs: the handlers' dependencies plus authentication and a logger. */
export interface DecisionAppDeps extends DecisionDeps {
  apiKeys: Pick<ApiKeyStore, 'verify'>;
  logger?: Logger;
}

/** Largest accepted request body: an application is a few hundred bytes; anything near this is abuse. */
export const MAX_BODY = '64kb';

/** Per-route JSON parsing (after authentication), so unauthenticated bodies are never parsed. */
const jsonBody: RequestHandler = express.json({ limit: MAX_BODY, strict: true });

const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * The decision service's HTTP surface. Routes only authenticate, parse and call the transport-neutral handlers;
 * all error-to-status mapping happens once, in the error middleware at the end.
 */
export function createDecisionApp(deps: DecisionAppDeps): Application {
  const log = deps.logger ?? silentLogger;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const active = deps.models.current();
    if (!active) throw new FedriskError('UNAVAILABLE', 'no active model yet');
    res.json({ status: 'ready', modelVersion: active.version });
  });

  app.post('/v1/applications', noStore, requireRole(deps.apiKeys, ['app', 'admin']), jsonBody, async (req, res) => {
    const result = await decideApplication(deps, req.body);
    res.status(201).location(`/v1/applications/${result.applicationId}`).json(result);
  });

  app.get('/v1/applications/:id', noStore, requireRole(deps.apiKeys, ['app', 'reviewer', 'admin']), async (req, res) => {
    res.json(await getApplication(deps, req.params['id']));
  });

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}
