import type { FeatureSchema, Standardisation } from '../schema/feature-schema.js';

export const MODEL_FORMAT = 'fedrisk.model/v1' as const;

/**
 * A deployable global model: everything a decision service needs to score an application with no training code and
 * no network call (schema, standardisation, weights). The node writes it; the decision service reads it.
 */
export interface LogisticModel {
  format: typeof MODEL_FORMAT;
  kind: 'logistic';
  /** Unique version label, e.g. `credit_data-job1-r10`. */
  version: string;
  schema: FeatureSchema;
  standardisation: Standardisation;
  /** One weight per encoded column (see `encodedNames`). */
  weights: number[];
  bias: number;
  createdAt: string;
  /** Where it came from: job, round, contributors, hold-out metrics. Free-form but JSON. */
  provenance: Record<string, string | number | boolean | null>;
}

/** Probability of default for one encoded row: the decision path scores in plain TypeScript, never through tfjs. */
export function predictProbability(model: Pick<LogisticModel, 'weights' | 'bias'>, x: ArrayLike<number>): number {
  let z = model.bias;
  const w = model.weights;
  for (let i = 0; i < w.length; i++) z += w[i]! * x[i]!;
  return 1 / (1 + Math.exp(-z));
}
