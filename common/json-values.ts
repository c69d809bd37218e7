/**
 * Small checks on untrusted JSON values, shared by every validator, so they all agree on what a plain object is and
 * describe a wrong value the same way (without echoing more than 40 characters of it into an error message).
 */

/** A JSON object parsed from a request: not null, not an array, no exotic prototype. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** How a wrong value is named in an error message. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** An own property only (never one inherited from Object.prototype, such as `constructor`). */
export function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
