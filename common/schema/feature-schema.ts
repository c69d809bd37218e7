/**
 * The consortium feature schema: the public agreement that makes every node build the same feature vector from its
 * own rows. It is fixed for a training job (category levels included) and travels with the round plan, so two nodes
 * can never disagree on a column's meaning or a one-hot position.
 */
export const SCHEMA_FORMAT = 'fedrisk.schema/v1' as const;

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  /**
   * A public magnitude for the feature (|x| is expected to be at most about this). Encrypted statistics divide by it
   * (and its square) so the CKKS slots keep their headroom; it is not a validation limit.
   */
  scale: number;
  /** `mean`: a missing cell takes the consortium mean (from the statistics round); `error`: a missing cell is refused. */
  missing: 'mean' | 'error';
}

export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** Every allowed level, in one-hot order. A value outside this list breaks the schema. */
  levels: string[];
  /** `level`: a missing cell is its own one-hot position (after the levels); `error`: a missing cell is refused. */
  missing: 'level' | 'error';
}

export type Feature = NumericFeature | CategoricalFeature;

export interface LabelSpec {
  column: string;
  /** The label value that means "defaulted" (encoded as 1). */
  bad: string;
  /** The other accepted label values (encoded as 0); a label outside `bad` and `good` breaks the schema. */
  good: string[];
}

export interface FeatureSchema {
  format: typeof SCHEMA_FORMAT;
  /** Data set name, e.g. `credit_data`. */
  name: string;
  /** Bumped whenever features, levels or policies change; part of every model's provenance. */
  version: number;
  label: LabelSpec;
  features: Feature[];
}

/** One input row before encoding: a number, a category string, or null for a missing cell. */
export type RawValue = number | string | null;
export type RawRow = Record<string, RawValue>;

/** A loaded data set: rows aligned with labels (1 = bad, 0 = good). */
export interface Dataset {
  schema: FeatureSchema;
  rows: RawRow[];
  labels: Uint8Array;
}

/** Per numeric feature (schema order): mean and standard deviation used to standardise; from consortium statistics. */
export interface Standardisation {
  mean: number[];
  std: number[];
}
