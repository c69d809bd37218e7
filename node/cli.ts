/**
 * `fedrisk node ...`: what an institution's engineers run. `run` joins the consortium and takes part in the job until
 * it ends, deploying global models into the local decision store; `models` lists the versions this node holds.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FedriskError } from '../common/errors.js';
import { createLogger, type LogLevel } from '../common/log.js';
import { UsageError, int, oneOf, parseFlags, readSecretFile, str, type CliIo } from '../common/cli-args.js';
import { loadOrCreateKeyFile } from '../common/crypto/index.js';
import { describeDecisionDb, migrateDecisionDb, createModelStore, openDecisionDb, parseDbFlag } from '../decision/index.js';
import { CoordinatorClient } from './coordinator-client.js';
import { NodeAgent, type DeployPolicy, type ModelDeployer } from './node-agent.js';
import { NodeStore } from './store/node-store.js';

export const NODE_USAGE = `usage: fedrisk node <command>
  run --coordinator HOST:PORT --join-token-file FILE --name NAME --data CSV [--holdout CSV]
      [--consortium-id fedrisk] [--state-dir .fedrisk/node-NAME] [--decision-db PATH|postgres://URL]
      [--deploy latest|final|none] [--poll-ms 200] [--log-level info]
  models list --state-dir DIR [--json]
`;

export async function runNodeCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(rest, io);
      case 'models':
        if (rest[0] !== 'list') throw new UsageError(`unknown models command ${JSON.stringify(rest[0])}`);
        return await listModels(rest.slice(1), io);
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(NODE_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fedrisk node: ${err.message}\n${NODE_USAGE}`);
      return 2;
    }
    io.stderr.write(`fedrisk node: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

async function openNodeStore(stateDir: string): Promise<NodeStore> {
  const key = loadOrCreateKeyFile(join(stateDir, 'node.key'));
  return NodeStore.open({ client: 'sqlite', filename: join(stateDir, 'node.sqlite') }, key);
}

async function run(args: string[], io: CliIo): Promise<number> {
  const v = parseFlags(args, {
    coordinator: { type: 'string' },
    'join-token-file': { type: 'string' },
    name: { type: 'string' },
    data: { type: 'string' },
    holdout: { type: 'string' },
    'consortium-id': { type: 'string' },
    'state-dir': { type: 'string' },
    'decision-db': { type: 'string' },
    deploy: { type: 'string' },
    'poll-ms': { type: 'string' },
    'log-level': { type: 'string' },
  });
  if (v['help']) {
    io.stdout.write(NODE_USAGE);
    return 0;
  }
  const name = str(v, 'name', true);
  const log = createLogger({ level: oneOf<LogLevel>(v, 'log-level', ['debug', 'info', 'warn', 'error'], 'info') }).child({ part: 'node', node: name });
  const stateDir = str(v, 'state-dir') ?? `.fedrisk/node-${name}`;
  const store = await openNodeStore(stateDir);
  const client = new CoordinatorClient(str(v, 'coordinator', true));
  let deployer: ModelDeployer | null = null;
  const decisionDbFlag = str(v, 'decision-db');
  // A SQLite file or a postgres:// URL (password from PGPASSWORD / ~/.pgpass, as for `fedrisk decision serve`).
  const decisionDb = decisionDbFlag === undefined ? null : parseDbFlag(decisionDbFlag, undefined, 'decision-db');
  const decisionKnex = decisionDb ? openDecisionDb(decisionDb) : null;
  if (decisionKnex && decisionDb) {
    log.info('models deploy into the decision store', { store: describeDecisionDb(decisionDb) });
    if (decisionDb.client === 'pg' && new URL(decisionDb.connection).password !== '') {
      log.warn('the --decision-db URL holds a password, which other local users can read in the process list; use PGPASSWORD or ~/.pgpass');
    }
    await migrateDecisionDb(decisionKnex);
    deployer = createModelStore(decisionKnex);
  }
  const agent = new NodeAgent(
    {
      consortiumId: str(v, 'consortium-id') ?? 'fedrisk',
      joinToken: readSecretFile(str(v, 'join-token-file', true), 'join-token-file'),
      memberName: name,
      dataPath: str(v, 'data', true),
      holdoutPath: str(v, 'holdout') ?? null,
      pollMs: int(v, 'poll-ms', 200, 10, 60_000),
      deployPolicy: oneOf<DeployPolicy>(v, 'deploy', ['latest', 'final', 'none'], 'latest'),
      maxSummands: 64,
    },
    client,
    store,
    deployer,
    log,
  );
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const outcome = await agent.run(abort.signal);
    if (outcome.status === 'COMPLETED') {
      io.stdout.write(`job completed; final model ${outcome.finalVersion}\n`);
      return 0;
    }
    io.stderr.write(`fedrisk node: job failed: ${outcome.reason}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    client.close();
    await store.close();
    await decisionKnex?.destroy();
  }
}

async function listModels(args: string[], io: CliIo): Promise<number> {
  const v = parseFlags(args, { 'state-dir': { type: 'string' }, json: { type: 'boolean' } });
  if (v['help']) {
    io.stdout.write(NODE_USAGE);
    return 0;
  }
  const stateDir = str(v, 'state-dir', true);
  // Listing only reads: a mistyped folder must be an error, not a new node key and an empty store.
  if (!existsSync(join(stateDir, 'node.key'))) throw new FedriskError('NOT_FOUND', `no node state in ${stateDir} (give --state-dir the folder node run used)`, { field: 'state-dir' });
  const store = await openNodeStore(stateDir);
  try {
    const models = await store.listModels();
    if (v['json']) {
      io.stdout.write(JSON.stringify(models.map((m) => ({ version: m.version, round: m.round, metrics: m.metrics, createdAt: m.createdAt })), null, 2) + '\n');
    } else {
      for (const m of models) {
        const auc = m.metrics['auc'];
        io.stdout.write(`${m.version.padEnd(32)} round ${String(m.round).padStart(3)}  hold-out AUC ${typeof auc === 'number' ? auc.toFixed(4) : '-'}\n`);
      }
    }
    return 0;
  } finally {
    await store.close();
  }
}
