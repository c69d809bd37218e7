/**
 * What the coordinator persists, behind an interface so the service logic is storage-neutral. Rows are typed;
 * payloads are opaque ciphertext bytes (or, only for an explicit plaintext comparison job, float64 vectors).
 * Nothing here can hold a secret key: there is no column for one.
 */
export type MemberStatus = 'active' | 'revoked';

export interface MemberRow {
  id: string;
  consortiumId: string;
  name: string;
  sealPublicKey: Uint8Array;
  tokenHash: string;
  joinOrder: number;
  status: MemberStatus;
  joinedAt: string;
}

export type JobPhase = 'WAITING_MEMBERS' | 'KEYING' | 'ROUND_OPEN' | 'COMPLETED' | 'FAILED';

export interface JobRow {
  id: string;
  specJson: string;
  phase: JobPhase;
  keyEpoch: number;
  /** Member ids fixed when keying starts, in join order. */
  participants: string[];
  currentRound: number;
  releasedRound: number;
  keyingDeadline: string | null;
  failedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface KeyEnvelopeRow {
  keyEpoch: number;
  recipientMemberId: string;
  sealed: Uint8Array;
  keyFingerprint: string;
  sealedByMemberId: string;
  createdAt: string;
}

export type RoundKind = 'STATS' | 'TRAIN';
export type RoundStatus = 'open' | 'released' | 'failed';

export interface RoundRow {
  jobId: string;
  round: number;
  kind: RoundKind;
  status: RoundStatus;
  openedAt: string;
  deadlineAt: string;
  closedAt: string | null;
  contributors: number;
}

export interface UpdateRow {
  jobId: string;
  round: number;
  memberId: string;
  keyEpoch: number;
  encoding: string;
  sizes: number[];
  payload: Uint8Array;
  receivedAt: string;
}

export interface AggregateRow {
  jobId: string;
  round: number;
  encoding: string;
  sizes: number[];
  payload: Uint8Array;
  contributors: number;
  releasedAt: string;
}

export interface MetricRow {
  jobId: string;
  round: number;
  memberId: string;
  name: string;
  value: number;
  holdoutRows: number;
}

export interface CoordinatorStore {
  listMembers(): Promise<MemberRow[]>;
  getMember(id: string): Promise<MemberRow | null>;
  getMemberByName(name: string): Promise<MemberRow | null>;
  insertMember(row: MemberRow): Promise<void>;
  updateMemberToken(id: string, tokenHash: string): Promise<void>;

  getJob(id: string): Promise<JobRow | null>;
  latestJob(): Promise<JobRow | null>;
  insertJob(row: JobRow): Promise<void>;
  updateJob(row: JobRow): Promise<void>;

  putEnvelopes(rows: KeyEnvelopeRow[]): Promise<void>;
  getEnvelope(keyEpoch: number, recipient: string): Promise<KeyEnvelopeRow | null>;
  countEnvelopes(keyEpoch: number): Promise<number>;
  putAck(keyEpoch: number, memberId: string, at: string): Promise<void>;
  listAcks(keyEpoch: number): Promise<string[]>;

  insertRound(row: RoundRow): Promise<void>;
  updateRound(row: RoundRow): Promise<void>;
  getRound(jobId: string, round: number): Promise<RoundRow | null>;
  listRounds(jobId: string): Promise<RoundRow[]>;

  insertUpdate(row: UpdateRow): Promise<void>;
  listUpdates(jobId: string, round: number): Promise<UpdateRow[]>;
  /** Submitting members of a round, without loading payloads. */
  listContributors(jobId: string, round: number): Promise<string[]>;
  /** Sizes of all updates of a job (for reports), without payloads. */
  listUpdateSizes(jobId: string): Promise<{ round: number; memberId: string; sizes: number[] }[]>;

  insertAggregate(row: AggregateRow): Promise<void>;
  getAggregate(jobId: string, round: number): Promise<AggregateRow | null>;

  putMetrics(rows: MetricRow[]): Promise<void>;
  listMetrics(jobId: string): Promise<MetricRow[]>;

  /** Runs fn atomically (a single transaction where the backend has them). */
  transaction<T>(fn: (store: CoordinatorStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
