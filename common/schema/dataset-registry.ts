import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FedriskError } from '../errors.js';
import type { Dataset, FeatureSchema } from './feature-schema.js';
import { loadCsvDataset } from './load-dataset.js';
import { loadSchemaFile } from './validate-schema.js';

/** Where a data set's files are. `schemaPath` is null when no schema file sits next to the CSV. */
export interface ResolvedDataset {
  name: string;
  csvPath: string;
  schemaPath: string | null;
}

/**
 * The repository's `datasets/` folder, found from this source file rather than the working directory, so
 * `fedrisk simulate --dataset credit_data` works from anywhere in a fresh clone.
 */
export function bundledDatasetsDir(): string {
  return fileURLToPath(new URL('../../datasets/', import.meta.url));
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/**
 * Names of the data sets shipped with the repository (sorted): each is a folder `datasets/<name>/` holding
 * `<name>.csv`, a `schema.json` and a README with provenance and licence.
 */
export function listBundledDatasets(): string[] {
  const dir = bundledDatasetsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isFile(join(dir, e.name, `${e.name}.csv`)))
    .map((e) => e.name)
    .sort();
}

/** A schema next to a CSV: `<base>.schema.json` first (several CSVs in one folder), else the folder's `schema.json`. */
function siblingSchema(csvPath: string): string | null {
  const dir = dirname(csvPath);
  const base = basename(csvPath, extname(csvPath));
  for (const candidate of [join(dir, `${base}.schema.json`), join(dir, 'schema.json')]) {
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/**
 * Turns what a user typed into files: a bundled name (`credit_data`) resolves to the bundled CSV and schema;
 * anything else is a path, either to a CSV file or to a folder `<dir>/` holding `<basename(dir)>.csv`, with the
 * schema looked for next to it (see {@link siblingSchema}). A name that is neither throws FedriskError('NOT_FOUND')
 * listing the bundled names.
 */
export function resolveDataset(nameOrPath: string): ResolvedDataset {
  const bundled = listBundledDatasets();
  if (bundled.includes(nameOrPath)) {
    const dir = join(bundledDatasetsDir(), nameOrPath);
    const schemaPath = join(dir, 'schema.json');
    return { name: nameOrPath, csvPath: join(dir, `${nameOrPath}.csv`), schemaPath: isFile(schemaPath) ? schemaPath : null };
  }
  const full = resolve(nameOrPath);
  let csvPath: string | null = null;
  if (isFile(full)) csvPath = full;
  else if (existsSync(full) && statSync(full).isDirectory() && isFile(join(full, `${basename(full)}.csv`))) {
    csvPath = join(full, `${basename(full)}.csv`);
  }
  if (csvPath === null) {
    throw new FedriskError(
      'NOT_FOUND',
      `no bundled data set named ${JSON.stringify(nameOrPath)} and no data file at ${full} (bundled: ${bundled.join(', ') || 'none'})`,
      { field: 'dataset', path: full },
    );
  }
  return { name: basename(csvPath, extname(csvPath)), csvPath, schemaPath: siblingSchema(csvPath) };
}

/**
 * Resolves and loads a data set in one step, held to `schema` when given, else to the schema file found next to
 * it. Without either it throws FedriskError('FAILED_PRECONDITION'): a node never guesses a consortium schema.
 */
export function loadDataset(nameOrPath: string, schema?: FeatureSchema): Dataset {
  const resolved = resolveDataset(nameOrPath);
  let s = schema;
  if (s === undefined) {
    if (resolved.schemaPath === null) {
      throw new FedriskError('FAILED_PRECONDITION', `data set ${resolved.csvPath} has no schema.json next to it and no schema was given`, {
        field: 'schema',
        path: resolved.csvPath,
      });
    }
    s = loadSchemaFile(resolved.schemaPath);
  }
  return loadCsvDataset(resolved.csvPath, s);
}
