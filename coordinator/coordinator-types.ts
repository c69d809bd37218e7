/**
 * Transport-neutral request and response shapes of the coordinator's handlers. The gRPC shell maps protobuf messages
 * to these; simulations and tests call the handlers with them directly.
 */
import type { JobPhase, RoundKind } from './store/coordinator-store.js';

export interface JoinInput {
  consortiumId: string;
  joinToken: string;
  memberName: string;
  sealPublicKey: Uint8Array;
}

export interface JoinResult {
  consortiumId: string;
  memberId: string;
  memberToken: string;
  joinOrder: number;
  keyHolder: boolean;
  minContributors: number;
}

export interface ParticipantInfo {
  memberId: string;
  memberName: string;
  sealPublicKey: Uint8Array;
  joinOrder: number;
}

export interface PlanView {
  consortiumId: string;
  jobId: string;
  phase: JobPhase | 'NO_JOB';
  round: number;
  kind: RoundKind | null;
  keyEpoch: number;
  jobSpecJson: string;
  vectorLength: number;
  ciphertexts: number;
  maxUpdateBytes: number;
  encoding: string;
  participants: ParticipantInfo[];
  releasedRound: number;
  alreadySubmitted: boolean;
  keyHolder: boolean;
  keysPublished: boolean;
  statusMessage: string;
  totalRounds: number;
  roundDeadlineMs: number;
}

/** Binds a message to one consortium, job, round, member and key epoch (DESIGN promise 4). */
export interface RoundRefInput {
  consortiumId: string;
  jobId: string;
  round: number;
  memberId: string;
  keyEpoch: number;
}

export interface UpdateHeaderInput {
  ref: RoundRefInput;
  encoding: string;
  ciphertextSizes: number[];
  totalBytes: number;
}

export interface EnvelopeInput {
  recipientMemberId: string;
  sealed: Uint8Array;
}

export interface PublishEnvelopesInput {
  consortiumId: string;
  memberId: string;
  keyEpoch: number;
  keyFingerprint: string;
  envelopes: EnvelopeInput[];
}

export interface AggregateView {
  round: number;
  kind: RoundKind;
  encoding: string;
  sizes: number[];
  payload: Uint8Array;
  contributors: number;
}

export interface MetricInput {
  name: string;
  value: number;
}
