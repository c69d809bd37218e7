/**
 * `fedrisk simulate`: a whole consortium on one machine, for real: one coordinator and K nodes as separate OS
 * processes talking gRPC on loopback, each node holding only its own partition as a private CSV. Afterwards the
 * federated model is compared with centralised and local-only training on one held-out test split.
 */
import { join } from 'node:path';
import { FedriskError } from '../common/errors.js';
import type { JobSpec } from '../common/job-spec.js';
import type { Dataset } from '../common/schema/index.js';
import { loadOrCreateKeyFile } from '../common/crypto/index.js';
import { slotCount, DEFAULT_CKKS_PARAMS } from '../common/he/ckks-params.js';
import { KnexCoordinatorStore, coordinatorStatus, type CoordinatorStatus } from '../coordinator/index.js';
import { NodeStore } from '../node/index.js';
import type { LogisticModel } from '../common/model/logistic-model.js';
import type { PartitionSpec } from './partition.js';
import { ChildProcessGroup, tail } from './child-process-group.js';
import { aucOn, trainAlone } from './baselines.js';
import { prepareRunLayout } from './run-layout.js';
import { startCoordinatorProcess, startNodeProcess } from './consortium-processes.js';
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

export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const partition: PartitionSpec = opts.partition.kind === 'random' ? { kind: 'random', parts: opts.nodes } : opts.partition;
  const layout = prepareRunLayout({ ...opts, partition });
  const { nodes, jobSpec } = layout;
  const k = nodes.length;
  if (k < opts.minContributors) {
    throw new FedriskError('INVALID_ARGUMENT', `${k} node(s) cannot release an aggregate: at least ${opts.minContributors} are required`, { field: 'nodes' });
  }
  opts.progress(
    `${layout.datasetName} (${layout.schemaOrigin} schema): ${layout.full.rows.length} rows -> ${layout.train.rows.length} train / ${layout.test.rows.length} test; ${k} nodes (${partition.kind === 'column' ? `column ${partition.column}` : 'random'}); ${opts.rounds} rounds x ${opts.localEpochs} local epochs; ${opts.plaintext ? 'PLAINTEXT (comparison run)' : 'CKKS encrypted'}`,
  );

  const group = new ChildProcessGroup();
  const fedStart = Date.now();
  let status: CoordinatorStatus;
  try {
    const coord = await startCoordinatorProcess(group, layout, { port: 0, roundTimeoutMs: opts.timeoutMs, minContributors: opts.minContributors, minMembers: k });
    opts.progress(`coordinator on ${coord.address}; starting ${k} node processes`);
    const procs = nodes.map((n) => startNodeProcess(group, layout, n, coord.address));
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new FedriskError('DEADLINE_EXCEEDED', `simulation did not finish within ${opts.timeoutMs} ms`)), opts.timeoutMs).unref(),
    );
    const codes = await Promise.race([Promise.all(procs.map((p) => p.exited)), deadline]);
    const failed = procs.filter((_, i) => codes[i] !== 0);
    if (failed.length > 0) {
      throw new FedriskError(
        'INTERNAL',
        `node(s) failed: ${failed.map((p) => p.name).join(', ')}\n${failed.map((p) => `${p.name}:\n${tail(p.logPath)}`).join('\n')}\ncoordinator:\n${tail(coord.proc.logPath)}`,
      );
    }
  } finally {
    await group.stopAll();
  }
  const fedSeconds = (Date.now() - fedStart) / 1000;
  const cstore = await KnexCoordinatorStore.open({ client: 'sqlite', filename: join(layout.runDir, 'coordinator.sqlite') });
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

  const central = await trainAlone(layout.train, jobSpec, 'centralised');
  const perNode: NodeReport[] = [];
  for (const n of nodes) {
    const alone = await trainAlone(n.train, jobSpec, `local/${n.name}`);
    perNode.push({
      name: n.name,
      partition_value: layout.byColumn ? n.part : null,
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
    dataset: layout.datasetName,
    nodes: k,
    rounds: opts.rounds,
    partition: partition.kind === 'column' ? `column:${partition.column}` : 'random',
    encrypted: !opts.plaintext,
    auc_federated: aucOn(fed, fed.standardisation, layout.test),
    auc_centralized: aucOn(central.model, central.std, layout.test),
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
    test_rows: layout.test.rows.length,
    train_rows: layout.train.rows.length,
    node_models_max_abs_diff: maxDiff,
    final_model_version: fed.version,
    run_dir: layout.runDir,
  };
  return {
    report,
    runDir: layout.runDir,
    decisionDbs: nodes.map((n) => ({ name: n.name, path: n.decisionDb, holdout: n.test })),
    jobSpec,
    status,
  };
}
