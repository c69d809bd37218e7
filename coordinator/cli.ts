/**
 * `fedrisk coordinator ...`: the operator's commands. `serve` runs the gRPC coordinator for one training job;
 * `status` reads the coordinator's store (members, phase, rounds, hold-out metrics the members reported).
 */
import { existsSync, readFileSync } from 'node:fs';
import { FedriskError } from '../common/errors.js';
import { createLogger, type LogLevel } from '../common/log.js';
import { UsageError, int, oneOf, parseFlags, readSecretFile, str, waitForStop, type CliIo } from '../common/cli-args.js';
import { buildJobSpec, parseJobSpec, JOB_DEFAULTS, type JobSpec } from '../common/job-spec.js';
import { resolveSchema } from '../common/schema/resolve-schema.js';
import { loadSchemaFile } from '../common/schema/index.js';
import { DEFAULT_CKKS_PARAMS } from '../common/he/ckks-params.js';
import { createCkksContext } from '../common/he/ckks-context.js';
import { CoordinatorService } from './coordinator-service.js';
import { hashToken, validateCoordinatorConfig } from './coordinator-config.js';
import { KnexCoordinatorStore } from './store/knex-coordinator-store.js';
import { CkksSumAggregator } from './aggregation/ckks-sum-aggregator.js';
import { PlainSumAggregator } from './aggregation/plain-sum-aggregator.js';
import { startCoordinatorServer } from './grpc/coordinator-server.js';
import { coordinatorStatus, formatStatus } from './coordinator-status.js';

export const COORDINATOR_USAGE = `usage: fedrisk coordinator <command>
  serve --join-token-file FILE (--job FILE | --schema FILE | --dataset NAME|PATH [--schema FILE | --label COL --bad VALUE]) [--job-id ID]
        [--rounds 10] [--local-epochs 2] [--seed 42] [--plaintext]
        [--db .fedrisk/coordinator.sqlite] [--host 127.0.0.1 [--insecure-allow-remote]] [--port 7070] [--consortium-id fedrisk]
        [--min-members 3] [--min-contributors 3] [--allow-two-party-aggregation]
        [--round-timeout-ms 120000] [--keying-timeout-ms 120000] [--log-level info]
  status [--db .fedrisk/coordinator.sqlite] [--json]
`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function runCoordinatorCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest, io);
      case 'status':
        return await status(rest, io);
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(COORDINATOR_USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fedrisk coordinator: ${err.message}\n${COORDINATOR_USAGE}`);
      return 2;
    }
    io.stderr.write(`fedrisk coordinator: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

function jobFromFlags(v: Record<string, string | boolean | undefined>): JobSpec {
  const file = str(v, 'job');
  if (file) return parseJobSpec(JSON.parse(readFileSync(file, 'utf8')));
  const dataset = str(v, 'dataset');
  const schemaPath = str(v, 'schema');
  if (!dataset && (str(v, 'label') !== undefined || str(v, 'bad') !== undefined)) {
    throw new UsageError('--label/--bad infer a schema from a CSV: give --dataset PATH too, or --schema FILE');
  }
  if (!dataset && !schemaPath) throw new UsageError('give --job FILE, --schema FILE, or --dataset NAME|PATH');
  // A real coordinator holds no data: the schema file alone defines the job. --dataset is for demos and inference.
  const schema = dataset
    ? resolveSchema({ dataset, schemaPath, label: str(v, 'label'), bad: str(v, 'bad') }).schema
    : loadSchemaFile(schemaPath!);
  return buildJobSpec(str(v, 'job-id') ?? `${schema.name}-job`, schema, {
    rounds: int(v, 'rounds', JOB_DEFAULTS.rounds, 1, 1000),
    localEpochs: int(v, 'local-epochs', JOB_DEFAULTS.localEpochs, 1, 1000),
    seed: int(v, 'seed', JOB_DEFAULTS.seed, 0, 2 ** 32 - 1),
    encrypted: v['plaintext'] !== true,
  });
}

async function serve(args: string[], io: CliIo): Promise<number> {
  const v = parseFlags(args, {
    'join-token-file': { type: 'string' },
    job: { type: 'string' },
    dataset: { type: 'string' },
    schema: { type: 'string' },
    label: { type: 'string' },
    bad: { type: 'string' },
    'job-id': { type: 'string' },
    rounds: { type: 'string' },
    'local-epochs': { type: 'string' },
    seed: { type: 'string' },
    plaintext: { type: 'boolean' },
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'consortium-id': { type: 'string' },
    'min-members': { type: 'string' },
    'min-contributors': { type: 'string' },
    'allow-two-party-aggregation': { type: 'boolean' },
    'insecure-allow-remote': { type: 'boolean' },
    'round-timeout-ms': { type: 'string' },
    'keying-timeout-ms': { type: 'string' },
    'log-level': { type: 'string' },
  });
  if (v['help']) {
    io.stdout.write(COORDINATOR_USAGE);
    return 0;
  }
  const log = createLogger({ level: oneOf<LogLevel>(v, 'log-level', ['debug', 'info', 'warn', 'error'], 'info') }).child({ part: 'coordinator' });
  const host = str(v, 'host') ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && v['insecure-allow-remote'] !== true) {
    throw new UsageError(`--host ${host} is not loopback: without mutual TLS the coordinator binds to loopback only (--insecure-allow-remote overrides)`);
  }
  const job = jobFromFlags(v);
  const minContributors = int(v, 'min-contributors', 3, 2, 1000);
  const config = validateCoordinatorConfig(
    {
      consortiumId: str(v, 'consortium-id') ?? 'fedrisk',
      joinTokenHash: hashToken(readSecretFile(str(v, 'join-token-file', true), 'join-token-file')),
      minMembers: int(v, 'min-members', Math.max(3, minContributors), 2, 1000),
      minContributors,
      allowTwoPartyAggregation: v['allow-two-party-aggregation'] === true,
      roundTimeoutMs: int(v, 'round-timeout-ms', 120_000, 100, 86_400_000),
      keyingTimeoutMs: int(v, 'keying-timeout-ms', 120_000, 100, 86_400_000),
      job,
      ckks: DEFAULT_CKKS_PARAMS,
    },
    log,
  );
  const store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: str(v, 'db') ?? '.fedrisk/coordinator.sqlite' });
  const aggregator = job.encrypted ? new CkksSumAggregator(await createCkksContext(config.ckks)) : new PlainSumAggregator();
  const service = new CoordinatorService(store, aggregator, config, log);
  await service.start();
  const server = await startCoordinatorServer(service, { host, port: int(v, 'port', 7070, 0, 65535) }, log);
  // The first stdout line is machine-readable: `fedrisk simulate` reads the port from it.
  io.stdout.write(`coordinator listening on ${server.address}\n`);
  const why = await waitForStop(io.signal);
  log.info('stopping', { reason: why });
  await server.close();
  await store.close();
  return 0;
}

async function status(args: string[], io: CliIo): Promise<number> {
  const v = parseFlags(args, { db: { type: 'string' }, json: { type: 'boolean' } });
  if (v['help']) {
    io.stdout.write(COORDINATOR_USAGE);
    return 0;
  }
  const db = str(v, 'db') ?? '.fedrisk/coordinator.sqlite';
  // Status only reads: a mistyped path must be an error, not a new empty store reporting "no job".
  if (!existsSync(db)) throw new FedriskError('NOT_FOUND', `no coordinator store at ${db} (give --db the path used by coordinator serve)`, { field: 'db' });
  const store = await KnexCoordinatorStore.open({ client: 'sqlite', filename: db });
  try {
    const s = await coordinatorStatus(store);
    io.stdout.write(v['json'] ? JSON.stringify(s, null, 2) + '\n' : formatStatus(s));
    return 0;
  } finally {
    await store.close();
  }
}
