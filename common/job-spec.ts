/**
 * A training job's public specification: what every node needs to take part, and what the coordinator needs to size
 * and check rounds. It is fixed when the job starts and travels in every round plan, so no node can drift.
 */
import { z } from 'zod';
import { FedriskError } from './errors.js';
import type { FeatureSchema } from './schema/feature-schema.js';
import { parseSchema } from './schema/validate-schema.js';
import { encodedWidth } from './schema/feature-encoder.js';
import { statsVectorLength } from './schema/feature-stats.js';
import { packedLength } from './fedavg.js';

export interface JobSpec {
  jobId: string;
  schema: FeatureSchema;
  /** Training rounds after the statistics round (round 0). */
  rounds: number;
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'sgd' | 'adam';
  /** FedProx proximal term; 0 is plain FedAvg. */
  proximalMu: number;
  l2: number;
  /** Every weight is clipped to [-clip, clip] before packing: bounds what a slot can hold. */
  clip: number;
  seed: number;
  /** Public row scale S: updates pack n/S so slots stay far inside the CKKS headroom. */
  rowScale: number;
  /** false only for the explicit plaintext comparison run (`--plaintext`). */
  encrypted: boolean;
}

const jobSpecShape = z
  .object({
    jobId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)'),
    schema: z.unknown(),
    rounds: z.number().int().min(1).max(1000),
    localEpochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(1_000_000),
    learningRate: z.number().positive().max(100),
    optimizer: z.enum(['sgd', 'adam']),
    proximalMu: z.number().min(0).max(1000),
    l2: z.number().min(0).max(1000),
    clip: z.number().positive().max(1000),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    rowScale: z.number().positive(),
    encrypted: z.boolean(),
  })
  .strict();

/** Validates a job spec document (from a file, a flag set or a round plan) with errors that name the field. */
export function parseJobSpec(input: unknown): JobSpec {
  const res = jobSpecShape.safeParse(input);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = issue.path.join('.') || '(root)';
    throw new FedriskError('INVALID_ARGUMENT', `job spec ${field}: ${issue.message}`, { field });
  }
  return { ...res.data, schema: parseSchema(res.data.schema) } as JobSpec;
}

/** Values in the statistics round's vector (round 0). */
export function statsRoundLength(spec: JobSpec): number {
  return statsVectorLength(spec.schema);
}

/** Values in a training round's vector: weights, bias and the row count. */
export function trainRoundLength(spec: JobSpec): number {
  return packedLength(encodedWidth(spec.schema));
}

/**
 * Defaults for a job's training settings: Adam at 0.005, batch 64, E = 2, light ridge, clip 10 (the reasoning is in
 * node/training/logistic-trainer.ts, DEFAULT_TRAIN_OPTIONS). Row scale 1000: a node of up to ~10^6 rows packs
 * n/S <= 1000, far inside the slot headroom even times the clip.
 */
export const JOB_DEFAULTS = {
  rounds: 10,
  localEpochs: 2,
  batchSize: 64,
  learningRate: 0.005,
  optimizer: 'adam',
  proximalMu: 0,
  l2: 1e-4,
  clip: 10,
  seed: 42,
  rowScale: 1000,
  encrypted: true,
} as const satisfies Omit<JobSpec, 'jobId' | 'schema'>;

/** A job spec from a schema and overrides, validated. */
export function buildJobSpec(jobId: string, schema: FeatureSchema, overrides: Partial<Omit<JobSpec, 'jobId' | 'schema'>> = {}): JobSpec {
  return parseJobSpec({ ...JOB_DEFAULTS, ...overrides, jobId, schema });
}
