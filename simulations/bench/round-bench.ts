/**
 * `npm run bench:round`: what encryption costs a whole federated round. Runs the same 3-node, 10-round simulation
 * twice in one process run, CKKS-encrypted and in the clear (same seed, same processes, same machine load), and
 * prints round time, update bytes and AUC side by side with their ratios.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation, type SimulationOptions } from '../simulate.js';

const dir = mkdtempSync(join(tmpdir(), 'fedrisk-round-bench-'));
const base = (plaintext: boolean): SimulationOptions => ({
  dataset: 'credit_data',
  nodes: 3,
  rounds: 10,
  localEpochs: 2,
  partition: { kind: 'random', parts: 3 },
  seed: 42,
  plaintext,
  testFraction: 0.3,
  outDir: join(dir, plaintext ? 'plain' : 'ckks'),
  timeoutMs: 600_000,
  minContributors: 3,
  progress: () => undefined,
});

const plain = (await runSimulation(base(true))).report;
const ckks = (await runSimulation(base(false))).report;
const row = (label: string, a: number | null, b: number | null, digits = 3): string =>
  `${label.padEnd(28)} ${a === null ? '-' : a.toFixed(digits).padStart(12)} ${b === null ? '-' : b.toFixed(digits).padStart(12)} ${
    a !== null && b !== null && b !== 0 ? (a / b).toFixed(2).padStart(8) + 'x' : ''
  }`;
console.log(`round bench: credit_data, 3 node processes, 10 rounds x 2 local epochs, gRPC on loopback`);
console.log(`${''.padEnd(28)} ${'CKKS'.padStart(12)} ${'plaintext'.padStart(12)} ${'ratio'.padStart(9)}`);
console.log(row('round seconds (median)', ckks.round_seconds_median, plain.round_seconds_median));
console.log(row('federated run seconds', ckks.federated_seconds, plain.federated_seconds, 1));
console.log(row('bytes per update', ckks.bytes_per_update, plain.bytes_per_update, 0));
console.log(row('AUC federated', ckks.auc_federated, plain.auc_federated, 4));
console.log(`|AUC ckks - AUC plaintext| = ${Math.abs(ckks.auc_federated! - plain.auc_federated!).toExponential(2)}`);
