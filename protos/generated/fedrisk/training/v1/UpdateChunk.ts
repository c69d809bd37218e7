// Original file: protos/fedrisk/training/v1/training.proto

import type { UpdateHeader as _fedrisk_training_v1_UpdateHeader, UpdateHeader__Output as _fedrisk_training_v1_UpdateHeader__Output } from '../../../fedrisk/training/v1/UpdateHeader';

export interface UpdateChunk {
  'header'?: (_fedrisk_training_v1_UpdateHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'payload'?: "header"|"data";
}

export interface UpdateChunk__Output {
  'header'?: (_fedrisk_training_v1_UpdateHeader__Output | null);
  'data'?: (Buffer);
  'payload'?: "header"|"data";
}
