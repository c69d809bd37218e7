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
