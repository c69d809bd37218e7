import { FedriskError } from '../../common/errors.js';
import type { ApiKeyRole } from '../store/api-key-store.js';

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

/** What verifies a key (the service's cached key store). */
export interface KeyVerifier {
  verify(key: string): Promise<{ id: string; role: ApiKeyRole } | null>;
}

/**
 * Authenticates an `Authorization` header for one of `roles`, for both HTTP lanes: UNAUTHENTICATED (with `challenge`
 * set when no key was given: errorResponse then adds `WWW-Authenticate: Bearer`) or PERMISSION_DENIED.
 */
export async function authenticate(keys: KeyVerifier, header: string | undefined, roles: readonly ApiKeyRole[]): Promise<Principal> {
  const key = bearerKey(header);
  if (key === null) throw new FedriskError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)', { field: 'authorization', challenge: true });
  const found = await keys.verify(key);
  if (!found) throw new FedriskError('UNAUTHENTICATED', 'unknown or revoked API key', { field: 'authorization' });
  if (!roles.includes(found.role)) throw new FedriskError('PERMISSION_DENIED', "this API key's role may not call this endpoint", { field: 'authorization' });
  return { keyId: found.id, role: found.role };
}
