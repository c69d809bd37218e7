/**
 * The fast lane for POST /v1/applications: the one hot endpoint served straight on node:http, beside the express app
 * that serves everything else.
 *
 * Why: express's per-request machinery (router, request/response prototype swaps, body-parser, res.json) costs about
 * 100 us of CPU per request on this class of machine, measured against plain node:http doing the same parse and echo
 * (decision/PERFORMANCE.md). That is more than validation, crypto and the model together.
 *
 * The lane takes only the ordinary request: exactly this path, a JSON content type (UTF-8), no content encoding and
 * a body. Anything else (a trailing slash, gzip, another charset or type, other methods) falls through to the express
 * route, which answers it as before. Authentication, the 64 KB limit, the JSON reading rules of body-parser's strict
 * mode, the route itself and the error mapping are the same functions or the same rules in both lanes; a differential
 * test (`application-lane.test.ts`) sends the same requests through both and compares the answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { FedriskError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { DecisionService } from '../service/open-decision-service.js';
import { APPLICATION_ROLES, applicationsRoute, MAX_BODY } from './applications-route.js';
import { bodyTooLargeError, errorResponse, malformedJsonError, unreadableBodyError } from './error-middleware.js';
import { authenticate } from './require-role.js';


const PATH = '/v1/applications';
const JSON_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:"utf-8"|utf-8)[ \t]*)?$/i;

/** True when the lane serves this request; false hands it to the express app unchanged. */
export type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createApplicationLane(svc: DecisionService, log: Logger): Lane {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== PATH) return false;
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_TYPE.test(type)) return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return false;
    void serve(svc, log, req, res, q === -1 ? '' : url.slice(q + 1));
    return true;
  };
}

async function serve(svc: DecisionService, log: Logger, req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  try {
    const principal = await authenticate(svc.apiKeys, req.headers.authorization, APPLICATION_ROLES);
    const body = parseJsonBody(await readBody(req, MAX_BODY));
    const mode = query === '' ? undefined : parseQuery(query)['mode'];
    const answer = await applicationsRoute(svc, { mode, idempotencyKey: req.headers['idempotency-key'], body, principal });
    sendJson(res, answer.status, answer.headers, answer.body);
  } catch (err) {
    if (res.headersSent) {
      log.error('error after response started', { err, method: 'POST', path: PATH });
      return;
    }
    // Logged once, as express's error middleware would; a client that hung up just gets no answer.
    const { status, body, headers } = errorResponse(err, log, { method: 'POST', path: PATH });
    if (res.destroyed) return;
    sendJson(res, status, headers, body);
  }
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The body as UTF-8 text, at most `limit` bytes. Like body-parser, a refused body is still read off the connection
 * before the error (so the answer reaches a client that is still sending).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const declared = req.headers['content-length'];
    const fail = (err: FedriskError): void => {
      req.removeAllListeners('data');
      req.resume();
      if (req.complete) reject(err);
      else {
        req.once('end', () => reject(err));
        req.once('close', () => reject(err));
      }
    };
    if (declared !== undefined && Number(declared) > limit) {
      fail(bodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(bodyTooLargeError());
      else chunks.push(chunk);
    });
    req.once('end', () => {
      if (size <= limit) resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'));
    });
    req.once('error', () => reject(unreadableBodyError()));
    req.once('aborted', () => reject(unreadableBodyError()));
  });
}

const FIRST_NON_SPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

/**
 * body-parser's strict JSON rules: a leading byte-order mark is dropped, an empty body is `{}`, anything but an object
 * or array at the top is malformed.
 */
export function parseJsonBody(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = FIRST_NON_SPACE.exec(body)?.[1];
  if (first !== '{' && first !== '[') throw malformedJsonError();
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw malformedJsonError();
  }
}
