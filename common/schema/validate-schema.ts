import { readFileSync } from 'node:fs';
import { FedriskError, invalid } from '../errors.js';
import { isMissingCell } from './cell-values.js';
import {
  SCHEMA_FORMAT,
  type CategoricalFeature,
  type Feature,
  type FeatureSchema,
  type LabelSpec,
  type NumericFeature,
} from './feature-schema.js';

/** The one-hot column name of a categorical feature's missing-value position (see `encodedNames`). */
export const MISSING_LEVEL_NAME = '<missing>';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expectObject(v: unknown, path: string, allowed: readonly string[]): Json {
  if (!isObject(v)) throw invalid(path, 'must be an object');
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) throw invalid(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
  }
  return v;
}

function expectName(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalid(path, 'must be a non-empty string');
  // A feature name becomes a key of every RawRow; this one would replace the object's prototype instead.
  if (v === '__proto__') throw invalid(path, 'the name __proto__ is reserved');
  return v;
}

function expectOneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    throw invalid(path, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  return v as T;
}

function expectLevel(v: unknown, path: string): string {
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  // A CSV cell with this text reads as missing, so the level could never be matched.
  if (isMissingCell(v)) throw invalid(path, `${JSON.stringify(v)} reads as a missing cell and cannot be a level`);
  if (v === MISSING_LEVEL_NAME) throw invalid(path, `${MISSING_LEVEL_NAME} is reserved for the missing-value position`);
  return v;
}

function expectUniqueLevels(v: unknown, path: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(v)) throw invalid(path, 'must be an array of strings');
  if (nonEmpty && v.length === 0) throw invalid(path, 'must not be empty');
  const out: string[] = [];
  const seen = new Set<string>();
  v.forEach((item: unknown, k) => {
    const level = expectLevel(item, `${path}[${k}]`);
    if (seen.has(level)) throw invalid(`${path}[${k}]`, `duplicate value ${JSON.stringify(level)}`);
    seen.add(level);
    out.push(level);
  });
  return out;
}

function parseLabel(v: unknown, path: string): LabelSpec {
  const o = expectObject(v, path, ['column', 'bad', 'good']);
  const column = expectName(o['column'], `${path}.column`);
  const bad = expectLevel(o['bad'], `${path}.bad`);
  const good = expectUniqueLevels(o['good'], `${path}.good`, true);
  const k = good.indexOf(bad);
  if (k >= 0) throw invalid(`${path}.good[${k}]`, `the bad value ${JSON.stringify(bad)} cannot also be good`);
  return { column, bad, good };
}

function parseFeature(v: unknown, path: string): Feature {
  if (!isObject(v)) throw invalid(path, 'must be an object');
  const kind = expectOneOf(v['kind'], `${path}.kind`, ['numeric', 'categorical'] as const);
  if (kind === 'numeric') {
    const o = expectObject(v, path, ['name', 'kind', 'scale', 'missing']);
    const name = expectName(o['name'], `${path}.name`);
    const scale = o['scale'];
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
      throw invalid(`${path}.scale`, 'must be a finite number > 0');
    }
    const missing = expectOneOf(o['missing'], `${path}.missing`, ['mean', 'error'] as const);
    const f: NumericFeature = { name, kind, scale, missing };
    return f;
  }
  const o = expectObject(v, path, ['name', 'kind', 'levels', 'missing']);
  const name = expectName(o['name'], `${path}.name`);
  const levels = expectUniqueLevels(o['levels'], `${path}.levels`, true);
  const missing = expectOneOf(o['missing'], `${path}.missing`, ['level', 'error'] as const);
  const f: CategoricalFeature = { name, kind, levels, missing };
  return f;
}

/**
 * Checks a schema document received from outside (a file, a round plan) before anything builds feature vectors from
 * it: a malformed schema would otherwise surface as silently misaligned one-hot columns across nodes. Unknown keys
 * are refused so a misspelt policy cannot be ignored. Returns a fresh copy holding only the known keys. Throws
 * FedriskError('INVALID_ARGUMENT') whose `details.field` is the offending path, e.g. `schema.features[3].scale`.
 */
export function parseSchema(json: unknown, path = 'schema'): FeatureSchema {
  const o = expectObject(json, path, ['format', 'name', 'version', 'label', 'features']);
  if (o['format'] !== SCHEMA_FORMAT) throw invalid(`${path}.format`, `must be ${JSON.stringify(SCHEMA_FORMAT)}`);
  const name = expectName(o['name'], `${path}.name`);
  const version = o['version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw invalid(`${path}.version`, 'must be an integer >= 1');
  }
  const label = parseLabel(o['label'], `${path}.label`);
  const rawFeatures = o['features'];
  if (!Array.isArray(rawFeatures)) throw invalid(`${path}.features`, 'must be an array');
  if (rawFeatures.length === 0) throw invalid(`${path}.features`, 'must not be empty');

  const features: Feature[] = [];
  const names = new Map<string, number>();
  const encoded = new Map<string, string>();
  rawFeatures.forEach((item: unknown, k) => {
    const fpath = `${path}.features[${k}]`;
    const f = parseFeature(item, fpath);
    if (f.name === label.column) throw invalid(`${fpath}.name`, `the label column ${JSON.stringify(f.name)} cannot be a feature`);
    const prev = names.get(f.name);
    if (prev !== undefined) throw invalid(`${fpath}.name`, `duplicate feature name ${JSON.stringify(f.name)} (also features[${prev}])`);
    names.set(f.name, k);
    // Encoded column names label model weights; two features must not produce the same one.
    const cols =
      f.kind === 'numeric'
        ? [f.name]
        : [...f.levels.map((l) => `${f.name}=${l}`), ...(f.missing === 'level' ? [`${f.name}=${MISSING_LEVEL_NAME}`] : [])];
    for (const col of cols) {
      const owner = encoded.get(col);
      if (owner !== undefined) throw invalid(fpath, `encoded column ${JSON.stringify(col)} collides with feature ${JSON.stringify(owner)}`);
      encoded.set(col, f.name);
    }
    features.push(f);
  });
  return { format: SCHEMA_FORMAT, name, version, label, features };
}

/** Reads and validates a schema JSON file; errors name the file. */
export function loadSchemaFile(path: string): FeatureSchema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FedriskError('NOT_FOUND', `cannot read schema file ${path}: ${(err as Error).message}`, { path }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FedriskError('INVALID_ARGUMENT', `${path}: not valid JSON: ${(err as Error).message}`, { path }, { cause: err });
  }
  try {
    return parseSchema(json);
  } catch (err) {
    if (err instanceof FedriskError) {
      throw new FedriskError(err.code, `${path}: ${err.message}`, { ...err.details, path }, { cause: err });
    }
    throw err;
  }
}
