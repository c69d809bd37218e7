/**
 * The spine end to end: a coordinator and three node processes over real gRPC on loopback, CKKS-encrypted FedAvg on
 * the bundled credit data, the federated model deployed into each node's decision store; then the same run in the
 * clear, which must reach the same model (the encryption changes nothing but what the coordinator can see).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation, type SimulationOptions } from '../simulations/index.js';
import { createDecisionDb, createModelStore } from '../decision/index.js';

const base = (outDir: string, plaintext: boolean): SimulationOptions => ({
  dataset: 'credit_data',
  nodes: 3,
  rounds: 3,
  localEpochs: 2,
  partition: { kind: 'random', parts: 3 },
  seed: 7,
  plaintext,
  testFraction: 0.3,
  outDir,
  timeoutMs: 240_000,
  minContributors: 3,
  progress: () => undefined,
});

test('three nodes train one encrypted model over gRPC; the plaintext run agrees', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedrisk-e2e-'));
  const enc = await runSimulation(base(join(dir, 'enc'), false));
  const r = enc.report;
  assert.equal(r.nodes, 3);
  assert.equal(r.encrypted, true);
  assert.equal(enc.status.job?.phase, 'COMPLETED');
  assert.equal(enc.status.rounds.length, 4, 'statistics round + 3 training rounds');
  for (const round of enc.status.rounds) assert.equal(round.contributors, 3);
  assert.ok(r.node_models_max_abs_diff < 1e-12, 'every node decrypted the same global model');
  assert.ok(r.auc_federated !== null && r.auc_federated > 0.78, `federated AUC ${r.auc_federated}`);
  assert.ok(r.auc_centralized !== null && r.auc_federated >= r.auc_centralized - 0.02);
  assert.equal(r.ciphertexts_per_update, 1);
  assert.ok(r.bytes_per_update <= 4.5 * 4 * r.slots_per_ciphertext! * r.ciphertexts_per_update!, `${r.bytes_per_update} bytes per update`);

  // The coordinator's store holds ciphertexts only: no plaintext weight of the final model appears in it.
  const coordDb = readFileSync(join(enc.runDir, 'coordinator.sqlite'));
  const finalModel = await (async () => {
    const knex = createDecisionDb({ filename: enc.decisionDbs[0]!.path });
    try {
      return await createModelStore(knex).getActive();
    } finally {
      await knex.destroy();
    }
  })();
  assert.ok(finalModel, 'the node deployed the federated model into its decision store');
  assert.equal(finalModel.version, r.final_model_version);
  assert.ok(!coordDb.includes(Buffer.from(String(finalModel.weights[0]))), 'a plaintext weight in the coordinator store');

  const plain = await runSimulation(base(join(dir, 'plain'), true));
  assert.equal(plain.report.encrypted, false);
  assert.ok(
    Math.abs(plain.report.auc_federated! - r.auc_federated) <= 0.001,
    `encrypted ${r.auc_federated} vs plaintext ${plain.report.auc_federated}`,
  );
});
