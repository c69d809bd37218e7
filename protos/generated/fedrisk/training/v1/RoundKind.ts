// Original file: protos/fedrisk/training/v1/training.proto

export const RoundKind = {
  ROUND_KIND_UNSPECIFIED: 'ROUND_KIND_UNSPECIFIED',
  /**
   * Round 0: encrypted sums of feature statistics, so every node standardises identically.
   */
  ROUND_KIND_STATS: 'ROUND_KIND_STATS',
  /**
   * Rounds 1..R: FedAvg of [n/S * w..., n/S].
   */
  ROUND_KIND_TRAIN: 'ROUND_KIND_TRAIN',
} as const;

export type RoundKind =
  | 'ROUND_KIND_UNSPECIFIED'
  | 0
  /**
   * Round 0: encrypted sums of feature statistics, so every node standardises identically.
   */
  | 'ROUND_KIND_STATS'
  | 1
  /**
   * Rounds 1..R: FedAvg of [n/S * w..., n/S].
   */
  | 'ROUND_KIND_TRAIN'
  | 2

export type RoundKind__Output = typeof RoundKind[keyof typeof RoundKind]
