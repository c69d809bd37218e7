import { FedriskError, invalid } from '../common/errors.js';
import { createRng, deriveSeed, shuffledIndices } from '../common/random.js';
import type { Dataset } from '../common/schema/feature-schema.js';

/** How a simulation spreads rows over nodes: IID (`random`) or non-IID by the value of one feature (`column`). */
export type PartitionSpec = { kind: 'random'; parts: number } | { kind: 'column'; column: string };

/** One simulated institution's share: row indices into the data set, ascending. */
export interface Partition {
  name: string;
  indices: number[];
}

/** Name of the part that holds rows whose partition column is missing. */
export const MISSING_PART_NAME = '<missing>';

export interface TrainTestSplitOptions {
  /** When given (0/1 per row), each class is split separately so train and test keep the bad rate. */
  labels?: ArrayLike<number>;
}

function takeTest(pool: readonly number[], testFraction: number, seed: number, purpose: string, clamp: boolean): Set<number> {
  let k = Math.round(pool.length * testFraction);
  if (clamp && pool.length >= 2) k = Math.min(pool.length - 1, Math.max(1, k));
  const order = shuffledIndices(pool.length, createRng(deriveSeed(seed, purpose)));
  const test = new Set<number>();
  for (let i = 0; i < k; i++) test.add(pool[order[i]!]!);
  return test;
}

/**
 * Seeded hold-out split of rows 0..n-1 (both lists ascending), so a plaintext and an encrypted run, or two runs with
 * the same `--seed`, evaluate on the same rows. The test set has round(n * testFraction) rows, kept within 1..n-1
 * when n >= 2 so neither side is empty. With `labels`, each class is split on its own (stratified).
 */
export function trainTestSplit(
  n: number,
  testFraction: number,
  seed: number,
  options: TrainTestSplitOptions = {},
): { train: number[]; test: number[] } {
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('n', 'must be a non-negative integer');
  if (!(testFraction > 0 && testFraction < 1)) throw invalid('testFraction', 'must be strictly between 0 and 1');
  let test: Set<number>;
  if (options.labels) {
    const labels = options.labels;
    if (labels.length !== n) throw invalid('labels', `has ${labels.length} values, expected ${n}`);
    const classes = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const y = labels[i]!;
      const list = classes.get(y) ?? [];
      list.push(i);
      classes.set(y, list);
    }
    test = new Set<number>();
    for (const y of [...classes.keys()].sort((a, b) => a - b)) {
      for (const i of takeTest(classes.get(y)!, testFraction, seed, `train-test-split/class-${y}`, false)) test.add(i);
    }
  } else {
    test = takeTest(
      Array.from({ length: n }, (_, i) => i),
      testFraction,
      seed,
      'train-test-split',
      true,
    );
  }
  const train: number[] = [];
  const testList: number[] = [];
  for (let i = 0; i < n; i++) (test.has(i) ? testList : train).push(i);
  return { train, test: testList };
}

/**
 * Splits the given rows (usually the training side of a split) over simulated nodes. `random`: a seeded shuffle dealt
 * into `parts` near-equal parts (sizes differ by at most one) named `node-1`..`node-K`. `column`: one part per
 * distinct value of that feature, named by the value (rows with a missing value form the part `<missing>`);
 * categorical parts follow the schema's level order, numeric ones ascending value, `<missing>` last. Parts list their
 * indices ascending. Throws FedriskError('INVALID_ARGUMENT') for a bad part count or a column that is not a feature.
 */
export function partitionRows(dataset: Dataset, indices: readonly number[], spec: PartitionSpec, seed: number): Partition[] {
  for (const i of indices) {
    if (!Number.isSafeInteger(i) || i < 0 || i >= dataset.rows.length) {
      throw invalid('indices', `row index ${i} is outside the data set (0..${dataset.rows.length - 1})`);
    }
  }
  if (spec.kind === 'random') {
    const k = spec.parts;
    if (!Number.isSafeInteger(k) || k < 1) throw invalid('parts', 'must be an integer >= 1');
    if (k > indices.length) throw invalid('parts', `cannot split ${indices.length} rows into ${k} non-empty parts`);
    const order = shuffledIndices(indices.length, createRng(deriveSeed(seed, 'partition-random')));
    const parts: Partition[] = [];
    const base = Math.floor(indices.length / k);
    const extra = indices.length % k;
    let at = 0;
    for (let p = 0; p < k; p++) {
      const size = base + (p < extra ? 1 : 0);
      const chunk: number[] = [];
      for (let j = 0; j < size; j++) chunk.push(indices[order[at + j]!]!);
      at += size;
      parts.push({ name: `node-${p + 1}`, indices: chunk.sort((a, b) => a - b) });
    }
    return parts;
  }
  if (spec.kind === 'column') {
    const feature = dataset.schema.features.find((f) => f.name === spec.column);
    if (!feature) {
      throw invalid('column', `${JSON.stringify(spec.column)} is not a feature of schema ${dataset.schema.name} (features: ${dataset.schema.features.map((f) => f.name).join(', ')})`);
    }
    const groups = new Map<string | number | null, number[]>();
    for (const i of indices) {
      const v = dataset.rows[i]![feature.name] ?? null;
      const list = groups.get(v) ?? [];
      list.push(i);
      groups.set(v, list);
    }
    let keys = [...groups.keys()];
    if (feature.kind === 'categorical') {
      const rank = new Map(feature.levels.map((l, k) => [l as string | number | null, k] as const));
      keys = keys.sort((a, b) => (a === null ? Infinity : rank.get(a) ?? Infinity) - (b === null ? Infinity : rank.get(b) ?? Infinity));
    } else {
      keys = keys.sort((a, b) => (a === null ? 1 : b === null ? -1 : Number(a) - Number(b)));
    }
    return keys.map((key) => ({
      name: key === null ? MISSING_PART_NAME : String(key),
      indices: groups.get(key)!.sort((a, b) => a - b),
    }));
  }
  const unknown: never = spec;
  throw new FedriskError('INVALID_ARGUMENT', `unknown partition kind ${JSON.stringify(unknown)}`, { field: 'spec' });
}

/** The rows and labels at `indices` as a data set of its own (same schema): one simulated node's private book. */
export function subsetDataset(dataset: Dataset, indices: readonly number[]): Dataset {
  const labels = new Uint8Array(indices.length);
  const rows = indices.map((i, k) => {
    const row = dataset.rows[i];
    if (row === undefined) throw invalid('indices', `row index ${i} is outside the data set`);
    labels[k] = dataset.labels[i]!;
    return row;
  });
  return { schema: dataset.schema, rows, labels };
}
