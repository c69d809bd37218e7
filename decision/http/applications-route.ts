/**
 * POST /v1/applications as a transport-neutral route: the query's `mode`, the `Idempotency-Key` header and the parsed
 * body in; status, headers and body out. The express route and the node:http fast lane (application-lane.ts) both
 * call it, so the endpoint behaves the same whichever lane serves a request.
 */
import { invalid } from '../../common/errors.js';
import { parseIdempotencyKeyHeader } from '../idempotency/index.js';
import { submitApplication } from '../service/application-intake.js';
import type { DecisionService } from '../service/open-decision-service.js';
import type { Principal } from './require-role.js';

/** The request body limit of every route, in bytes (both HTTP lanes). */
export const MAX_BODY = 64 * 1024;

/** Roles that may submit applications. */
export const APPLICATION_ROLES = ['app', 'admin'] as const;

export interface ApplicationsRouteRequest {
  /** `mode` from the query string as the query parser gave it (a string, several strings or nothing). */
  mode: unknown;
  idempotencyKey: string | string[] | undefined;
  body: unknown;
  principal: Principal;
}

export interface RouteAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export async function applicationsRoute(svc: DecisionService, req: ApplicationsRouteRequest): Promise<RouteAnswer> {
  const mode = req.mode === undefined ? 'sync' : req.mode === 'async' ? 'async' : null;
  if (mode === null) throw invalid('mode', 'must be async (or absent for a synchronous decision)');
  const result = await submitApplication(svc, {
    body: req.body,
    apiKeyId: req.principal.keyId,
    idempotencyKey: parseIdempotencyKeyHeader(req.idempotencyKey),
    mode,
  });
  const headers: Record<string, string> = {};
  if (result.replayed) headers['Idempotent-Replayed'] = 'true';
  const id = (result.body as { applicationId?: string }).applicationId;
  if (id) headers['Location'] = `/v1/applications/${encodeURIComponent(id)}`;
  return { status: result.status, headers, body: result.body };
}
