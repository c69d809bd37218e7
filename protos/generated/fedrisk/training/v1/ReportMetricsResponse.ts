// Original file: protos/fedrisk/training/v1/training.proto


export interface ReportMetricsResponse {
  'accepted'?: (boolean);
}

export interface ReportMetricsResponse__Output {
  'accepted': (boolean);
}
