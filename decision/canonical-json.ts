import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: two equal values always give the same text, so bodies can be
 * compared byte for byte (model deploys) and digested (application inputs, audit records) regardless of key order on
 * the wire. Non-finite numbers are refused rather than silently turned into `null` as JSON.stringify would.
 *
 * This runs several times per decision, so it has a fast path: a value that is already canonical in memory (plain
 * objects whose keys iterate in sorted order, finite numbers, no typed arrays or `toJSON`) is exactly what one native
 * JSON.stringify writes, and checking that is a read-only walk. Anything else goes through the general writer.
 * Callers on the hot path build their objects with sorted keys to stay on the fast path; the result is the same
 * text either way (canonical-json.test.ts compares both against a reference on random values).
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

/** Each subtree takes the fast path on its own, so one unsorted object does not slow down its siblings. */
function encode(value: unknown, depth: number): string {
  return isCanonicalInMemory(value, depth) ? JSON.stringify(value) : write(value, depth);
}

/** SHA-256 (hex) of the canonical JSON of a value. */
export function canonicalDigest(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}

const MAX_DEPTH = 64;

function isCanonicalInMemory(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          // JSON.stringify writes null for a hole or undefined in an array; the general writer refuses them.
          if (v === undefined || !isCanonicalInMemory(v, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      let prev: string | null = null;
      for (const k in value) {
        if (prev !== null && !(prev < k)) return false;
        prev = k;
        const v = (value as Record<string, unknown>)[k];
        if (v !== undefined && !isCanonicalInMemory(v, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('canonicalJson: value nested too deeply');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + encode(value[i], depth + 1);
        return out + ']';
      }
      if (ArrayBuffer.isView(value)) return write(Array.from(value as unknown as ArrayLike<number>), depth);
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + encode(v, depth + 1);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}
