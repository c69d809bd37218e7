/**
 * The simulation's result: a JSON document with fixed snake_case keys (what scripts and CI compare) and the same
 * figures as a table a person can read.
 */
export interface NodeReport {
  name: string;
  /** The partition column's value this node holds (column partitions only). */
  partition_value: string | null;
  rows: number;
  test_rows: number;
  /** The node trained alone, scored on its own part of the test split; null if that part has one class. */
  auc_local: number | null;
  /** The federated model on the node's part of the test split. */
  auc_federated: number | null;
}

export interface SimulationReport {
  dataset: string;
  nodes: number;
  rounds: number;
  partition: string;
  encrypted: boolean;
  auc_federated: number | null;
  auc_centralized: number | null;
  auc_local_mean: number | null;
  per_node: NodeReport[];
  /** Mean bytes of one node's training-round update as sent (ciphertexts, or float64 in the plaintext run). */
  bytes_per_update: number;
  ciphertexts_per_update: number | null;
  slots_per_ciphertext: number | null;
  /** The same values as float32: 4 bytes x (weights + bias + row count). */
  plaintext_bytes_per_update: number;
  values_per_update: number;
  round_seconds_median: number | null;
  /** Coordinator start to the last node's exit. */
  federated_seconds: number;
  /** The whole command, baselines included. */
  total_seconds: number;
  local_epochs: number;
  seed: number;
  train_rows: number;
  test_rows: number;
  /** Largest weight difference between the nodes' final models (all decrypt the same aggregate). */
  node_models_max_abs_diff: number;
  final_model_version: string;
  run_dir: string;
}

const f4 = (x: number | null): string => (x === null ? '   -  ' : x.toFixed(4));

export function formatReport(r: SimulationReport): string {
  const out: string[] = [];
  out.push('');
  out.push(`node                          rows   test   AUC local   AUC federated`);
  for (const n of r.per_node) {
    out.push(`${n.name.padEnd(28)} ${String(n.rows).padStart(5)}  ${String(n.test_rows).padStart(5)}   ${f4(n.auc_local).padStart(9)}   ${f4(n.auc_federated).padStart(13)}`);
  }
  out.push('');
  out.push(`AUC on the shared test split (${r.test_rows} rows):`);
  out.push(`  federated   ${f4(r.auc_federated)}   (${r.encrypted ? 'CKKS-encrypted updates' : 'PLAINTEXT comparison run'}, ${r.rounds} rounds x ${r.local_epochs} local epochs)`);
  out.push(`  centralised ${f4(r.auc_centralized)}   (all ${r.train_rows} training rows pooled)`);
  out.push(`  local mean  ${f4(r.auc_local_mean)}   (each node alone, on its own test part)`);
  if (r.ciphertexts_per_update !== null && r.slots_per_ciphertext !== null) {
    const bound = 4.5 * 4 * r.slots_per_ciphertext * r.ciphertexts_per_update;
    out.push(
      `update: ${r.bytes_per_update} bytes = ${r.ciphertexts_per_update} ciphertext(s) x ${r.slots_per_ciphertext} slots (${(r.bytes_per_update / (4 * r.slots_per_ciphertext * r.ciphertexts_per_update)).toFixed(2)}x float32 of the slots; bound 4.5x = ${bound}); ${r.values_per_update} values = ${r.plaintext_bytes_per_update} B as float32`,
    );
  } else {
    out.push(`update: ${r.bytes_per_update} bytes of float64 (plaintext run)`);
  }
  out.push(`rounds: median ${r.round_seconds_median === null ? '-' : r.round_seconds_median.toFixed(2)} s; federated run ${r.federated_seconds.toFixed(1)} s; total ${r.total_seconds.toFixed(1)} s`);
  out.push(`nodes' final models agree to ${r.node_models_max_abs_diff.toExponential(1)}; version ${r.final_model_version}`);
  out.push(`run folder: ${r.run_dir}`);
  return out.join('\n') + '\n';
}
