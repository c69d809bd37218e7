// Original file: protos/fedrisk/training/v1/training.proto


export interface Metric {
  'name'?: (string);
  'value'?: (number | string);
}

export interface Metric__Output {
  'name': (string);
  'value': (number);
}
