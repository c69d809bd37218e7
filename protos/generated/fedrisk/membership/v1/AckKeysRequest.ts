// Original file: protos/fedrisk/membership/v1/membership.proto


export interface AckKeysRequest {
  'consortiumId'?: (string);
  'memberId'?: (string);
  'keyEpoch'?: (number);
  'keyFingerprint'?: (string);
}

export interface AckKeysRequest__Output {
  'consortiumId': (string);
  'memberId': (string);
  'keyEpoch': (number);
  'keyFingerprint': (string);
}
