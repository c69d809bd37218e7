// Original file: protos/fedrisk/training/v1/training.proto

import type { AggregateHeader as _fedrisk_training_v1_AggregateHeader, AggregateHeader__Output as _fedrisk_training_v1_AggregateHeader__Output } from '../../../fedrisk/training/v1/AggregateHeader';

export interface AggregateChunk {
  'header'?: (_fedrisk_training_v1_AggregateHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'payload'?: "header"|"data";
}

export interface AggregateChunk__Output {
  'header'?: (_fedrisk_training_v1_AggregateHeader__Output | null);
  'data'?: (Buffer);
  'payload'?: "header"|"data";
}
