/**
 * Lays out a simulated consortium on disk before anything runs: the shared test split, one private folder per node
 * (its training CSV and hold-out CSV, later its stores), the job spec and the join token. Simulations and the fault
 * tests start their processes from the same layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FedriskError } from '../common/errors.js';
import { buildJobSpec, type JobSpec } from '../common/job-spec.js';
import { loadCsvDataset, type Dataset } from '../common/schema/index.js';
import { resolveSchema } from '../common/schema/resolve-schema.js';
import { partitionRows, subsetDataset, trainTestSplit, type PartitionSpec } from './partition.js';
import { writeDatasetCsv } from './dataset-csv.js';

export interface LayoutOptions {
  dataset: string;
  schemaPath?: string | undefined;
  label?: string | undefined;
  bad?: string | undefined;
  partition: PartitionSpec;
  rounds: number;
  localEpochs: number;
  seed: number;
  plaintext: boolean;
  testFraction: number;
  outDir: string;
}

export interface NodeLayout {
  name: string;
  /** The partition value (column partitions) or the part name. */
  part: string;
  dir: string;
  trainCsv: string;
  holdoutCsv: string;
  decisionDb: string;
  train: Dataset;
  test: Dataset;
}

export interface RunLayout {
  datasetName: string;
  schemaOrigin: string;
  runDir: string;
  tokenPath: string;
  jobPath: string;
  jobSpec: JobSpec;
  full: Dataset;
  train: Dataset;
  test: Dataset;
  byColumn: boolean;
  nodes: NodeLayout[];
}

function nodeName(i: number, part: string, byColumn: boolean): string {
  if (!byColumn) return `node-${i + 1}`;
  const slug = part.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'missing';
  return `node-${i + 1}-${slug}`.slice(0, 64);
}

export function prepareRunLayout(opts: LayoutOptions): RunLayout {
  const { schema, csvPath, name, origin } = resolveSchema({ dataset: opts.dataset, schemaPath: opts.schemaPath, label: opts.label, bad: opts.bad });
  const full = loadCsvDataset(csvPath, schema);
  const split = trainTestSplit(full.rows.length, opts.testFraction, opts.seed, { labels: full.labels });
  const trainParts = partitionRows(full, split.train, opts.partition, opts.seed);
  const testParts = partitionRows(full, split.test, opts.partition, opts.seed + 1);
  if (trainParts.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'the partition produced no nodes', { field: 'partition' });
  const byColumn = opts.partition.kind === 'column';
  const jobSpec = buildJobSpec(`${name}-s${opts.seed}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64), schema, {
    rounds: opts.rounds,
    localEpochs: opts.localEpochs,
    seed: opts.seed,
    encrypted: !opts.plaintext,
  });
  const runDir = resolve(opts.outDir);
  mkdirSync(runDir, { recursive: true });
  const tokenPath = join(runDir, 'join-token');
  writeFileSync(tokenPath, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const jobPath = join(runDir, 'job.json');
  writeFileSync(jobPath, JSON.stringify(jobSpec, null, 2));
  const nodes = trainParts.map((p, i): NodeLayout => {
    const nm = nodeName(i, p.name, byColumn);
    const dir = join(runDir, nm);
    mkdirSync(dir, { recursive: true });
    const train = subsetDataset(full, p.indices);
    const test = subsetDataset(full, testParts.find((t) => t.name === p.name)?.indices ?? []);
    const trainCsv = join(dir, 'train.csv');
    const holdoutCsv = join(dir, 'holdout.csv');
    writeDatasetCsv(trainCsv, train);
    writeDatasetCsv(holdoutCsv, test);
    return { name: nm, part: p.name, dir, trainCsv, holdoutCsv, decisionDb: join(dir, 'decision.sqlite'), train, test };
  });
  return {
    datasetName: name,
    schemaOrigin: origin,
    runDir,
    tokenPath,
    jobPath,
    jobSpec,
    full,
    train: subsetDataset(full, split.train),
    test: subsetDataset(full, split.test),
    byColumn,
    nodes,
  };
}
