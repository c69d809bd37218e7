// Original file: protos/fedrisk/training/v1/training.proto


export interface Participant {
  'memberId'?: (string);
  'memberName'?: (string);
  'sealPublicKey'?: (Buffer | Uint8Array | string);
  'joinOrder'?: (number);
}

export interface Participant__Output {
  'memberId': (string);
  'memberName': (string);
  'sealPublicKey': (Buffer);
  'joinOrder': (number);
}
