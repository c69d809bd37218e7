/**
 * `fedrisk simulate`: a whole consortium on one machine, for real: one coordinator and K nodes as separate OS
 * processes talking gRPC on loopback, each node holding only its own partition as a private CSV. Afterwards the
 * federated model is compared with centralised and local-only training on one held-out test split.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FedriskError } from '../common/errors.js';
import { buildJobSpec, type JobSpec } from '../common/job-spec.js';
import { loadCsvDataset, type Dataset } from '../common/schema/index.js';
import { resolveSchema } from '../common/schema/resolve-schema.js';
import { loadOrCreateKeyFile } from '../common/crypto/index.js';
import { slotCount, DEFAULT_CKKS_PARAMS } from '../common/he/ckks-params.js';
import { KnexCoordinatorStore, coordinatorStatus, type CoordinatorStatus } from '../coordinator/index.js';
import { NodeStore } from '../node/index.js';
import type { LogisticModel } from '../common/model/logistic-model.js';
import { partitionRows, subsetDataset, trainTestSplit, type PartitionSpec } from './partition.js';
import { writeDatasetCsv } from './dataset-csv.js';
import { ChildProcessGroup, tail } from './child-process-group.js';
import { aucOn, trainAlone } from './baselines.js';
import type { SimulationReport, NodeReport } from './simulation-report.js';

export interface SimulationOptions {
  dataset: string;
  schemaPath?: string | undefined;
  label?: string | undefined;
  bad?: string | undefined;
  nodes: number;
  rounds: number;
  localEpochs: number;
  partition: PartitionSpec;
  seed: number;
  plaintext: boolean;
  testFraction: number;
  /** Folder for the run: private CSVs, stores, logs. */
  outDir: string;
  timeoutMs: number;
  minContributors: number;
  progress: (line: string) => void;
}

export interface SimulationResult {
  report: SimulationReport;
  runDir: string;
  /** Node names with their decision store paths (each holds the deployed federated model). */
  decisionDbs: { name: string; path: string; holdout: Dataset }[];
  jobSpec: JobSpec;
  status: CoordinatorStatus;
}

function nodeName(i: number, part: string, byColumn: boolean): string {
  if (!byColumn) return `node-${i + 1}`;
  const slug = part.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'missing';
  return `node-${i + 1}-${slug}`.slice(0, 64);
}

export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const { schema, csvPath, name, origin } = resolveSchema({ dataset: opts.dataset, schemaPath: opts.schemaPath, label: opts.label, bad: opts.bad });
  const full = loadCsvDataset(csvPath, schema);
  const split = trainTestSplit(full.rows.length, opts.testFraction, opts.seed, { labels: full.labels });
  const train = subsetDataset(full, split.train);
  const test = subsetDataset(full, split.test);
  const spec: PartitionSpec = opts.partition.kind === 'random' ? { kind: 'random', parts: opts.nodes } : opts.partition;
  const trainParts = partitionRows(full, split.train, spec, opts.seed);
  const testParts = partitionRows(full, split.test, spec, opts.seed + 1);
  const k = trainParts.length;
  if (k < opts.minContributors) {
    throw new FedriskError('INVALID_ARGUMENT', `${k} node(s) cannot release an aggregate: at least ${opts.minContributors} are required`, { field: 'nodes' });
  }
  const byColumn = spec.kind === 'column';
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
  writeFileSync(join(runDir, 'job.json'), JSON.stringify(jobSpec, null, 2));
  const nodes = trainParts.map((p, i) => {
    const nm = nodeName(i, p.name, byColumn);
    const dir = join(runDir, nm);
    mkdirSync(dir, { recursive: true });
    const tp = testParts.find((t) => t.name === p.name)?.indices ?? [];
    const nodeTrain = subsetDataset(full, p.indices);
    const nodeTest = subsetDataset(full, tp);
    writeDatasetCsv(join(dir, 'train.csv'), nodeTrain);
    writeDatasetCsv(join(dir, 'holdout.csv'), nodeTest);
    return { name: nm, part: p.name, dir, train: nodeTrain, test: nodeTest };
  });
  opts.progress(
    `${name} (${origin} schema): ${full.rows.length} rows -> ${train.rows.length} train / ${test.rows.length} test; ${k} nodes (${byColumn ? `column ${spec.column}` : 'random'}); ${opts.rounds} rounds x ${opts.localEpochs} local epochs; ${opts.plaintext ? 'PLAINTEXT (comparison run)' : 'CKKS encrypted'}`,
  );

  const group = new ChildProcessGroup();
  const fedStart = Date.now();
  let status: CoordinatorStatus;
  try {
    const coord = group.start(
      'coordinator',
      [
        'coordinator', 'serve', '--job', join(runDir, 'job.json'), '--db', join(runDir, 'coordinator.sqlite'), '--port', '0',
        '--join-token-file', tokenPath, '--consortium-id', 'sim', '--min-members', String(k),
        '--min-contributors', String(opts.minContributors), ...(opts.minContributors < 3 ? ['--allow-two-party-aggregation'] : []),
        '--round-timeout-ms', String(opts.timeoutMs), '--keying-timeout-ms', String(opts.timeoutMs),
      ],
      join(runDir, 'coordinator.log'),
    );
    const m = await group.waitForLine(coord, /coordinator listening on (\S+)/, 60_000);
    const address = m[1]!;
    opts.progress(`coordinator on ${address}; starting ${k} node processes`);
    const procs = nodes.map((n) =>
      group.start(
        n.name,
        [
          'node', 'run', '--coordinator', address, '--join-token-file', tokenPath, '--name', n.name, '--consortium-id', 'sim',
          '--data', join(n.dir, 'train.csv'), '--holdout', join(n.dir, 'holdout.csv'), '--state-dir', n.dir,
          '--decision-db', join(n.dir, 'decision.sqlite'), '--deploy', 'latest',
        ],
        join(runDir, `${n.name}.log`),
      ),
    );
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new FedriskError('DEADLINE_EXCEEDED', `simulation did not finish within ${opts.timeoutMs} ms`)), opts.timeoutMs).unref(),
    );
    const codes = await Promise.race([Promise.all(procs.map((p) => p.exited)), deadline]);
    const failed = procs.filter((_, i) => codes[i] !== 0);
    if (failed.length > 0) {
      throw new FedriskError('INTERNAL', `node(s) failed: ${failed.map((p) => p.name).join(', ')}\n${failed.map((p) => `${p.name}:\n${tail(p.logPath)}`).join('\n')}\ncoordinator:\n${tail(coord.logPath)}`);
    }
  } finally {
    await group.stopAll();
  }
  const fedSeconds = (Date.now() - fedStart) / 1000;
  const cstore = await KnexCoordinatorStore.open({ client: 'sqlite', filename: join(runDir, 'coordinator.sqlite') });
  try {
    status = await coordinatorStatus(cstore);
  } finally {
    await cstore.close();
  }

  // Every node decrypted the same aggregates: their final models must agree.
  const finals: LogisticModel[] = [];
  for (const n of nodes) {
    const store = await NodeStore.open({ client: 'sqlite', filename: join(n.dir, 'node.sqlite') }, loadOrCreateKeyFile(join(n.dir, 'node.key')));
    try {
      const latest = await store.latestModel();
      if (!latest) throw new FedriskError('INTERNAL', `${n.name} holds no global model`);
      finals.push(latest.model);
    } finally {
      await store.close();
    }
  }
  const fed = finals[0]!;
  const maxDiff = Math.max(...finals.flatMap((f) => f.weights.map((w, i) => Math.abs(w - fed.weights[i]!))));
  opts.progress('federated run finished; training the centralised and local-only baselines');

  const central = await trainAlone(train, jobSpec, 'centralised');
  const perNode: NodeReport[] = [];
  for (const n of nodes) {
    const alone = await trainAlone(n.train, jobSpec, `local/${n.name}`);
    perNode.push({
      name: n.name,
      partition_value: byColumn ? n.part : null,
      rows: n.train.rows.length,
      test_rows: n.test.rows.length,
      auc_local: aucOn(alone.model, alone.std, n.test),
      auc_federated: aucOn(fed, fed.standardisation, n.test),
    });
  }
  const locals = perNode.map((p) => p.auc_local).filter((a): a is number => a !== null);
  const trainRounds = status.rounds.filter((r) => r.kind === 'TRAIN');
  const trainSizes = trainRounds.flatMap((r) => r.updateBytes);
  const secs = trainRounds.map((r) => r.seconds).filter((s): s is number => s !== null).sort((a, b) => a - b);
  const d = fed.weights.length;
  const report: SimulationReport = {
    dataset: name,
    nodes: k,
    rounds: opts.rounds,
    partition: byColumn ? `column:${spec.column}` : 'random',
    encrypted: !opts.plaintext,
    auc_federated: aucOn(fed, fed.standardisation, test),
    auc_centralized: aucOn(central.model, central.std, test),
    auc_local_mean: locals.length > 0 ? locals.reduce((a, b) => a + b, 0) / locals.length : null,
    per_node: perNode,
    bytes_per_update: trainSizes.length > 0 ? Math.round(trainSizes.reduce((a, b) => a + b, 0) / trainSizes.length) : 0,
    ciphertexts_per_update: opts.plaintext ? null : (trainRounds[0]?.ciphertextsPerUpdate ?? null),
    slots_per_ciphertext: opts.plaintext ? null : slotCount(DEFAULT_CKKS_PARAMS),
    plaintext_bytes_per_update: 4 * (d + 2),
    values_per_update: d + 2,
    round_seconds_median: secs.length > 0 ? secs[Math.floor((secs.length - 1) / 2)]! : null,
    federated_seconds: fedSeconds,
    total_seconds: (Date.now() - started) / 1000,
    local_epochs: opts.localEpochs,
    seed: opts.seed,
    test_rows: test.rows.length,
    train_rows: train.rows.length,
    node_models_max_abs_diff: maxDiff,
    final_model_version: fed.version,
    run_dir: runDir,
  };
  return {
    report,
    runDir,
    decisionDbs: nodes.map((n) => ({ name: n.name, path: join(n.dir, 'decision.sqlite'), holdout: n.test })),
    jobSpec,
    status,
  };
}
