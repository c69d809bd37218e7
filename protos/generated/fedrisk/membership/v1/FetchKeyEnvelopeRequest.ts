// Original file: protos/fedrisk/membership/v1/membership.proto


export interface FetchKeyEnvelopeRequest {
  'consortiumId'?: (string);
  'memberId'?: (string);
  'keyEpoch'?: (number);
}

export interface FetchKeyEnvelopeRequest__Output {
  'consortiumId': (string);
  'memberId': (string);
  'keyEpoch': (number);
}
