import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AckKeysRequest as _fedrisk_membership_v1_AckKeysRequest, AckKeysRequest__Output as _fedrisk_membership_v1_AckKeysRequest__Output } from './fedrisk/membership/v1/AckKeysRequest';
import type { AckKeysResponse as _fedrisk_membership_v1_AckKeysResponse, AckKeysResponse__Output as _fedrisk_membership_v1_AckKeysResponse__Output } from './fedrisk/membership/v1/AckKeysResponse';
import type { CkksParameters as _fedrisk_membership_v1_CkksParameters, CkksParameters__Output as _fedrisk_membership_v1_CkksParameters__Output } from './fedrisk/membership/v1/CkksParameters';
import type { FetchKeyEnvelopeRequest as _fedrisk_membership_v1_FetchKeyEnvelopeRequest, FetchKeyEnvelopeRequest__Output as _fedrisk_membership_v1_FetchKeyEnvelopeRequest__Output } from './fedrisk/membership/v1/FetchKeyEnvelopeRequest';
import type { FetchKeyEnvelopeResponse as _fedrisk_membership_v1_FetchKeyEnvelopeResponse, FetchKeyEnvelopeResponse__Output as _fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output } from './fedrisk/membership/v1/FetchKeyEnvelopeResponse';
import type { JoinRequest as _fedrisk_membership_v1_JoinRequest, JoinRequest__Output as _fedrisk_membership_v1_JoinRequest__Output } from './fedrisk/membership/v1/JoinRequest';
import type { JoinResponse as _fedrisk_membership_v1_JoinResponse, JoinResponse__Output as _fedrisk_membership_v1_JoinResponse__Output } from './fedrisk/membership/v1/JoinResponse';
import type { KeyEnvelope as _fedrisk_membership_v1_KeyEnvelope, KeyEnvelope__Output as _fedrisk_membership_v1_KeyEnvelope__Output } from './fedrisk/membership/v1/KeyEnvelope';
import type { MembershipClient as _fedrisk_membership_v1_MembershipClient, MembershipDefinition as _fedrisk_membership_v1_MembershipDefinition } from './fedrisk/membership/v1/Membership';
import type { PublishKeyEnvelopesRequest as _fedrisk_membership_v1_PublishKeyEnvelopesRequest, PublishKeyEnvelopesRequest__Output as _fedrisk_membership_v1_PublishKeyEnvelopesRequest__Output } from './fedrisk/membership/v1/PublishKeyEnvelopesRequest';
import type { PublishKeyEnvelopesResponse as _fedrisk_membership_v1_PublishKeyEnvelopesResponse, PublishKeyEnvelopesResponse__Output as _fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output } from './fedrisk/membership/v1/PublishKeyEnvelopesResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedrisk: {
    membership: {
      v1: {
        AckKeysRequest: MessageTypeDefinition<_fedrisk_membership_v1_AckKeysRequest, _fedrisk_membership_v1_AckKeysRequest__Output>
        AckKeysResponse: MessageTypeDefinition<_fedrisk_membership_v1_AckKeysResponse, _fedrisk_membership_v1_AckKeysResponse__Output>
        CkksParameters: MessageTypeDefinition<_fedrisk_membership_v1_CkksParameters, _fedrisk_membership_v1_CkksParameters__Output>
        FetchKeyEnvelopeRequest: MessageTypeDefinition<_fedrisk_membership_v1_FetchKeyEnvelopeRequest, _fedrisk_membership_v1_FetchKeyEnvelopeRequest__Output>
        FetchKeyEnvelopeResponse: MessageTypeDefinition<_fedrisk_membership_v1_FetchKeyEnvelopeResponse, _fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>
        JoinRequest: MessageTypeDefinition<_fedrisk_membership_v1_JoinRequest, _fedrisk_membership_v1_JoinRequest__Output>
        JoinResponse: MessageTypeDefinition<_fedrisk_membership_v1_JoinResponse, _fedrisk_membership_v1_JoinResponse__Output>
        KeyEnvelope: MessageTypeDefinition<_fedrisk_membership_v1_KeyEnvelope, _fedrisk_membership_v1_KeyEnvelope__Output>
        Membership: SubtypeConstructor<typeof grpc.Client, _fedrisk_membership_v1_MembershipClient> & { service: _fedrisk_membership_v1_MembershipDefinition }
        PublishKeyEnvelopesRequest: MessageTypeDefinition<_fedrisk_membership_v1_PublishKeyEnvelopesRequest, _fedrisk_membership_v1_PublishKeyEnvelopesRequest__Output>
        PublishKeyEnvelopesResponse: MessageTypeDefinition<_fedrisk_membership_v1_PublishKeyEnvelopesResponse, _fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>
      }
    }
  }
}

