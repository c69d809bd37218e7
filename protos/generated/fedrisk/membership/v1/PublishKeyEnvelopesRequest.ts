// Original file: protos/fedrisk/membership/v1/membership.proto

import type { KeyEnvelope as _fedrisk_membership_v1_KeyEnvelope, KeyEnvelope__Output as _fedrisk_membership_v1_KeyEnvelope__Output } from '../../../fedrisk/membership/v1/KeyEnvelope';

export interface PublishKeyEnvelopesRequest {
  'consortiumId'?: (string);
  'memberId'?: (string);
  'keyEpoch'?: (number);
  'envelopes'?: (_fedrisk_membership_v1_KeyEnvelope)[];
  /**
   * Public fingerprint of the epoch's CKKS secret key (sha256 prefix), so members can check they got the same key.
   */
  'keyFingerprint'?: (string);
}

export interface PublishKeyEnvelopesRequest__Output {
  'consortiumId': (string);
  'memberId': (string);
  'keyEpoch': (number);
  'envelopes': (_fedrisk_membership_v1_KeyEnvelope__Output)[];
  /**
   * Public fingerprint of the epoch's CKKS secret key (sha256 prefix), so members can check they got the same key.
   */
  'keyFingerprint': (string);
}
