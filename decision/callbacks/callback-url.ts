import { invalid } from '../../common/errors.js';

export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * Validates the callback URL an application asks for: an absolute http(s) URL of at most 2048 characters without
 * credentials (they would be stored and sent in clear). Returns the normalised URL. Errors name `callbackUrl`.
 * Which hosts are reachable (e.g. refusing private networks) is a deployment decision left to the caller.
 */
export function validateCallbackUrl(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid('callbackUrl', 'must be a non-empty string');
  if (raw.length > MAX_CALLBACK_URL_LENGTH) throw invalid('callbackUrl', `must be at most ${MAX_CALLBACK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('callbackUrl', 'must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('callbackUrl', 'must use http or https');
  if (url.username !== '' || url.password !== '') throw invalid('callbackUrl', 'must not contain credentials');
  if (url.hostname === '') throw invalid('callbackUrl', 'must name a host');
  if (url.href.length > MAX_CALLBACK_URL_LENGTH) throw invalid('callbackUrl', `must be at most ${MAX_CALLBACK_URL_LENGTH} characters`);
  return url.href;
}
