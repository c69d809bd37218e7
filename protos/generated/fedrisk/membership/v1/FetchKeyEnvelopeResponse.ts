// Original file: protos/fedrisk/membership/v1/membership.proto


export interface FetchKeyEnvelopeResponse {
  'keyEpoch'?: (number);
  'sealed'?: (Buffer | Uint8Array | string);
  'keyFingerprint'?: (string);
  'sealedByMemberId'?: (string);
}

export interface FetchKeyEnvelopeResponse__Output {
  'keyEpoch': (number);
  'sealed': (Buffer);
  'keyFingerprint': (string);
  'sealedByMemberId': (string);
}
