/**
 * `fedrisk simulate`: flags -> {@link runSimulation} -> table (and JSON). `--demo` is the README's first command: a
 * three-node encrypted run on the bundled credit data, then the decision API answering a few applications with the
 * federated model.
 */
import { writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FedriskError } from '../common/errors.js';
import { UsageError, int, num, parseFlags, str, type CliIo } from '../common/cli-args.js';
import { runSimulation, type SimulationOptions } from './simulate.js';
import { formatReport } from './simulation-report.js';
import { runDecisionDemo } from './decision-demo.js';
import type { PartitionSpec } from './partition.js';

export const SIMULATE_USAGE = `usage: fedrisk simulate [flags]
  --dataset NAME|PATH        bundled data set (credit_data, german_credit) or a CSV file   [credit_data]
  --schema FILE              consortium feature schema (JSON); or:
  --label COL --bad VALUE    infer the schema from the whole CSV
  --nodes K                  number of institutions (random partition)                      [3]
  --rounds R                 training rounds after the statistics round                     [10]
  --local-epochs E           local epochs per round                                         [2]
  --partition random|column:NAME   column: one node per value of NAME (overrides --nodes)  [random]
  --seed N                                                                                  [42]
  --plaintext                the same run without HE (comparison only)
  --json FILE                write the report as JSON
  --out DIR                  run folder (private CSVs, stores, logs)        [.fedrisk/runs/<dataset>-<time>]
  --test-fraction F                                                                         [0.3]
  --timeout-ms MS            give up after this long                                        [900000]
  --min-contributors N       aggregates need this many contributions (2 adds --allow-two-party-aggregation) [3]
  --demo                     the README demo: credit_data, 3 nodes, 10 rounds, then the decision API
`;

function parsePartition(raw: string | undefined): PartitionSpec | null {
  if (raw === undefined || raw === 'random') return null;
  const m = /^column:(.+)$/.exec(raw);
  if (!m) throw new UsageError(`--partition must be random or column:NAME, got ${JSON.stringify(raw)}`);
  return { kind: 'column', column: m[1]! };
}

export async function runSimulateCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const v = parseFlags(argv, {
      dataset: { type: 'string' },
      schema: { type: 'string' },
      label: { type: 'string' },
      bad: { type: 'string' },
      nodes: { type: 'string' },
      rounds: { type: 'string' },
      'local-epochs': { type: 'string' },
      partition: { type: 'string' },
      seed: { type: 'string' },
      plaintext: { type: 'boolean' },
      json: { type: 'string' },
      out: { type: 'string' },
      'test-fraction': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'min-contributors': { type: 'string' },
      demo: { type: 'boolean' },
    });
    if (v['help']) {
      io.stdout.write(SIMULATE_USAGE);
      return 0;
    }
    const dataset = str(v, 'dataset') ?? 'credit_data';
    const nodes = int(v, 'nodes', 3, 1, 64);
    const column = parsePartition(str(v, 'partition'));
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const outDir = str(v, 'out') ?? join('.fedrisk', 'runs', `${dataset.replace(/[^A-Za-z0-9_.-]/g, '_').slice(-40)}-${stamp}-${process.pid}`);
    if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new UsageError(`--out ${outDir} is not empty: every run needs a fresh folder`);
    const opts: SimulationOptions = {
      dataset,
      schemaPath: str(v, 'schema'),
      label: str(v, 'label'),
      bad: str(v, 'bad'),
      nodes,
      rounds: int(v, 'rounds', 10, 1, 1000),
      localEpochs: int(v, 'local-epochs', 2, 1, 1000),
      partition: column ?? { kind: 'random', parts: nodes },
      seed: int(v, 'seed', 42, 0, 2 ** 32 - 1),
      plaintext: v['plaintext'] === true,
      testFraction: num(v, 'test-fraction', 0.3, 0.05, 0.9),
      outDir,
      timeoutMs: int(v, 'timeout-ms', 900_000, 1000, 86_400_000),
      minContributors: int(v, 'min-contributors', 3, 2, 64),
      progress: (line) => io.stdout.write(`[simulate] ${line}\n`),
    };
    const result = await runSimulation(opts);
    io.stdout.write(formatReport(result.report));
    const jsonPath = str(v, 'json');
    if (jsonPath) {
      mkdirSync(dirname(jsonPath), { recursive: true });
      writeFileSync(jsonPath, JSON.stringify(result.report, null, 2) + '\n');
      io.stdout.write(`report written to ${jsonPath}\n`);
    }
    if (v['demo']) await runDecisionDemo(result, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fedrisk simulate: ${err.message}\n${SIMULATE_USAGE}`);
      return 2;
    }
    io.stderr.write(`fedrisk simulate: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}
