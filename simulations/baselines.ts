/**
 * The two references a federated run is judged against, trained in-process with the same trainer and epoch budget:
 * centralised (all training rows pooled, which no real consortium could do) and local-only (each institution alone,
 * standardised on its own rows).
 */
import type { Dataset } from '../common/schema/index.js';
import { computeLocalStats, encodeRows, encodedWidth, standardisationFromStats, type Standardisation } from '../common/schema/index.js';
import { auc } from '../common/ml/index.js';
import type { JobSpec } from '../common/job-spec.js';
import { deriveSeed } from '../common/random.js';
import { initialWeights, predictLinear, trainLogistic, type LinearWeights } from '../node/training/index.js';

export interface TrainedBaseline {
  model: LinearWeights;
  std: Standardisation;
}

/** Trains on `train` alone for rounds x localEpochs epochs (the federated run's per-node budget). */
export async function trainAlone(train: Dataset, spec: JobSpec, purpose: string): Promise<TrainedBaseline> {
  const std = standardisationFromStats(spec.schema, computeLocalStats(spec.schema, train.rows));
  const d = encodedWidth(spec.schema);
  const x = encodeRows(spec.schema, std, train.rows);
  const res = await trainLogistic(x, train.labels, d, initialWeights(d, spec.seed), {
    epochs: spec.rounds * spec.localEpochs,
    batchSize: spec.batchSize,
    learningRate: spec.learningRate,
    optimizer: spec.optimizer,
    seed: deriveSeed(spec.seed, `baseline/${purpose}`),
    l2: spec.l2,
    clip: spec.clip,
  });
  return { model: res.model, std };
}

/** AUC of a linear model on a data set (null when the set has one class or no rows). */
export function aucOn(model: LinearWeights, std: Standardisation, ds: Dataset): number | null {
  if (ds.rows.length === 0) return null;
  const d = model.weights.length;
  return auc(predictLinear(model, encodeRows(ds.schema, std, ds.rows), d), ds.labels);
}
