import { FedriskError } from '../../common/errors.js';
import { MODEL_FORMAT, type LogisticModel } from '../../common/model/logistic-model.js';
import { encodedWidth, parseSchema } from '../../common/schema/index.js';

/** Versions travel in URLs, logs and CLI output: keep them to a safe, bounded alphabet. */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/;

function bad(field: string, message: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `model ${field}: ${message}`, { field: `model.${field}` });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteArray(v: unknown, field: string, length: number): number[] {
  if (!Array.isArray(v)) throw bad(field, 'must be an array of numbers');
  if (v.length !== length) throw bad(field, `must have ${length} entries, has ${v.length}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`${field}[${i}]`, 'must be a finite number');
  });
  return v as number[];
}

/**
 * Checks that a model can actually score before it is stored or used: a model whose weights do not match its own
 * schema's encoded width would otherwise fail (or silently mis-score) on the first application, long after deploy.
 * Runs on deploy and again on load, because another process (the node) writes the same store.
 */
export function checkModel(input: unknown): LogisticModel {
  if (!isRecord(input)) throw bad('body', 'must be an object');
  if (input.format !== MODEL_FORMAT) throw bad('format', `must be ${MODEL_FORMAT}`);
  if (input.kind !== 'logistic') throw bad('kind', 'must be logistic');
  if (typeof input.version !== 'string' || !MODEL_VERSION_PATTERN.test(input.version)) {
    throw bad('version', 'must be 1-200 characters of letters, digits and . _ : + -');
  }
  if (typeof input.createdAt !== 'string' || Number.isNaN(Date.parse(input.createdAt))) {
    throw bad('createdAt', 'must be an ISO-8601 time');
  }
  const schema = parseSchema(input.schema, 'model.schema');
  const width = encodedWidth(schema);
  const weights = finiteArray(input.weights, 'weights', width);
  if (typeof input.bias !== 'number' || !Number.isFinite(input.bias)) throw bad('bias', 'must be a finite number');
  const std = input.standardisation;
  if (!isRecord(std)) throw bad('standardisation', 'must be an object');
  const numeric = schema.features.filter((f) => f.kind === 'numeric').length;
  const mean = finiteArray(std.mean, 'standardisation.mean', numeric);
  const sd = finiteArray(std.std, 'standardisation.std', numeric);
  sd.forEach((s, i) => {
    if (!(s > 0)) throw bad(`standardisation.std[${i}]`, 'must be positive');
  });
  const provenance = input.provenance;
  if (!isRecord(provenance)) throw bad('provenance', 'must be an object');
  for (const [k, v] of Object.entries(provenance)) {
    const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw bad(`provenance.${k}`, 'must be a string, finite number, boolean or null');
  }
  // A fresh object of the known keys only: what is stored (and compared on redeploy) is exactly what scores.
  return {
    format: MODEL_FORMAT,
    kind: 'logistic',
    version: input.version,
    schema,
    standardisation: { mean: [...mean], std: [...sd] },
    weights: [...weights],
    bias: input.bias,
    createdAt: input.createdAt,
    provenance: provenance as LogisticModel['provenance'],
  };
}