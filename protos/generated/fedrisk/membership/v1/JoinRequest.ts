// Original file: protos/fedrisk/membership/v1/membership.proto


export interface JoinRequest {
  'consortiumId'?: (string);
  'joinToken'?: (string);
  'memberName'?: (string);
  /**
   * Raw 32-byte X25519 public key the key bundle is sealed to.
   */
  'sealPublicKey'?: (Buffer | Uint8Array | string);
}

export interface JoinRequest__Output {
  'consortiumId': (string);
  'joinToken': (string);
  'memberName': (string);
  /**
   * Raw 32-byte X25519 public key the key bundle is sealed to.
   */
  'sealPublicKey': (Buffer);
}
