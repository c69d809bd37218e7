// Original file: protos/fedrisk/training/v1/training.proto

import type { JobPhase as _fedrisk_training_v1_JobPhase, JobPhase__Output as _fedrisk_training_v1_JobPhase__Output } from '../../../fedrisk/training/v1/JobPhase';
import type { RoundKind as _fedrisk_training_v1_RoundKind, RoundKind__Output as _fedrisk_training_v1_RoundKind__Output } from '../../../fedrisk/training/v1/RoundKind';
import type { Participant as _fedrisk_training_v1_Participant, Participant__Output as _fedrisk_training_v1_Participant__Output } from '../../../fedrisk/training/v1/Participant';
import type { Long } from '@grpc/proto-loader';

export interface RoundPlan {
  'consortiumId'?: (string);
  'jobId'?: (string);
  'phase'?: (_fedrisk_training_v1_JobPhase);
  'round'?: (number);
  'kind'?: (_fedrisk_training_v1_RoundKind);
  'keyEpoch'?: (number);
  /**
   * The job's public specification (schema, rounds, epochs, learning rate, seed, row scale...), as JSON.
   */
  'jobSpecJson'?: (string);
  'vectorLength'?: (number);
  'ciphertexts'?: (number);
  'maxUpdateBytes'?: (number | string | Long);
  /**
   * "ckks" or "plain-f64" (the explicit no-HE comparison mode).
   */
  'encoding'?: (string);
  'participants'?: (_fedrisk_training_v1_Participant)[];
  /**
   * The newest round whose aggregate is released; -1 when none.
   */
  'releasedRound'?: (number);
  'alreadySubmitted'?: (boolean);
  'keyHolder'?: (boolean);
  'keysPublished'?: (boolean);
  'statusMessage'?: (string);
  'totalRounds'?: (number);
  'roundDeadlineMs'?: (number | string | Long);
}

export interface RoundPlan__Output {
  'consortiumId': (string);
  'jobId': (string);
  'phase': (_fedrisk_training_v1_JobPhase__Output);
  'round': (number);
  'kind': (_fedrisk_training_v1_RoundKind__Output);
  'keyEpoch': (number);
  /**
   * The job's public specification (schema, rounds, epochs, learning rate, seed, row scale...), as JSON.
   */
  'jobSpecJson': (string);
  'vectorLength': (number);
  'ciphertexts': (number);
  'maxUpdateBytes': (number);
  /**
   * "ckks" or "plain-f64" (the explicit no-HE comparison mode).
   */
  'encoding': (string);
  'participants': (_fedrisk_training_v1_Participant__Output)[];
  /**
   * The newest round whose aggregate is released; -1 when none.
   */
  'releasedRound': (number);
  'alreadySubmitted': (boolean);
  'keyHolder': (boolean);
  'keysPublished': (boolean);
  'statusMessage': (string);
  'totalRounds': (number);
  'roundDeadlineMs': (number);
}
