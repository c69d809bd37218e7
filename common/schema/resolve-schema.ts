/**
 * Which schema a job uses, decided once at the edge: an explicit `--schema FILE`, else one inferred from the WHOLE
 * CSV when `--label/--bad` are given (before any partitioning, so every node gets the same levels), else the schema
 * shipped next to a bundled data set.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { FedriskError } from '../errors.js';
import type { FeatureSchema } from './feature-schema.js';
import { parseCsv } from './csv-parser.js';
import { inferSchema } from './infer-schema.js';
import { loadSchemaFile } from './validate-schema.js';
import { resolveDataset } from './dataset-registry.js';

export interface SchemaSource {
  /** Bundled data set name or CSV path. */
  dataset: string;
  schemaPath?: string | undefined;
  label?: string | undefined;
  bad?: string | undefined;
}

export function resolveSchema(src: SchemaSource): { schema: FeatureSchema; csvPath: string; name: string; origin: 'file' | 'inferred' | 'bundled' } {
  const ds = resolveDataset(src.dataset);
  if (src.schemaPath) return { schema: loadSchemaFile(src.schemaPath), csvPath: ds.csvPath, name: ds.name, origin: 'file' };
  if (src.label !== undefined || src.bad !== undefined) {
    if (!src.label || !src.bad) throw new FedriskError('INVALID_ARGUMENT', '--label and --bad go together', { field: src.label ? 'bad' : 'label' });
    const csv = parseCsv(readFileSync(ds.csvPath, 'utf8'), { source: ds.csvPath });
    const name = ds.name || basename(ds.csvPath, extname(ds.csvPath));
    return { schema: inferSchema(csv.header, csv.rows, { name, label: src.label, bad: src.bad }), csvPath: ds.csvPath, name, origin: 'inferred' };
  }
  if (ds.schemaPath) return { schema: loadSchemaFile(ds.schemaPath), csvPath: ds.csvPath, name: ds.name, origin: 'bundled' };
  throw new FedriskError('INVALID_ARGUMENT', `no schema for ${src.dataset}: give --schema FILE or --label COLUMN --bad VALUE`, { field: 'schema' });
}
