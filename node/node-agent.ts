/**
 * The institution's daemon loop: join, take part in keying, then for every round of the job compute the local
 * update (statistics or training), encrypt and submit it, and turn every released aggregate into a global model
 * version that is evaluated on the local hold-out, recorded and (by policy) deployed. Raw rows never leave this
 * process; only ciphertexts (or, in the explicit comparison mode, plaintext sums) and hold-out metrics do.
 *
 * All state needed after a restart is either in the node store (credentials, keys, model versions) or re-fetched
 * from the coordinator (released aggregates), so a node can be killed and started again mid-job.
 */
import { FedriskError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { deriveSeed } from '../common/random.js';
import { parseJobSpec, type JobSpec } from '../common/job-spec.js';
import { joinParts, splitPayload } from '../common/payload.js';
import { packWeighted, unpackAverage } from '../common/fedavg.js';
import { createCkksContext, CkksCipher, generateSecretKey, keyFingerprint, type CkksContext, type CkksParams } from '../common/he/index.js';
import {
  computeLocalStats,
  encodeRows,
  encodedWidth,
  loadCsvDataset,
  standardisationFromStats,
  statsToVector,
  statsVectorLength,
  vectorToStats,
  type Dataset,
  type Standardisation,
} from '../common/schema/index.js';
import { auc, ksStatistic } from '../common/ml/index.js';
import { MODEL_FORMAT, type LogisticModel } from '../common/model/logistic-model.js';
import type { RoundPlan__Output } from '../protos/generated/fedrisk/training/v1/RoundPlan.js';
import type { CoordinatorClient } from './coordinator-client.js';
import { KeyCustody, type KeyBundle } from './key-custody.js';
import type { NodeStore } from './store/node-store.js';
import { CkksCodec, PlainCodec, type UpdateCodec } from './update-codec.js';
import { initialWeights, predictLinear, trainLogistic, type LinearWeights } from './training/index.js';

export type DeployPolicy = 'latest' | 'final' | 'none';

/** Where global models go live: the decision store (decision/), injected so the agent does not depend on it. */
export interface ModelDeployer {
  deploy(model: LogisticModel, opts: { activate: boolean }): Promise<void>;
}

export interface NodeAgentConfig {
  consortiumId: string;
  joinToken: string;
  memberName: string;
  dataPath: string;
  holdoutPath: string | null;
  pollMs: number;
  deployPolicy: DeployPolicy;
  /** How many contributions a sum may hold at most: bounds each value so the CKKS sum cannot wrap. */
  maxSummands: number;
}

export type AgentOutcome = { status: 'COMPLETED'; finalVersion: string } | { status: 'FAILED'; reason: string };

interface Membership {
  memberId: string;
  token: string;
  ckks: CkksParams;
}

export class NodeAgent {
  private readonly custody: KeyCustody;
  private membership: Membership | null = null;
  private ctx: CkksContext | null = null;
  private codec: UpdateCodec | null = null;
  private codecEpoch = -1;
  private ackedEpoch = -1;
  private spec: JobSpec | null = null;
  private train: Dataset | null = null;
  private holdout: Dataset | null = null;
  private std: Standardisation | null = null;
  private xTrain: Float32Array | null = null;
  private xHoldout: Float32Array | null = null;
  private global: { round: number; model: LinearWeights } | null = null;
  private lastVersion = '';

  constructor(
    private readonly config: NodeAgentConfig,
    private readonly client: CoordinatorClient,
    private readonly store: NodeStore,
    private readonly deployer: ModelDeployer | null,
    private readonly log: Logger,
  ) {
    this.custody = new KeyCustody(store);
  }

  /** Runs until the job completes or fails. Transient coordinator outages are waited out, refusals are not. */
  async run(signal?: AbortSignal): Promise<AgentOutcome> {
    await this.ensureMembership();
    for (;;) {
      if (signal?.aborted) throw new FedriskError('UNAVAILABLE', 'node stopped');
      try {
        const plan = await this.client.getPlan(this.config.consortiumId, this.membership!.memberId);
        const outcome = await this.step(plan);
        if (outcome) return outcome;
        await sleep(this.config.pollMs);
      } catch (err) {
        if (err instanceof FedriskError && (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED')) {
          // The coordinator is restarting or unreachable: wait it out; every step is safe to repeat.
          this.log.warn('coordinator unreachable, retrying', { code: err.code });
          await sleep(this.config.pollMs * 5);
          continue;
        }
        if (err instanceof FedriskError && err.code === 'UNAUTHENTICATED') {
          // The coordinator no longer knows our token (e.g. its store was restored): join again with the same key.
          this.log.warn('member token refused, re-joining');
          await this.ensureMembership(true);
          continue;
        }
        throw err;
      }
    }
  }

  private async step(plan: RoundPlan__Output): Promise<AgentOutcome | null> {
    switch (plan.phase) {
      case 'JOB_PHASE_FAILED':
        return { status: 'FAILED', reason: plan.statusMessage || 'job failed' };
      case 'JOB_PHASE_KEYING':
        if (this.isParticipant(plan)) await this.keying(plan);
        return null;
      case 'JOB_PHASE_ROUND_OPEN':
        if (!this.isParticipant(plan)) return null;
        await this.prepare(plan);
        await this.catchUp(plan);
        if (!plan.alreadySubmitted) await this.submit(plan);
        return null;
      case 'JOB_PHASE_COMPLETED':
        if (!this.isParticipant(plan)) return { status: 'FAILED', reason: plan.statusMessage || 'not a participant' };
        await this.prepare(plan);
        await this.catchUp(plan);
        return { status: 'COMPLETED', finalVersion: this.lastVersion };
      default:
        return null;
    }
  }

  private isParticipant(plan: RoundPlan__Output): boolean {
    return plan.participants.some((p) => p.memberId === this.membership!.memberId);
  }

  // ---- membership and keys ------------------------------------------------------------------------------------------

  private async ensureMembership(forceJoin = false): Promise<void> {
    const saved = forceJoin ? null : await this.store.getSecret('membership');
    if (saved) {
      this.membership = JSON.parse(new TextDecoder().decode(saved)) as Membership;
    } else {
      const { publicKey } = await this.custody.sealKeyPair();
      const res = await retryUnavailable(() =>
        this.client.join({
          consortiumId: this.config.consortiumId,
          joinToken: this.config.joinToken,
          memberName: this.config.memberName,
          sealPublicKey: publicKey,
        }),
      );
      const ckks = res.ckks ?? { polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 40 };
      this.membership = {
        memberId: res.memberId,
        token: res.memberToken,
        ckks: { polyModulusDegree: ckks.polyModulusDegree, coeffModulusBits: ckks.coeffModulusBits, scaleBits: ckks.scaleBits },
      };
      await this.store.putSecret('membership', new TextEncoder().encode(JSON.stringify(this.membership)));
      this.log.info('joined consortium', { memberId: res.memberId, joinOrder: res.joinOrder, keyHolder: res.keyHolder });
    }
    this.client.setToken(this.membership.token);
  }

  private async context(): Promise<CkksContext> {
    this.ctx ??= await createCkksContext(this.membership!.ckks);
    return this.ctx;
  }

  private async keying(plan: RoundPlan__Output): Promise<void> {
    const epoch = plan.keyEpoch;
    const me = this.membership!.memberId;
    let bundle = await this.custody.getBundle(epoch);
    if (!bundle && plan.keyHolder && !plan.keysPublished) {
      const ctx = await this.context();
      const heSecretKey = generateSecretKey(ctx);
      bundle = { epoch, heSecretKey, tokenKey: KeyCustody.newTokenKey(), fingerprint: keyFingerprint(heSecretKey) };
      await this.custody.putBundle(bundle);
      const envelopes = plan.participants
        .filter((p) => p.memberId !== me)
        .map((p) => ({ recipientMemberId: p.memberId, sealed: this.custody.sealFor(bundle!, this.config.consortiumId, p.memberId, p.sealPublicKey) }));
      await this.client.publishEnvelopes({ consortiumId: this.config.consortiumId, memberId: me, keyEpoch: epoch, keyFingerprint: bundle.fingerprint, envelopes });
      this.log.info('key bundle sealed to participants', { keyEpoch: epoch, recipients: envelopes.length, keyFingerprint: bundle.fingerprint });
      this.ackedEpoch = epoch;
      return;
    }
    if (!bundle) {
      try {
        const env = await this.client.fetchEnvelope(this.config.consortiumId, me, epoch);
        bundle = await this.custody.openEnvelope(new Uint8Array(env.sealed), this.config.consortiumId, epoch, me);
        if (bundle.fingerprint !== env.keyFingerprint || keyFingerprint(bundle.heSecretKey) !== bundle.fingerprint) {
          throw new FedriskError('PERMISSION_DENIED', 'key bundle fingerprint does not match the published one');
        }
        await this.custody.putBundle(bundle);
        this.log.info('key bundle opened', { keyEpoch: epoch, keyFingerprint: bundle.fingerprint });
      } catch (err) {
        if (err instanceof FedriskError && err.code === 'NOT_FOUND') return; // not published yet
        throw err;
      }
    }
    if (this.ackedEpoch !== epoch) {
      await this.client.ackKeys(this.config.consortiumId, me, epoch, bundle.fingerprint);
      this.ackedEpoch = epoch;
    }
  }

  // ---- data and rounds ----------------------------------------------------------------------------------------------

  /** Loads the job's spec and this node's data once; builds the codec for the job's key epoch. */
  private async prepare(plan: RoundPlan__Output): Promise<void> {
    if (!this.spec) {
      this.spec = parseJobSpec(JSON.parse(plan.jobSpecJson));
      this.train = loadCsvDataset(this.config.dataPath, this.spec.schema);
      this.holdout = this.config.holdoutPath ? loadCsvDataset(this.config.holdoutPath, this.spec.schema) : null;
      this.log.info('local data loaded', { rows: this.train.rows.length, holdoutRows: this.holdout?.rows.length ?? 0 });
    }
    if (this.codecEpoch !== plan.keyEpoch) {
      if (plan.encoding === 'plain-f64') {
        this.codec = new PlainCodec();
      } else {
        const bundle: KeyBundle | null = await this.custody.getBundle(plan.keyEpoch);
        if (!bundle) throw new FedriskError('FAILED_PRECONDITION', `no key for epoch ${plan.keyEpoch}: this node missed keying`);
        this.codec = new CkksCodec(new CkksCipher(await this.context(), bundle.heSecretKey, { maxSummands: this.config.maxSummands }));
      }
      this.codecEpoch = plan.keyEpoch;
    }
  }

  private ref(plan: RoundPlan__Output, round: number) {
    return { consortiumId: this.config.consortiumId, jobId: plan.jobId, round, memberId: this.membership!.memberId, keyEpoch: plan.keyEpoch };
  }

  /** Processes released aggregates this process has not seen: statistics first, then each global model version. */
  private async catchUp(plan: RoundPlan__Output): Promise<void> {
    const spec = this.spec!;
    if (plan.releasedRound >= 0 && !this.std) {
      const agg = await this.client.fetchAggregate(this.ref(plan, 0));
      const sum = this.codec!.decode(splitPayload(agg.payload, agg.header.ciphertextSizes), statsVectorLength(spec.schema));
      this.std = standardisationFromStats(spec.schema, vectorToStats(spec.schema, sum, spec.rowScale));
      this.xTrain = encodeRows(spec.schema, this.std, this.train!.rows);
      this.xHoldout = this.holdout ? encodeRows(spec.schema, this.std, this.holdout.rows) : null;
      this.log.info('consortium statistics received', { contributors: agg.header.contributors });
    }
    const from = (this.global?.round ?? 0) + 1;
    for (let r = from; r <= plan.releasedRound; r++) await this.adoptGlobal(plan, r);
  }

  private async adoptGlobal(plan: RoundPlan__Output, round: number): Promise<void> {
    const spec = this.spec!;
    const d = encodedWidth(spec.schema);
    const agg = await this.client.fetchAggregate(this.ref(plan, round));
    const sum = this.codec!.decode(splitPayload(agg.payload, agg.header.ciphertextSizes), d + 2);
    const { model } = unpackAverage(sum, d, spec.rowScale);
    this.global = { round, model };
    const version = `${spec.jobId}-r${round}`;
    const metrics = this.evaluate(model);
    const existing = (await this.store.listModels()).find((m) => m.version === version);
    const body: LogisticModel = existing?.model ?? {
      format: MODEL_FORMAT,
      kind: 'logistic',
      version,
      schema: spec.schema,
      standardisation: this.std!,
      weights: model.weights,
      bias: model.bias,
      createdAt: new Date().toISOString(),
      provenance: { consortiumId: this.config.consortiumId, jobId: spec.jobId, round, contributors: agg.header.contributors, encrypted: spec.encrypted },
    };
    await this.store.putModel({ version, jobId: spec.jobId, round, model: body, metrics, createdAt: body.createdAt });
    this.lastVersion = version;
    const final = round === plan.totalRounds;
    if (this.deployer && (this.config.deployPolicy === 'latest' || (this.config.deployPolicy === 'final' && final))) {
      await this.deployer.deploy(body, { activate: true });
    }
    const reported = Object.entries(metrics).filter((e): e is [string, number] => e[1] !== null);
    if (reported.length > 0) await this.client.reportMetrics(this.ref(plan, round), reported.map(([name, value]) => ({ name, value })), this.holdout?.rows.length ?? 0);
    this.log.info('global model adopted', { version, contributors: agg.header.contributors, ...metrics });
  }

  private evaluate(model: LinearWeights): Record<string, number | null> {
    if (!this.holdout || !this.xHoldout) return {};
    const d = model.weights.length;
    const p = predictLinear(model, this.xHoldout, d);
    return { auc: auc(p, this.holdout.labels), ks: ksStatistic(p, this.holdout.labels) };
  }

  private async submit(plan: RoundPlan__Output): Promise<void> {
    const spec = this.spec!;
    let vector: ArrayLike<number>;
    if (plan.kind === 'ROUND_KIND_STATS') {
      vector = statsToVector(spec.schema, computeLocalStats(spec.schema, this.train!.rows), spec.rowScale);
    } else {
      const d = encodedWidth(spec.schema);
      const init = plan.round === 1 ? initialWeights(d, spec.seed) : this.global?.round === plan.round - 1 ? this.global.model : null;
      if (!init) throw new FedriskError('FAILED_PRECONDITION', `global model of round ${plan.round - 1} is missing`);
      const res = await trainLogistic(this.xTrain!, this.train!.labels, d, init, {
        epochs: spec.localEpochs,
        batchSize: spec.batchSize,
        learningRate: spec.learningRate,
        optimizer: spec.optimizer,
        seed: deriveSeed(spec.seed, `train/${this.config.memberName}/round-${plan.round}`),
        l2: spec.l2,
        proximalMu: spec.proximalMu,
        clip: spec.clip,
      });
      vector = packWeighted(res.model, this.train!.rows.length, spec.rowScale);
      this.log.debug('local training done', { round: plan.round, loss: res.loss, seconds: res.seconds });
    }
    if (vector.length !== plan.vectorLength) {
      throw new FedriskError('FAILED_PRECONDITION', `local vector has ${vector.length} values, the plan expects ${plan.vectorLength}`);
    }
    const { payload, sizes } = joinParts(this.codec!.encode(vector));
    try {
      await this.client.submitUpdate(this.ref(plan, plan.round), this.codec!.encoding, sizes, payload);
      this.log.info('update submitted', { round: plan.round, bytes: payload.byteLength, ciphertexts: sizes.length });
    } catch (err) {
      // A replay after a restart, or a round that closed meanwhile: the next plan tells what to do.
      if (err instanceof FedriskError && (err.code === 'ALREADY_EXISTS' || err.code === 'FAILED_PRECONDITION')) {
        this.log.warn('update not accepted', { round: plan.round, code: err.code, message: err.message });
        return;
      }
      throw err;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function retryUnavailable<T>(fn: () => Promise<T>, attempts = 60, delayMs = 500): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof FedriskError) || err.code !== 'UNAVAILABLE' || i >= attempts) throw err;
      await sleep(delayMs);
    }
  }
}
