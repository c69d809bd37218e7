// Original file: protos/fedrisk/training/v1/training.proto


export interface SubmitUpdateResponse {
  'round'?: (number);
  'receivedBytes'?: (number);
  'contributorsSoFar'?: (number);
}

export interface SubmitUpdateResponse__Output {
  'round': (number);
  'receivedBytes': (number);
  'contributorsSoFar': (number);
}
