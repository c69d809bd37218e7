import type { Knex } from 'knex';
import { migrate, openKnex, type DbConfig, type MigrationList } from '../../common/db/index.js';
import * as m0 from './migrations/20261122000000_consortium.js';
import * as m1 from './migrations/20261122000100_rounds.js';
import type {
  AggregateRow,
  CoordinatorStore,
  JobPhase,
  JobRow,
  KeyEnvelopeRow,
  MemberRow,
  MemberStatus,
  MetricRow,
  RoundKind,
  RoundRow,
  RoundStatus,
  UpdateRow,
} from './coordinator-store.js';

export const COORDINATOR_MIGRATIONS: MigrationList = {
  '20261122000000_consortium': m0,
  '20261122000100_rounds': m1,
};

interface MemberDb {
  id: string;
  consortium_id: string;
  name: string;
  seal_public_key: Buffer;
  token_hash: string;
  join_order: number;
  status: string;
  joined_at: string;
}
interface JobDb {
  id: string;
  spec_json: string;
  phase: string;
  key_epoch: number;
  participants_json: string;
  current_round: number;
  released_round: number;
  keying_deadline: string | null;
  failed_reason: string | null;
  created_at: string;
  updated_at: string;
}
interface EnvelopeDb {
  key_epoch: number;
  recipient_member_id: string;
  sealed: Buffer;
  key_fingerprint: string;
  sealed_by_member_id: string;
  created_at: string;
}
interface RoundDb {
  job_id: string;
  round: number;
  kind: string;
  status: string;
  opened_at: string;
  deadline_at: string;
  closed_at: string | null;
  contributors: number;
}
interface UpdateDb {
  job_id: string;
  round: number;
  member_id: string;
  key_epoch: number;
  encoding: string;
  sizes_json: string;
  payload: Buffer;
  received_at: string;
}
interface AggregateDb {
  job_id: string;
  round: number;
  encoding: string;
  sizes_json: string;
  payload: Buffer;
  contributors: number;
  released_at: string;
}
interface MetricDb {
  job_id: string;
  round: number;
  member_id: string;
  name: string;
  value: number;
  holdout_rows: number;
}

const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

const toMember = (r: MemberDb): MemberRow => ({
  id: r.id,
  consortiumId: r.consortium_id,
  name: r.name,
  sealPublicKey: new Uint8Array(r.seal_public_key),
  tokenHash: r.token_hash,
  joinOrder: r.join_order,
  status: r.status as MemberStatus,
  joinedAt: r.joined_at,
});
const toJob = (r: JobDb): JobRow => ({
  id: r.id,
  specJson: r.spec_json,
  phase: r.phase as JobPhase,
  keyEpoch: r.key_epoch,
  participants: JSON.parse(r.participants_json) as string[],
  currentRound: r.current_round,
  releasedRound: r.released_round,
  keyingDeadline: r.keying_deadline,
  failedReason: r.failed_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const fromJob = (j: JobRow): JobDb => ({
  id: j.id,
  spec_json: j.specJson,
  phase: j.phase,
  key_epoch: j.keyEpoch,
  participants_json: JSON.stringify(j.participants),
  current_round: j.currentRound,
  released_round: j.releasedRound,
  keying_deadline: j.keyingDeadline,
  failed_reason: j.failedReason,
  created_at: j.createdAt,
  updated_at: j.updatedAt,
});
const toRound = (r: RoundDb): RoundRow => ({
  jobId: r.job_id,
  round: r.round,
  kind: r.kind as RoundKind,
  status: r.status as RoundStatus,
  openedAt: r.opened_at,
  deadlineAt: r.deadline_at,
  closedAt: r.closed_at,
  contributors: r.contributors,
});
const fromRound = (r: RoundRow): RoundDb => ({
  job_id: r.jobId,
  round: r.round,
  kind: r.kind,
  status: r.status,
  opened_at: r.openedAt,
  deadline_at: r.deadlineAt,
  closed_at: r.closedAt,
  contributors: r.contributors,
});

/** The knex implementation (SQLite by default, PostgreSQL by config) of {@link CoordinatorStore}. */
export class KnexCoordinatorStore implements CoordinatorStore {
  private constructor(private readonly db: Knex | Knex.Transaction, private readonly owner: Knex | null) {}

  static async open(config: DbConfig): Promise<KnexCoordinatorStore> {
    const db = openKnex(config);
    await migrate(db, COORDINATOR_MIGRATIONS, 'coordinator_migrations');
    return new KnexCoordinatorStore(db, db);
  }

  async listMembers(): Promise<MemberRow[]> {
    return (await this.db<MemberDb>('members').select().orderBy('join_order')).map(toMember);
  }
  async getMember(id: string): Promise<MemberRow | null> {
    const r = await this.db<MemberDb>('members').where({ id }).first();
    return r ? toMember(r) : null;
  }
  async getMemberByName(name: string): Promise<MemberRow | null> {
    const r = await this.db<MemberDb>('members').where({ name }).first();
    return r ? toMember(r) : null;
  }
  async insertMember(m: MemberRow): Promise<void> {
    await this.db<MemberDb>('members').insert({
      id: m.id,
      consortium_id: m.consortiumId,
      name: m.name,
      seal_public_key: buf(m.sealPublicKey),
      token_hash: m.tokenHash,
      join_order: m.joinOrder,
      status: m.status,
      joined_at: m.joinedAt,
    });
  }
  async updateMemberToken(id: string, tokenHash: string): Promise<void> {
    await this.db<MemberDb>('members').where({ id }).update({ token_hash: tokenHash });
  }

  async getJob(id: string): Promise<JobRow | null> {
    const r = await this.db<JobDb>('jobs').where({ id }).first();
    return r ? toJob(r) : null;
  }
  async latestJob(): Promise<JobRow | null> {
    const r = await this.db<JobDb>('jobs').orderBy('created_at', 'desc').first();
    return r ? toJob(r) : null;
  }
  async insertJob(j: JobRow): Promise<void> {
    await this.db<JobDb>('jobs').insert(fromJob(j));
  }
  async updateJob(j: JobRow): Promise<void> {
    await this.db<JobDb>('jobs').where({ id: j.id }).update(fromJob(j));
  }

  async putEnvelopes(rows: KeyEnvelopeRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db<EnvelopeDb>('key_envelopes').insert(
      rows.map((e) => ({
        key_epoch: e.keyEpoch,
        recipient_member_id: e.recipientMemberId,
        sealed: buf(e.sealed),
        key_fingerprint: e.keyFingerprint,
        sealed_by_member_id: e.sealedByMemberId,
        created_at: e.createdAt,
      })),
    );
  }
  async getEnvelope(keyEpoch: number, recipient: string): Promise<KeyEnvelopeRow | null> {
    const r = await this.db<EnvelopeDb>('key_envelopes').where({ key_epoch: keyEpoch, recipient_member_id: recipient }).first();
    if (!r) return null;
    return {
      keyEpoch: r.key_epoch,
      recipientMemberId: r.recipient_member_id,
      sealed: new Uint8Array(r.sealed),
      keyFingerprint: r.key_fingerprint,
      sealedByMemberId: r.sealed_by_member_id,
      createdAt: r.created_at,
    };
  }
  async countEnvelopes(keyEpoch: number): Promise<number> {
    const r = await this.db<EnvelopeDb>('key_envelopes').where('key_epoch', keyEpoch).count({ n: '*' });
    return Number((r[0] as { n?: number | string } | undefined)?.n ?? 0);
  }
  async putAck(keyEpoch: number, memberId: string, at: string): Promise<void> {
    await this.db('key_acks').insert({ key_epoch: keyEpoch, member_id: memberId, acked_at: at }).onConflict(['key_epoch', 'member_id']).ignore();
  }
  async listAcks(keyEpoch: number): Promise<string[]> {
    const rows = await this.db<{ key_epoch: number; member_id: string }>('key_acks').where('key_epoch', keyEpoch).select('member_id');
    return rows.map((r) => r.member_id);
  }

  async insertRound(r: RoundRow): Promise<void> {
    await this.db<RoundDb>('rounds').insert(fromRound(r));
  }
  async updateRound(r: RoundRow): Promise<void> {
    await this.db<RoundDb>('rounds').where({ job_id: r.jobId, round: r.round }).update(fromRound(r));
  }
  async getRound(jobId: string, round: number): Promise<RoundRow | null> {
    const r = await this.db<RoundDb>('rounds').where({ job_id: jobId, round }).first();
    return r ? toRound(r) : null;
  }
  async listRounds(jobId: string): Promise<RoundRow[]> {
    return (await this.db<RoundDb>('rounds').where({ job_id: jobId }).orderBy('round')).map(toRound);
  }

  async insertUpdate(u: UpdateRow): Promise<void> {
    await this.db<UpdateDb>('updates').insert({
      job_id: u.jobId,
      round: u.round,
      member_id: u.memberId,
      key_epoch: u.keyEpoch,
      encoding: u.encoding,
      sizes_json: JSON.stringify(u.sizes),
      payload: buf(u.payload),
      received_at: u.receivedAt,
    });
  }
  async listUpdates(jobId: string, round: number): Promise<UpdateRow[]> {
    const rows = await this.db<UpdateDb>('updates').where({ job_id: jobId, round }).orderBy('member_id');
    return rows.map((r) => ({
      jobId: r.job_id,
      round: r.round,
      memberId: r.member_id,
      keyEpoch: r.key_epoch,
      encoding: r.encoding,
      sizes: JSON.parse(r.sizes_json) as number[],
      payload: new Uint8Array(r.payload),
      receivedAt: r.received_at,
    }));
  }
  async listContributors(jobId: string, round: number): Promise<string[]> {
    return (await this.db<UpdateDb>('updates').where({ job_id: jobId, round }).select('member_id')).map((r) => r.member_id);
  }
  async listUpdateSizes(jobId: string): Promise<{ round: number; memberId: string; sizes: number[] }[]> {
    const rows = await this.db<UpdateDb>('updates').where({ job_id: jobId }).select('round', 'member_id', 'sizes_json').orderBy(['round', 'member_id']);
    return rows.map((r) => ({ round: r.round, memberId: r.member_id, sizes: JSON.parse(r.sizes_json) as number[] }));
  }

  async insertAggregate(a: AggregateRow): Promise<void> {
    await this.db<AggregateDb>('aggregates').insert({
      job_id: a.jobId,
      round: a.round,
      encoding: a.encoding,
      sizes_json: JSON.stringify(a.sizes),
      payload: buf(a.payload),
      contributors: a.contributors,
      released_at: a.releasedAt,
    });
  }
  async getAggregate(jobId: string, round: number): Promise<AggregateRow | null> {
    const r = await this.db<AggregateDb>('aggregates').where({ job_id: jobId, round }).first();
    if (!r) return null;
    return {
      jobId: r.job_id,
      round: r.round,
      encoding: r.encoding,
      sizes: JSON.parse(r.sizes_json) as number[],
      payload: new Uint8Array(r.payload),
      contributors: r.contributors,
      releasedAt: r.released_at,
    };
  }

  async putMetrics(rows: MetricRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db<MetricDb>('metrics')
      .insert(rows.map((m) => ({ job_id: m.jobId, round: m.round, member_id: m.memberId, name: m.name, value: m.value, holdout_rows: m.holdoutRows })))
      .onConflict(['job_id', 'round', 'member_id', 'name'])
      .merge();
  }
  async listMetrics(jobId: string): Promise<MetricRow[]> {
    const rows = await this.db<MetricDb>('metrics').where({ job_id: jobId }).orderBy(['round', 'member_id', 'name']);
    return rows.map((r) => ({ jobId: r.job_id, round: r.round, memberId: r.member_id, name: r.name, value: r.value, holdoutRows: r.holdout_rows }));
  }

  async transaction<T>(fn: (store: CoordinatorStore) => Promise<T>): Promise<T> {
    if (!this.owner) return fn(this);
    return this.owner.transaction((trx) => fn(new KnexCoordinatorStore(trx, null)));
  }

  async close(): Promise<void> {
    if (this.owner) await this.owner.destroy();
  }
}
