// Original file: protos/fedrisk/training/v1/training.proto

export const JobPhase = {
  JOB_PHASE_UNSPECIFIED: 'JOB_PHASE_UNSPECIFIED',
  JOB_PHASE_NO_JOB: 'JOB_PHASE_NO_JOB',
  JOB_PHASE_WAITING_MEMBERS: 'JOB_PHASE_WAITING_MEMBERS',
  JOB_PHASE_KEYING: 'JOB_PHASE_KEYING',
  JOB_PHASE_ROUND_OPEN: 'JOB_PHASE_ROUND_OPEN',
  JOB_PHASE_COMPLETED: 'JOB_PHASE_COMPLETED',
  JOB_PHASE_FAILED: 'JOB_PHASE_FAILED',
} as const;

export type JobPhase =
  | 'JOB_PHASE_UNSPECIFIED'
  | 0
  | 'JOB_PHASE_NO_JOB'
  | 1
  | 'JOB_PHASE_WAITING_MEMBERS'
  | 2
  | 'JOB_PHASE_KEYING'
  | 3
  | 'JOB_PHASE_ROUND_OPEN'
  | 4
  | 'JOB_PHASE_COMPLETED'
  | 5
  | 'JOB_PHASE_FAILED'
  | 6

export type JobPhase__Output = typeof JobPhase[keyof typeof JobPhase]
