/**
 * `fedrisk simulate` as a user runs it: any credit CSV given only --label/--bad (the schema is inferred from the
 * whole file), the JSON report's promised keys, and clear refusals of bad invocations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEDRISK_BIN } from '../simulations/index.js';
import { bundledDatasetsDir } from '../common/schema/index.js';

const REQUIRED_KEYS = [
  'dataset', 'nodes', 'rounds', 'partition', 'encrypted', 'auc_federated', 'auc_centralized', 'auc_local_mean', 'per_node',
  'bytes_per_update', 'ciphertexts_per_update', 'slots_per_ciphertext', 'plaintext_bytes_per_update', 'round_seconds_median', 'total_seconds',
];

function fedrisk(args: string[]) {
  return spawnSync(process.execPath, [FEDRISK_BIN, ...args], { encoding: 'utf8', timeout: 300_000 });
}

test('any credit CSV with --label/--bad: inferred schema, encrypted run, JSON report with the promised keys', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-cli-'));
  const csv = join(dir, 'some-lender-export.csv');
  copyFileSync(join(bundledDatasetsDir(), 'german_credit', 'german_credit.csv'), csv);
  const json = join(dir, 'report.json');
  const res = fedrisk(['simulate', '--dataset', csv, '--label', 'Class', '--bad', 'Bad', '--nodes', '3', '--rounds', '3', '--json', json, '--out', join(dir, 'run')]);
  assert.equal(res.status, 0, res.stderr + res.stdout);
  assert.match(res.stdout, /inferred schema/);
  assert.match(res.stdout, /AUC on the shared test split/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
  for (const key of REQUIRED_KEYS) assert.ok(key in report, `missing key ${key}`);
  assert.equal(report['dataset'], 'some-lender-export');
  assert.equal(report['nodes'], 3);
  assert.equal(report['partition'], 'random');
  assert.equal(report['encrypted'], true);
  const perNode = report['per_node'] as Record<string, unknown>[];
  assert.equal(perNode.length, 3);
  for (const n of perNode) for (const k of ['name', 'rows', 'auc_local', 'auc_federated']) assert.ok(k in n, `per_node missing ${k}`);
  assert.ok((report['auc_federated'] as number) > 0.7);
});

test('bad invocations are refused with the flag named and exit code 2', () => {
  const bad = fedrisk(['simulate', '--partition', 'by-region']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--partition must be random or column:NAME/);
  const unknown = fedrisk(['simulate', '--nodez', '3']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /nodez/);
  const two = fedrisk(['simulate', '--nodes', '2', '--out', mkdtempSync(join(tmpdir(), 'fedrisk-cli-'))]);
  assert.equal(two.status, 2);
  assert.match(two.stderr, /at least 3 are required/);
  const half = fedrisk(['simulate', '--label', 'Status']);
  assert.equal(half.status, 2);
  assert.match(half.stderr, /--label and --bad go together/);
  const group = fedrisk(['nonsense']);
  assert.equal(group.status, 2);
});
