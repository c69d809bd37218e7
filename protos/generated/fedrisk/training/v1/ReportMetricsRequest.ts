// Original file: protos/fedrisk/training/v1/training.proto

import type { RoundRef as _fedrisk_training_v1_RoundRef, RoundRef__Output as _fedrisk_training_v1_RoundRef__Output } from '../../../fedrisk/training/v1/RoundRef';
import type { Metric as _fedrisk_training_v1_Metric, Metric__Output as _fedrisk_training_v1_Metric__Output } from '../../../fedrisk/training/v1/Metric';

export interface ReportMetricsRequest {
  'ref'?: (_fedrisk_training_v1_RoundRef | null);
  'metrics'?: (_fedrisk_training_v1_Metric)[];
  'holdoutRows'?: (number);
}

export interface ReportMetricsRequest__Output {
  'ref': (_fedrisk_training_v1_RoundRef__Output | null);
  'metrics': (_fedrisk_training_v1_Metric__Output)[];
  'holdoutRows': (number);
}
