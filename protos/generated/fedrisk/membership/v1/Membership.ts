// Original file: protos/fedrisk/membership/v1/membership.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AckKeysRequest as _fedrisk_membership_v1_AckKeysRequest, AckKeysRequest__Output as _fedrisk_membership_v1_AckKeysRequest__Output } from '../../../fedrisk/membership/v1/AckKeysRequest';
import type { AckKeysResponse as _fedrisk_membership_v1_AckKeysResponse, AckKeysResponse__Output as _fedrisk_membership_v1_AckKeysResponse__Output } from '../../../fedrisk/membership/v1/AckKeysResponse';
import type { FetchKeyEnvelopeRequest as _fedrisk_membership_v1_FetchKeyEnvelopeRequest, FetchKeyEnvelopeRequest__Output as _fedrisk_membership_v1_FetchKeyEnvelopeRequest__Output } from '../../../fedrisk/membership/v1/FetchKeyEnvelopeRequest';
import type { FetchKeyEnvelopeResponse as _fedrisk_membership_v1_FetchKeyEnvelopeResponse, FetchKeyEnvelopeResponse__Output as _fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output } from '../../../fedrisk/membership/v1/FetchKeyEnvelopeResponse';
import type { JoinRequest as _fedrisk_membership_v1_JoinRequest, JoinRequest__Output as _fedrisk_membership_v1_JoinRequest__Output } from '../../../fedrisk/membership/v1/JoinRequest';
import type { JoinResponse as _fedrisk_membership_v1_JoinResponse, JoinResponse__Output as _fedrisk_membership_v1_JoinResponse__Output } from '../../../fedrisk/membership/v1/JoinResponse';
import type { PublishKeyEnvelopesRequest as _fedrisk_membership_v1_PublishKeyEnvelopesRequest, PublishKeyEnvelopesRequest__Output as _fedrisk_membership_v1_PublishKeyEnvelopesRequest__Output } from '../../../fedrisk/membership/v1/PublishKeyEnvelopesRequest';
import type { PublishKeyEnvelopesResponse as _fedrisk_membership_v1_PublishKeyEnvelopesResponse, PublishKeyEnvelopesResponse__Output as _fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output } from '../../../fedrisk/membership/v1/PublishKeyEnvelopesResponse';

export interface MembershipClient extends grpc.Client {
  /**
   * A member confirms it opened the epoch's key; the first round starts only when every participant has.
   */
  AckKeys(argument: _fedrisk_membership_v1_AckKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  AckKeys(argument: _fedrisk_membership_v1_AckKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  AckKeys(argument: _fedrisk_membership_v1_AckKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  AckKeys(argument: _fedrisk_membership_v1_AckKeysRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A member confirms it opened the epoch's key; the first round starts only when every participant has.
   */
  ackKeys(argument: _fedrisk_membership_v1_AckKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  ackKeys(argument: _fedrisk_membership_v1_AckKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  ackKeys(argument: _fedrisk_membership_v1_AckKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  ackKeys(argument: _fedrisk_membership_v1_AckKeysRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_AckKeysResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A member fetches the envelope sealed to it for an epoch (NOT_FOUND until the key holder has published it).
   */
  FetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  FetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  FetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  FetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * A member fetches the envelope sealed to it for an epoch (NOT_FOUND until the key holder has published it).
   */
  fetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  fetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  fetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  fetchKeyEnvelope(argument: _fedrisk_membership_v1_FetchKeyEnvelopeRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Admits a member that presents the consortium join token. Re-joining with the same name and seal key is how a
   * restarted node recovers its membership (the member token is rotated).
   */
  Join(argument: _fedrisk_membership_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _fedrisk_membership_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _fedrisk_membership_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _fedrisk_membership_v1_JoinRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Admits a member that presents the consortium join token. Re-joining with the same name and seal key is how a
   * restarted node recovers its membership (the member token is rotated).
   */
  join(argument: _fedrisk_membership_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _fedrisk_membership_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _fedrisk_membership_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _fedrisk_membership_v1_JoinRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The key holder seals the epoch's key bundle to every participant's public key and hands the envelopes over.
   */
  PublishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  PublishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  PublishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  PublishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The key holder seals the epoch's key bundle to every participant's public key and hands the envelopes over.
   */
  publishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  publishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  publishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  publishKeyEnvelopes(argument: _fedrisk_membership_v1_PublishKeyEnvelopesRequest, callback: grpc.requestCallback<_fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface MembershipHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A member confirms it opened the epoch's key; the first round starts only when every participant has.
   */
  AckKeys: grpc.handleUnaryCall<_fedrisk_membership_v1_AckKeysRequest__Output, _fedrisk_membership_v1_AckKeysResponse>;
  
  /**
   * A member fetches the envelope sealed to it for an epoch (NOT_FOUND until the key holder has published it).
   */
  FetchKeyEnvelope: grpc.handleUnaryCall<_fedrisk_membership_v1_FetchKeyEnvelopeRequest__Output, _fedrisk_membership_v1_FetchKeyEnvelopeResponse>;
  
  /**
   * Admits a member that presents the consortium join token. Re-joining with the same name and seal key is how a
   * restarted node recovers its membership (the member token is rotated).
   */
  Join: grpc.handleUnaryCall<_fedrisk_membership_v1_JoinRequest__Output, _fedrisk_membership_v1_JoinResponse>;
  
  /**
   * The key holder seals the epoch's key bundle to every participant's public key and hands the envelopes over.
   */
  PublishKeyEnvelopes: grpc.handleUnaryCall<_fedrisk_membership_v1_PublishKeyEnvelopesRequest__Output, _fedrisk_membership_v1_PublishKeyEnvelopesResponse>;
  
}

export interface MembershipDefinition extends grpc.ServiceDefinition {
  AckKeys: MethodDefinition<_fedrisk_membership_v1_AckKeysRequest, _fedrisk_membership_v1_AckKeysResponse, _fedrisk_membership_v1_AckKeysRequest__Output, _fedrisk_membership_v1_AckKeysResponse__Output>
  FetchKeyEnvelope: MethodDefinition<_fedrisk_membership_v1_FetchKeyEnvelopeRequest, _fedrisk_membership_v1_FetchKeyEnvelopeResponse, _fedrisk_membership_v1_FetchKeyEnvelopeRequest__Output, _fedrisk_membership_v1_FetchKeyEnvelopeResponse__Output>
  Join: MethodDefinition<_fedrisk_membership_v1_JoinRequest, _fedrisk_membership_v1_JoinResponse, _fedrisk_membership_v1_JoinRequest__Output, _fedrisk_membership_v1_JoinResponse__Output>
  PublishKeyEnvelopes: MethodDefinition<_fedrisk_membership_v1_PublishKeyEnvelopesRequest, _fedrisk_membership_v1_PublishKeyEnvelopesResponse, _fedrisk_membership_v1_PublishKeyEnvelopesRequest__Output, _fedrisk_membership_v1_PublishKeyEnvelopesResponse__Output>
}
