// Original file: protos/fedrisk/training/v1/training.proto

import type { RoundKind as _fedrisk_training_v1_RoundKind, RoundKind__Output as _fedrisk_training_v1_RoundKind__Output } from '../../../fedrisk/training/v1/RoundKind';
import type { Long } from '@grpc/proto-loader';

export interface AggregateHeader {
  'round'?: (number);
  'encoding'?: (string);
  'ciphertextSizes'?: (number)[];
  'totalBytes'?: (number | string | Long);
  'contributors'?: (number);
  'kind'?: (_fedrisk_training_v1_RoundKind);
}

export interface AggregateHeader__Output {
  'round': (number);
  'encoding': (string);
  'ciphertextSizes': (number)[];
  'totalBytes': (number);
  'contributors': (number);
  'kind': (_fedrisk_training_v1_RoundKind__Output);
}
