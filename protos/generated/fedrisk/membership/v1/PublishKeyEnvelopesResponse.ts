// Original file: protos/fedrisk/membership/v1/membership.proto


export interface PublishKeyEnvelopesResponse {
  'accepted'?: (number);
}

export interface PublishKeyEnvelopesResponse__Output {
  'accepted': (number);
}
