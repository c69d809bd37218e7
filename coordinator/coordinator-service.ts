/**
 * The coordinator's transport-neutral core: membership, key relay and the round state machine. The gRPC servicer
 * (grpc/coordinator-server.ts) authenticates, maps messages and calls these methods; tests and simulations call them
 * directly. State changes are serialised through one queue, so two submissions can never both close a round.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { FedriskError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { parseJobSpec, statsRoundLength, trainRoundLength, type JobSpec } from '../common/job-spec.js';
import { splitPayload, joinParts } from '../common/payload.js';
import type { Aggregator } from './aggregation/aggregator.js';
import { hashToken, type CoordinatorConfig } from './coordinator-config.js';
import type { CoordinatorStore, JobRow, MemberRow, RoundKind, RoundRow } from './store/coordinator-store.js';
import type {
  AggregateView,
  JoinInput,
  JoinResult,
  MetricInput,
  PlanView,
  PublishEnvelopesInput,
  RoundRefInput,
  UpdateHeaderInput,
} from './coordinator-types.js';

const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export class CoordinatorService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly spec: JobSpec;

  constructor(
    private readonly store: CoordinatorStore,
    private readonly aggregator: Aggregator,
    private readonly config: CoordinatorConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.spec = parseJobSpec(config.job);
    const expected = this.spec.encrypted ? 'ckks' : 'plain-f64';
    if (aggregator.encoding !== expected) {
      throw new FedriskError('INVALID_ARGUMENT', `job is ${expected} but the aggregator sums ${aggregator.encoding}`);
    }
  }

  /** Public CKKS parameters members need to build the same context (never a key). */
  get ckksParams(): CoordinatorConfig['ckks'] {
    return this.config.ckks;
  }

  /** Creates the configured job if the store does not have it yet (a restart resumes the stored one). */
  async start(): Promise<void> {
    await this.serial(async () => {
      const existing = await this.store.getJob(this.spec.jobId);
      if (existing) {
        if (existing.specJson !== JSON.stringify(this.spec)) {
          throw new FedriskError('FAILED_PRECONDITION', `job ${this.spec.jobId} exists with a different spec; use a new job id`);
        }
        return;
      }
      const at = this.iso();
      await this.store.insertJob({
        id: this.spec.jobId,
        specJson: JSON.stringify(this.spec),
        phase: 'WAITING_MEMBERS',
        keyEpoch: 0,
        participants: [],
        currentRound: -1,
        releasedRound: -1,
        keyingDeadline: null,
        failedReason: null,
        createdAt: at,
        updatedAt: at,
      });
      this.log.info('job created', { jobId: this.spec.jobId, rounds: this.spec.rounds, encrypted: this.spec.encrypted });
    });
    await this.tick();
  }

  // ---- membership -------------------------------------------------------------------------------------------------

  async join(input: JoinInput): Promise<JoinResult> {
    if (input.consortiumId !== this.config.consortiumId) {
      throw new FedriskError('PERMISSION_DENIED', 'unknown consortium', { field: 'consortiumId' });
    }
    const given = Buffer.from(hashToken(input.joinToken), 'hex');
    const want = Buffer.from(this.config.joinTokenHash, 'hex');
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new FedriskError('UNAUTHENTICATED', 'join token refused', { field: 'joinToken' });
    }
    if (!NAME_RE.test(input.memberName)) {
      throw new FedriskError('INVALID_ARGUMENT', 'member name: letters, digits, _ . - (1-64)', { field: 'memberName' });
    }
    if (input.sealPublicKey.byteLength !== 32) {
      throw new FedriskError('INVALID_ARGUMENT', 'seal public key must be a raw 32-byte X25519 key', { field: 'sealPublicKey' });
    }
    return this.serial(async () => {
      const secret = randomBytes(32).toString('base64url');
      const existing = await this.store.getMemberByName(input.memberName);
      let member: MemberRow;
      if (existing) {
        if (Buffer.compare(Buffer.from(existing.sealPublicKey), Buffer.from(input.sealPublicKey)) !== 0) {
          throw new FedriskError('ALREADY_EXISTS', `member name ${input.memberName} is taken by another key`, { field: 'memberName' });
        }
        if (existing.status !== 'active') throw new FedriskError('PERMISSION_DENIED', 'member is revoked');
        member = existing;
        await this.store.updateMemberToken(member.id, hashToken(`${member.id}.${secret}`));
        this.log.info('member re-joined', { memberId: member.id });
      } else {
        const count = (await this.store.listMembers()).length;
        const id = `m-${randomUUID()}`;
        member = {
          id,
          consortiumId: this.config.consortiumId,
          name: input.memberName,
          sealPublicKey: input.sealPublicKey,
          tokenHash: hashToken(`${id}.${secret}`),
          joinOrder: count + 1,
          status: 'active',
          joinedAt: this.iso(),
        };
        await this.store.insertMember(member);
        this.log.info('member joined', { memberId: id, joinOrder: member.joinOrder });
      }
      const holder = await this.keyHolderId();
      await this.advance();
      return {
        consortiumId: this.config.consortiumId,
        memberId: member.id,
        memberToken: `${member.id}.${secret}`,
        joinOrder: member.joinOrder,
        keyHolder: holder === member.id,
        minContributors: this.config.minContributors,
      };
    });
  }

  /** Resolves a bearer member token (`<memberId>.<secret>`) to an active member, or refuses. */
  async authenticate(token: string | undefined): Promise<MemberRow> {
    if (!token) throw new FedriskError('UNAUTHENTICATED', 'missing member token');
    const dot = token.indexOf('.');
    const member = dot > 0 ? await this.store.getMember(token.slice(0, dot)) : null;
    const given = Buffer.from(hashToken(token), 'hex');
    const want = Buffer.from(member?.tokenHash ?? '00'.repeat(32), 'hex');
    if (!member || !timingSafeEqual(given, want)) throw new FedriskError('UNAUTHENTICATED', 'member token refused');
    if (member.status !== 'active') throw new FedriskError('PERMISSION_DENIED', 'member is revoked');
    return member;
  }

  // ---- keys ---------------------------------------------------------------------------------------------------------

  async publishEnvelopes(member: MemberRow, input: PublishEnvelopesInput): Promise<number> {
    this.checkCaller(member, input.consortiumId, input.memberId);
    return this.serial(async () => {
      const job = await this.job();
      if (job.phase !== 'KEYING' || input.keyEpoch !== job.keyEpoch) {
        throw new FedriskError('FAILED_PRECONDITION', `no keying in progress for epoch ${input.keyEpoch}`, { field: 'keyEpoch' });
      }
      if ((await this.keyHolderId(job)) !== member.id) {
        throw new FedriskError('PERMISSION_DENIED', 'only the key holder publishes key envelopes');
      }
      if ((await this.store.countEnvelopes(job.keyEpoch)) > 0) {
        throw new FedriskError('ALREADY_EXISTS', `envelopes for epoch ${job.keyEpoch} are already published`);
      }
      if (!/^[0-9a-f]{16,64}$/.test(input.keyFingerprint)) {
        throw new FedriskError('INVALID_ARGUMENT', 'key fingerprint must be hex', { field: 'keyFingerprint' });
      }
      const others = job.participants.filter((p) => p !== member.id);
      const given = new Set(input.envelopes.map((e) => e.recipientMemberId));
      const missing = others.filter((p) => !given.has(p));
      const extra = [...given].filter((p) => !others.includes(p));
      if (missing.length > 0 || extra.length > 0 || given.size !== input.envelopes.length) {
        throw new FedriskError('INVALID_ARGUMENT', `envelopes must cover each other participant exactly once (missing ${missing.length}, unexpected ${extra.length})`, {
          field: 'envelopes',
        });
      }
      for (const e of input.envelopes) {
        if (e.sealed.byteLength === 0 || e.sealed.byteLength > MAX_ENVELOPE_BYTES) {
          throw new FedriskError('INVALID_ARGUMENT', 'sealed envelope size out of range', { field: 'envelopes.sealed' });
        }
      }
      const at = this.iso();
      await this.store.putEnvelopes(
        input.envelopes.map((e) => ({
          keyEpoch: job.keyEpoch,
          recipientMemberId: e.recipientMemberId,
          sealed: e.sealed,
          keyFingerprint: input.keyFingerprint,
          sealedByMemberId: member.id,
          createdAt: at,
        })),
      );
      // The key holder made the key: it holds it by construction.
      await this.store.putAck(job.keyEpoch, member.id, at);
      this.log.info('key envelopes published', { keyEpoch: job.keyEpoch, envelopes: input.envelopes.length });
      await this.advance();
      return input.envelopes.length;
    });
  }

  async fetchEnvelope(member: MemberRow, consortiumId: string, memberId: string, keyEpoch: number) {
    this.checkCaller(member, consortiumId, memberId);
    const env = await this.store.getEnvelope(keyEpoch, member.id);
    if (!env) throw new FedriskError('NOT_FOUND', `no key envelope for epoch ${keyEpoch} yet`);
    return env;
  }

  async ackKeys(member: MemberRow, consortiumId: string, memberId: string, keyEpoch: number, fingerprint: string) {
    this.checkCaller(member, consortiumId, memberId);
    return this.serial(async () => {
      const job = await this.job();
      if (keyEpoch !== job.keyEpoch) throw new FedriskError('FAILED_PRECONDITION', `stale key epoch ${keyEpoch} (current ${job.keyEpoch})`, { field: 'keyEpoch' });
      const env = await this.store.getEnvelope(keyEpoch, member.id);
      if (!env) throw new FedriskError('FAILED_PRECONDITION', 'no envelope was published for this member');
      if (env.keyFingerprint !== fingerprint) throw new FedriskError('INVALID_ARGUMENT', 'key fingerprint does not match the published one', { field: 'keyFingerprint' });
      await this.store.putAck(keyEpoch, member.id, this.iso());
      await this.advance();
      return { acked: (await this.store.listAcks(keyEpoch)).length, participants: job.participants.length };
    });
  }

  // ---- rounds -------------------------------------------------------------------------------------------------------

  async getPlan(member: MemberRow, consortiumId: string, memberId: string): Promise<PlanView> {
    this.checkCaller(member, consortiumId, memberId);
    await this.tick();
    const job = await this.job();
    const members = await this.store.listMembers();
    const participant = job.participants.includes(member.id);
    const round = job.currentRound >= 0 ? await this.store.getRound(job.id, job.currentRound) : null;
    const kind: RoundKind | null = round?.kind ?? null;
    const vectorLength = kind === 'STATS' ? statsRoundLength(this.spec) : kind === 'TRAIN' ? trainRoundLength(this.spec) : 0;
    const contributors = round ? await this.store.listContributors(job.id, round.round) : [];
    return {
      consortiumId: this.config.consortiumId,
      jobId: job.id,
      phase: job.phase,
      round: job.currentRound,
      kind,
      keyEpoch: job.keyEpoch,
      jobSpecJson: job.specJson,
      vectorLength,
      ciphertexts: vectorLength > 0 ? this.aggregator.partsFor(vectorLength) : 0,
      maxUpdateBytes: vectorLength > 0 ? this.aggregator.maxUpdateBytes(vectorLength) : 0,
      encoding: this.aggregator.encoding,
      participants: job.participants.map((id) => {
        const m = members.find((x) => x.id === id)!;
        return { memberId: m.id, memberName: m.name, sealPublicKey: m.sealPublicKey, joinOrder: m.joinOrder };
      }),
      releasedRound: job.releasedRound,
      alreadySubmitted: contributors.includes(member.id),
      keyHolder: (await this.keyHolderId(job)) === member.id,
      keysPublished: job.keyEpoch > 0 && (await this.store.countEnvelopes(job.keyEpoch)) > 0,
      statusMessage: job.failedReason ?? (participant || job.phase === 'WAITING_MEMBERS' ? '' : `not a participant of job ${job.id}`),
      totalRounds: this.spec.rounds,
      roundDeadlineMs: round ? Date.parse(round.deadlineAt) : 0,
    };
  }

  /** Checks everything about an update before its bytes arrive; returns the most bytes it may carry. */
  async admitUpdate(member: MemberRow, header: UpdateHeaderInput): Promise<number> {
    const { job, round } = await this.checkRef(member, header.ref, 'submit');
    if (round.status !== 'open' || job.phase !== 'ROUND_OPEN' || job.currentRound !== round.round) {
      throw new FedriskError('FAILED_PRECONDITION', `round ${header.ref.round} is not open (current round ${job.currentRound})`, { field: 'ref.round' });
    }
    if (header.encoding !== this.aggregator.encoding) {
      throw new FedriskError('INVALID_ARGUMENT', `encoding ${header.encoding} refused: this job takes ${this.aggregator.encoding}`, { field: 'encoding' });
    }
    const length = round.kind === 'STATS' ? statsRoundLength(this.spec) : trainRoundLength(this.spec);
    const parts = this.aggregator.partsFor(length);
    const max = this.aggregator.maxUpdateBytes(length);
    if (header.ciphertextSizes.length !== parts) {
      throw new FedriskError('INVALID_ARGUMENT', `round ${round.round} takes ${parts} ciphertext(s), header announces ${header.ciphertextSizes.length}`, {
        field: 'ciphertextSizes',
      });
    }
    const announced = header.ciphertextSizes.reduce((a, b) => a + b, 0);
    if (announced !== header.totalBytes) throw new FedriskError('INVALID_ARGUMENT', 'total bytes do not match the ciphertext sizes', { field: 'totalBytes' });
    if (header.totalBytes > max) {
      throw new FedriskError('PAYLOAD_TOO_LARGE', `update of ${header.totalBytes} bytes exceeds the round's maximum of ${max}`, { field: 'totalBytes' });
    }
    if ((await this.store.listContributors(job.id, round.round)).includes(member.id)) {
      throw new FedriskError('ALREADY_EXISTS', `member already submitted round ${round.round} (replay refused)`);
    }
    return max;
  }

  async submitUpdate(member: MemberRow, header: UpdateHeaderInput, payload: Uint8Array): Promise<{ contributors: number }> {
    await this.admitUpdate(member, header);
    const parts = splitPayload(payload, header.ciphertextSizes);
    this.aggregator.validate(parts);
    return this.serial(async () => {
      // Re-check under the queue: the round may have closed while the bytes were streaming.
      await this.admitUpdate(member, header);
      await this.store.insertUpdate({
        jobId: header.ref.jobId,
        round: header.ref.round,
        memberId: member.id,
        keyEpoch: header.ref.keyEpoch,
        encoding: header.encoding,
        sizes: header.ciphertextSizes,
        payload,
        receivedAt: this.iso(),
      });
      const contributors = (await this.store.listContributors(header.ref.jobId, header.ref.round)).length;
      this.log.info('update received', { round: header.ref.round, memberId: member.id, bytes: payload.byteLength, contributors });
      await this.advance();
      return { contributors };
    });
  }

  async fetchAggregate(member: MemberRow, ref: RoundRefInput): Promise<AggregateView> {
    const { job, round } = await this.checkRef(member, ref, 'fetch');
    if (round.status !== 'released' || ref.round > job.releasedRound) {
      throw new FedriskError('FAILED_PRECONDITION', `round ${ref.round} has no released aggregate (status ${round.status})`, { field: 'ref.round' });
    }
    const agg = await this.store.getAggregate(job.id, ref.round);
    if (!agg) throw new FedriskError('NOT_FOUND', `aggregate of round ${ref.round} not found`);
    return { round: agg.round, kind: round.kind, encoding: agg.encoding, sizes: agg.sizes, payload: agg.payload, contributors: agg.contributors };
  }

  async reportMetrics(member: MemberRow, ref: RoundRefInput, metrics: MetricInput[], holdoutRows: number): Promise<void> {
    const { job } = await this.checkRef(member, ref, 'fetch');
    if (metrics.length > 32) throw new FedriskError('INVALID_ARGUMENT', 'at most 32 metrics', { field: 'metrics' });
    for (const m of metrics) {
      if (!/^[a-z_]{1,32}$/.test(m.name) || !Number.isFinite(m.value)) {
        throw new FedriskError('INVALID_ARGUMENT', `metric ${m.name.slice(0, 40)}: lowercase name and finite value required`, { field: 'metrics' });
      }
    }
    await this.store.putMetrics(metrics.map((m) => ({ jobId: job.id, round: ref.round, memberId: member.id, name: m.name, value: m.value, holdoutRows })));
  }

  /** Applies deadlines (round and keying timeouts). The server calls it on a timer; tests call it with a fake clock. */
  async tick(): Promise<void> {
    await this.serial(() => this.advance());
  }

  // ---- the state machine --------------------------------------------------------------------------------------------

  private async advance(): Promise<void> {
    for (let guard = 0; guard < 8; guard++) {
      const job = await this.job();
      const changed = await this.step(job);
      if (!changed) return;
    }
  }

  private async step(job: JobRow): Promise<boolean> {
    const now = this.now();
    switch (job.phase) {
      case 'WAITING_MEMBERS': {
        const active = (await this.store.listMembers()).filter((m) => m.status === 'active');
        if (active.length < this.config.minMembers) return false;
        job.participants = active.map((m) => m.id);
        job.keyEpoch += 1;
        job.phase = 'KEYING';
        job.keyingDeadline = new Date(now + this.config.keyingTimeoutMs).toISOString();
        await this.saveJob(job);
        this.log.info('keying started', { keyEpoch: job.keyEpoch, participants: job.participants.length });
        return true;
      }
      case 'KEYING': {
        const acks = new Set(await this.store.listAcks(job.keyEpoch));
        const missing = job.participants.filter((p) => !acks.has(p));
        if (missing.length === 0) {
          await this.openRound(job, 0);
          return true;
        }
        if (job.keyingDeadline && now > Date.parse(job.keyingDeadline)) {
          await this.fail(job, `keying timed out: ${missing.length} participant(s) did not confirm the epoch ${job.keyEpoch} key`);
          return true;
        }
        return false;
      }
      case 'ROUND_OPEN': {
        const round = (await this.store.getRound(job.id, job.currentRound))!;
        const contributors = await this.store.listContributors(job.id, round.round);
        const all = job.participants.every((p) => contributors.includes(p));
        const expired = now > Date.parse(round.deadlineAt);
        if (all || (expired && contributors.length >= this.config.minContributors)) {
          if (contributors.length < this.config.minContributors) {
            await this.failRound(job, round, contributors.length);
            return true;
          }
          await this.release(job, round);
          return true;
        }
        if (expired) {
          await this.failRound(job, round, contributors.length);
          return true;
        }
        return false;
      }
      case 'COMPLETED':
      case 'FAILED':
        return false;
    }
  }

  private async openRound(job: JobRow, round: number): Promise<void> {
    const now = this.now();
    const row: RoundRow = {
      jobId: job.id,
      round,
      kind: round === 0 ? 'STATS' : 'TRAIN',
      status: 'open',
      openedAt: new Date(now).toISOString(),
      deadlineAt: new Date(now + this.config.roundTimeoutMs).toISOString(),
      closedAt: null,
      contributors: 0,
    };
    await this.store.insertRound(row);
    job.phase = 'ROUND_OPEN';
    job.currentRound = round;
    await this.saveJob(job);
    this.log.info('round opened', { round, kind: row.kind });
  }

  private async release(job: JobRow, round: RoundRow): Promise<void> {
    const updates = await this.store.listUpdates(job.id, round.round);
    const sum = this.aggregator.sum(updates.map((u) => splitPayload(u.payload, u.sizes)));
    const { payload, sizes } = joinParts(sum);
    await this.store.transaction(async (tx) => {
      await tx.insertAggregate({
        jobId: job.id,
        round: round.round,
        encoding: this.aggregator.encoding,
        sizes,
        payload,
        contributors: updates.length,
        releasedAt: this.iso(),
      });
      await tx.updateRound({ ...round, status: 'released', closedAt: this.iso(), contributors: updates.length });
    });
    job.releasedRound = round.round;
    this.log.info('aggregate released', { round: round.round, contributors: updates.length, bytes: payload.byteLength });
    if (round.round >= this.spec.rounds) {
      job.phase = 'COMPLETED';
      await this.saveJob(job);
      this.log.info('job completed', { jobId: job.id });
    } else {
      await this.saveJob(job);
      await this.openRound(job, round.round + 1);
    }
  }

  private async failRound(job: JobRow, round: RoundRow, contributors: number): Promise<void> {
    await this.store.updateRound({ ...round, status: 'failed', closedAt: this.iso(), contributors });
    await this.fail(
      job,
      `round ${round.round} closed with ${contributors} of ${job.participants.length} contributions; at least ${this.config.minContributors} are required to release an aggregate`,
    );
  }

  private async fail(job: JobRow, reason: string): Promise<void> {
    job.phase = 'FAILED';
    job.failedReason = reason;
    await this.saveJob(job);
    this.log.warn('job failed', { jobId: job.id, reason });
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  private async checkRef(member: MemberRow, ref: RoundRefInput, purpose: 'submit' | 'fetch'): Promise<{ job: JobRow; round: RoundRow }> {
    this.checkCaller(member, ref.consortiumId, ref.memberId);
    const job = await this.job();
    if (ref.jobId !== job.id) throw new FedriskError('FAILED_PRECONDITION', `unknown or finished job ${ref.jobId}`, { field: 'ref.jobId' });
    if (!job.participants.includes(member.id)) throw new FedriskError('PERMISSION_DENIED', `member is not a participant of job ${job.id}`);
    if (ref.keyEpoch !== job.keyEpoch) {
      throw new FedriskError('FAILED_PRECONDITION', `stale key epoch ${ref.keyEpoch} (current ${job.keyEpoch}); ${purpose} refused`, { field: 'ref.keyEpoch' });
    }
    const round = await this.store.getRound(job.id, ref.round);
    if (!round) throw new FedriskError('FAILED_PRECONDITION', `round ${ref.round} is not open (current round ${job.currentRound})`, { field: 'ref.round' });
    return { job, round };
  }

  private checkCaller(member: MemberRow, consortiumId: string, memberId: string): void {
    if (consortiumId !== this.config.consortiumId) throw new FedriskError('PERMISSION_DENIED', 'unknown consortium', { field: 'consortiumId' });
    if (memberId !== member.id) throw new FedriskError('PERMISSION_DENIED', 'member id does not match the authenticated member', { field: 'memberId' });
  }

  private async job(): Promise<JobRow> {
    const job = await this.store.getJob(this.spec.jobId);
    if (!job) throw new FedriskError('FAILED_PRECONDITION', 'coordinator has no job (start() not called)');
    return job;
  }

  /** The key holder: the earliest-joined active participant (or member, before participants are fixed). */
  private async keyHolderId(job?: JobRow): Promise<string | null> {
    const members = (await this.store.listMembers()).filter((m) => m.status === 'active');
    const pool = job && job.participants.length > 0 ? members.filter((m) => job.participants.includes(m.id)) : members;
    return pool[0]?.id ?? null;
  }

  private async saveJob(job: JobRow): Promise<void> {
    job.updatedAt = this.iso();
    await this.store.updateJob(job);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
