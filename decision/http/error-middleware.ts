import type { ErrorRequestHandler, RequestHandler } from 'express';
import { FedriskError, HTTP_STATUS, toFedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';

/** The body of every error response. `field` names the input at fault, when there is one. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    err instanceof Error &&
    typeof (err as Partial<BodyParserError>).type === 'string' &&
    typeof (err as Partial<BodyParserError>).status === 'number'
  );
}

/** The body errors, worded the same whichever HTTP lane read the body. */
export const malformedJsonError = (): FedriskError => new FedriskError('INVALID_ARGUMENT', 'body: malformed JSON', { field: 'body' });
export const bodyTooLargeError = (): FedriskError => new FedriskError('PAYLOAD_TOO_LARGE', 'body: request body too large', { field: 'body' });
export const unreadableBodyError = (): FedriskError => new FedriskError('INVALID_ARGUMENT', 'body: the request body could not be read', { field: 'body' });

/**
 * Turns what the JSON body parser throws into FedriskErrors, so the one status table applies to them too: its own
 * messages mention parser internals (positions, byte counts), which callers do not need.
 */
export function fromBodyParserError(err: unknown): FedriskError | null {
  if (!isBodyParserError(err)) return null;
  switch (err.type) {
    case 'entity.parse.failed':
      return malformedJsonError();
    case 'entity.too.large':
      return bodyTooLargeError();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new FedriskError('INVALID_ARGUMENT', 'body: unsupported content encoding or charset', { field: 'body' });
    default:
      return err.status >= 400 && err.status < 500 ? unreadableBodyError() : null;
  }
}

/** Unknown routes answer in the same JSON error shape as everything else. */
export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new FedriskError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/**
 * The one place an error becomes an HTTP status, a JSON body and a log line (both HTTP lanes call it). Status comes
 * only from `HTTP_STATUS`; INTERNAL errors answer a fixed message (never the internals) and are logged at error level
 * with the cause; client errors are logged at info with the code and field only (never the values, which may be
 * applicants' data).
 */
export function errorResponse(err: unknown, log: Logger, request: { method: string; path: string }): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const fe = fromBodyParserError(err) ?? toFedriskError(err);
  const status = HTTP_STATUS[fe.code];
  const internal = fe.code === 'INTERNAL';
  const field = typeof fe.details.field === 'string' ? fe.details.field : undefined;
  const context = { code: fe.code, status, method: request.method, path: request.path, field };
  if (internal) log.error('request failed', { ...context, err: fe.cause ?? fe });
  else if (status >= 500) log.warn('request refused', context);
  else log.info('request refused', context);
  return {
    status,
    // A request without credentials is told how to authenticate (the error is raised with `challenge` set).
    headers: fe.code === 'UNAUTHENTICATED' && fe.details['challenge'] === true ? { 'WWW-Authenticate': 'Bearer' } : {},
    body: {
      error: {
        code: fe.code,
        message: internal ? 'internal error' : fe.message,
        ...(field !== undefined ? { field } : {}),
      },
    },
  };
}

/** The express end of `errorResponse`. */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      log.error('error after response started', { err, method: req.method, path: req.path });
      next(err);
      return;
    }
    const { status, body, headers } = errorResponse(err, log, req);
    res.set(headers).status(status).json(body);
  };
}
