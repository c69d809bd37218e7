import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level: two equal values always give the same text, so bodies can be
 * compared byte for byte (model deploys) and digested (application inputs) regardless of key order on the wire.
 * Non-finite numbers are refused rather than silently turned into `null` as JSON.stringify would.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (depth > 64) throw new TypeError('canonicalJson: value nested too deeply');
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
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + write(value[i], depth + 1);
        return out + ']';
      }
      if (ArrayBuffer.isView(value)) return write(Array.from(value as unknown as ArrayLike<number>), depth);
      const obj = value as Record<string, unknown>;
      // Plain loops rather than filter/sort/map chains: this runs on every decision (input digest, audit record).
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + write(v, depth + 1);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}

/** SHA-256 (hex) of the canonical JSON of a value. */
export function canonicalDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
