// Original file: protos/fedrisk/training/v1/training.proto

import type { RoundRef as _fedrisk_training_v1_RoundRef, RoundRef__Output as _fedrisk_training_v1_RoundRef__Output } from '../../../fedrisk/training/v1/RoundRef';

export interface FetchAggregateRequest {
  'ref'?: (_fedrisk_training_v1_RoundRef | null);
}

export interface FetchAggregateRequest__Output {
  'ref': (_fedrisk_training_v1_RoundRef__Output | null);
}
