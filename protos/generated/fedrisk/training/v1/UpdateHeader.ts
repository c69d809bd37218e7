// Original file: protos/fedrisk/training/v1/training.proto

import type { RoundRef as _fedrisk_training_v1_RoundRef, RoundRef__Output as _fedrisk_training_v1_RoundRef__Output } from '../../../fedrisk/training/v1/RoundRef';
import type { Long } from '@grpc/proto-loader';

export interface UpdateHeader {
  'ref'?: (_fedrisk_training_v1_RoundRef | null);
  'encoding'?: (string);
  'ciphertextSizes'?: (number)[];
  'totalBytes'?: (number | string | Long);
}

export interface UpdateHeader__Output {
  'ref': (_fedrisk_training_v1_RoundRef__Output | null);
  'encoding': (string);
  'ciphertextSizes': (number)[];
  'totalBytes': (number);
}
