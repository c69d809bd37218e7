// Original file: protos/fedrisk/membership/v1/membership.proto

import type { CkksParameters as _fedrisk_membership_v1_CkksParameters, CkksParameters__Output as _fedrisk_membership_v1_CkksParameters__Output } from '../../../fedrisk/membership/v1/CkksParameters';

export interface JoinResponse {
  'consortiumId'?: (string);
  'memberId'?: (string);
  'memberToken'?: (string);
  'joinOrder'?: (number);
  'keyHolder'?: (boolean);
  'ckks'?: (_fedrisk_membership_v1_CkksParameters | null);
  'minContributors'?: (number);
}

export interface JoinResponse__Output {
  'consortiumId': (string);
  'memberId': (string);
  'memberToken': (string);
  'joinOrder': (number);
  'keyHolder': (boolean);
  'ckks': (_fedrisk_membership_v1_CkksParameters__Output | null);
  'minContributors': (number);
}
