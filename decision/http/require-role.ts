import type { RequestHandler } from 'express';
import { FedriskError } from '../../common/errors.js';
import type { ApiKeyRole, ApiKeyStore } from '../store/api-key-store.js';

/** The caller as established by its API key. */
export interface Principal {
  keyId: string;
  role: ApiKeyRole;
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/** Extracts the key from an `Authorization: Bearer <key>` header (null when absent or not a bearer credential). */
export function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const m = BEARER.exec(header);
  return m ? m[1]! : null;
}

/**
 * Route guard: 401 when the key is missing or unknown (with a `WWW-Authenticate` challenge), 403 when it is valid
 * but its role is not allowed here. It runs before the body is parsed, so an unauthenticated caller cannot make the
 * service parse JSON at all. The principal is left in `res.locals.principal` for later audit use.
 */
export function requireRole(apiKeys: Pick<ApiKeyStore, 'verify'>, roles: readonly ApiKeyRole[]): RequestHandler {
  return async (req, res, next) => {
    const key = bearerKey(req.get('authorization'));
    if (key === null) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new FedriskError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)', {
        field: 'authorization',
      });
    }
    const found = await apiKeys.verify(key);
    if (!found) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new FedriskError('UNAUTHENTICATED', 'unknown or revoked API key', { field: 'authorization' });
    }
    if (!roles.includes(found.role)) {
      throw new FedriskError('PERMISSION_DENIED', `this API key's role may not call this endpoint`, {
        field: 'authorization',
      });
    }
    const principal: Principal = { keyId: found.id, role: found.role };
    res.locals['principal'] = principal;
    next();
  };
}
