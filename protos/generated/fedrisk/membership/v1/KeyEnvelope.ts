// Original file: protos/fedrisk/membership/v1/membership.proto


export interface KeyEnvelope {
  'recipientMemberId'?: (string);
  /**
   * Versioned sealed box: only the recipient's X25519 private key opens it.
   */
  'sealed'?: (Buffer | Uint8Array | string);
}

export interface KeyEnvelope__Output {
  'recipientMemberId': (string);
  /**
   * Versioned sealed box: only the recipient's X25519 private key opens it.
   */
  'sealed': (Buffer);
}
