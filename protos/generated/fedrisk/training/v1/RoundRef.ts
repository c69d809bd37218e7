// Original file: protos/fedrisk/training/v1/training.proto


export interface RoundRef {
  'consortiumId'?: (string);
  'jobId'?: (string);
  'round'?: (number);
  'memberId'?: (string);
  'keyEpoch'?: (number);
}

export interface RoundRef__Output {
  'consortiumId': (string);
  'jobId': (string);
  'round': (number);
  'memberId': (string);
  'keyEpoch': (number);
}
