// Original file: protos/fedrisk/membership/v1/membership.proto


export interface AckKeysResponse {
  'acked'?: (number);
  'participants'?: (number);
}

export interface AckKeysResponse__Output {
  'acked': (number);
  'participants': (number);
}
