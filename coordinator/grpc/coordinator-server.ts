/**
 * The gRPC shell around {@link CoordinatorService}: authenticate, map protobuf <-> handler shapes, stream bytes,
 * map errors once (common/grpc-errors.ts). No protocol decision is taken here.
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtos, MAX_GRPC_MESSAGE_BYTES, STREAM_CHUNK_BYTES } from '../../protos/index.js';
import type { MembershipHandlers, TrainingHandlers } from '../../protos/index.js';
import type { UpdateChunk__Output } from '../../protos/generated/fedrisk/training/v1/UpdateChunk.js';
import type { RoundRef__Output } from '../../protos/generated/fedrisk/training/v1/RoundRef.js';
import type { UpdateHeader__Output } from '../../protos/generated/fedrisk/training/v1/UpdateHeader.js';
import type { RoundPlan } from '../../protos/generated/fedrisk/training/v1/RoundPlan.js';
import { FedriskError, toFedriskError } from '../../common/errors.js';
import { toGrpcError } from '../../common/grpc-errors.js';
import type { Logger } from '../../common/log.js';
import type { CoordinatorService } from '../coordinator-service.js';
import type { PlanView, RoundRefInput, UpdateHeaderInput } from '../coordinator-types.js';

const PHASE: Record<PlanView['phase'], RoundPlan['phase']> = {
  NO_JOB: 'JOB_PHASE_NO_JOB',
  WAITING_MEMBERS: 'JOB_PHASE_WAITING_MEMBERS',
  KEYING: 'JOB_PHASE_KEYING',
  ROUND_OPEN: 'JOB_PHASE_ROUND_OPEN',
  COMPLETED: 'JOB_PHASE_COMPLETED',
  FAILED: 'JOB_PHASE_FAILED',
};

function bearer(md: grpc.Metadata): string | undefined {
  const v = md.get('authorization')[0];
  if (typeof v !== 'string') return undefined;
  return v.startsWith('Bearer ') ? v.slice(7) : undefined;
}

function toRef(r: RoundRef__Output | null | undefined): RoundRefInput {
  if (!r) throw new FedriskError('INVALID_ARGUMENT', 'ref is required', { field: 'ref' });
  return { consortiumId: r.consortiumId, jobId: r.jobId, round: r.round, memberId: r.memberId, keyEpoch: r.keyEpoch };
}

function toHeader(h: UpdateHeader__Output): UpdateHeaderInput {
  return { ref: toRef(h.ref), encoding: h.encoding, ciphertextSizes: h.ciphertextSizes, totalBytes: Number(h.totalBytes) };
}

export interface CoordinatorServerHandle {
  address: string;
  port: number;
  close(): Promise<void>;
}

export interface CoordinatorServerOptions {
  host: string;
  port: number;
  tickMs?: number;
}

/** Binds the Membership and Training services and starts the deadline timer. */
export async function startCoordinatorServer(
  service: CoordinatorService,
  options: CoordinatorServerOptions,
  log: Logger,
): Promise<CoordinatorServerHandle> {
  const protos = loadProtos();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
  });

  /** Runs a unary handler; errors are mapped once here and logged once (INTERNAL with its cause). */
  function unary<Req, Res>(name: string, fn: (req: Req, md: grpc.Metadata) => Promise<Res>) {
    return (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>): void => {
      fn(call.request, call.metadata).then(
        (res) => cb(null, res),
        (err: unknown) => cb(fail(name, err) as grpc.ServiceError),
      );
    };
  }

  function fail(method: string, err: unknown): Partial<grpc.ServiceError> {
    const fe = toFedriskError(err);
    if (fe.code === 'INTERNAL') log.error('internal error', { method, error: err instanceof Error ? err.stack : String(err) });
    else log.debug('request refused', { method, code: fe.code, message: fe.message });
    return toGrpcError(fe);
  }

  const membership: MembershipHandlers = {
    Join: unary('Join', async (req) => {
      const r = await service.join({
        consortiumId: req.consortiumId,
        joinToken: req.joinToken,
        memberName: req.memberName,
        sealPublicKey: new Uint8Array(req.sealPublicKey),
      });
      const p = service.ckksParams;
      return {
        ...r,
        ckks: { polyModulusDegree: p.polyModulusDegree, coeffModulusBits: p.coeffModulusBits, scaleBits: p.scaleBits },
      };
    }),
    PublishKeyEnvelopes: unary('PublishKeyEnvelopes', async (req, md) => {
      const member = await service.authenticate(bearer(md));
      const accepted = await service.publishEnvelopes(member, {
        consortiumId: req.consortiumId,
        memberId: req.memberId,
        keyEpoch: req.keyEpoch,
        keyFingerprint: req.keyFingerprint,
        envelopes: req.envelopes.map((e) => ({ recipientMemberId: e.recipientMemberId, sealed: new Uint8Array(e.sealed) })),
      });
      return { accepted };
    }),
    FetchKeyEnvelope: unary('FetchKeyEnvelope', async (req, md) => {
      const member = await service.authenticate(bearer(md));
      const env = await service.fetchEnvelope(member, req.consortiumId, req.memberId, req.keyEpoch);
      return { keyEpoch: env.keyEpoch, sealed: Buffer.from(env.sealed), keyFingerprint: env.keyFingerprint, sealedByMemberId: env.sealedByMemberId };
    }),
    AckKeys: unary('AckKeys', async (req, md) => {
      const member = await service.authenticate(bearer(md));
      return service.ackKeys(member, req.consortiumId, req.memberId, req.keyEpoch, req.keyFingerprint);
    }),
  };

  const training: TrainingHandlers = {
    GetPlan: unary('GetPlan', async (req, md) => {
      const member = await service.authenticate(bearer(md));
      const plan = await service.getPlan(member, req.consortiumId, req.memberId);
      const out: RoundPlan = {
        ...plan,
        phase: PHASE[plan.phase],
        kind: plan.kind === 'STATS' ? 'ROUND_KIND_STATS' : plan.kind === 'TRAIN' ? 'ROUND_KIND_TRAIN' : 'ROUND_KIND_UNSPECIFIED',
        participants: plan.participants.map((p) => ({ ...p, sealPublicKey: Buffer.from(p.sealPublicKey) })),
      };
      return out;
    }),
    SubmitUpdate: (call, cb) => {
      receiveUpdate(call).then(
        (res) => cb(null, res),
        (err: unknown) => {
          cb(fail('SubmitUpdate', err) as grpc.ServiceError);
          // Stop reading a refused stream: the client sees the error at once instead of finishing its upload.
          call.destroy();
        },
      );
    },
    FetchAggregate: (call) => {
      sendAggregate(call).catch((err: unknown) => call.emit('error', fail('FetchAggregate', err)));
    },
    ReportMetrics: unary('ReportMetrics', async (req, md) => {
      const member = await service.authenticate(bearer(md));
      await service.reportMetrics(member, toRef(req.ref), req.metrics.map((m) => ({ name: m.name, value: m.value })), req.holdoutRows);
      return { accepted: true };
    }),
  };

  async function receiveUpdate(call: grpc.ServerReadableStream<UpdateChunk__Output, unknown>) {
    const member = await service.authenticate(bearer(call.metadata));
    let header: UpdateHeaderInput | null = null;
    let max = 0;
    let received = 0;
    const chunks: Buffer[] = [];
    for await (const msg of call as AsyncIterable<UpdateChunk__Output>) {
      if (msg.payload === 'header' && msg.header) {
        if (header) throw new FedriskError('INVALID_ARGUMENT', 'a second header in one update stream', { field: 'header' });
        header = toHeader(msg.header);
        max = await service.admitUpdate(member, header);
      } else if (msg.payload === 'data' && msg.data) {
        if (!header) throw new FedriskError('INVALID_ARGUMENT', 'the header must come before any data', { field: 'header' });
        received += msg.data.length;
        if (received > header.totalBytes || received > max) {
          throw new FedriskError('PAYLOAD_TOO_LARGE', `update exceeds its announced ${header.totalBytes} bytes or the round maximum of ${max}`, {
            field: 'data',
          });
        }
        chunks.push(msg.data);
      }
    }
    if (!header) throw new FedriskError('INVALID_ARGUMENT', 'empty update stream', { field: 'header' });
    const res = await service.submitUpdate(member, header, Buffer.concat(chunks));
    return { round: header.ref.round, receivedBytes: received, contributorsSoFar: res.contributors };
  }

  async function sendAggregate(call: grpc.ServerWritableStream<{ ref?: RoundRef__Output | null }, unknown>) {
    const member = await service.authenticate(bearer(call.metadata));
    const agg = await service.fetchAggregate(member, toRef(call.request.ref));
    call.write({
      header: {
        round: agg.round,
        encoding: agg.encoding,
        ciphertextSizes: agg.sizes,
        totalBytes: agg.payload.byteLength,
        contributors: agg.contributors,
        kind: agg.kind === 'STATS' ? 'ROUND_KIND_STATS' : 'ROUND_KIND_TRAIN',
      },
    });
    for (let off = 0; off < agg.payload.byteLength; off += STREAM_CHUNK_BYTES) {
      call.write({ data: Buffer.from(agg.payload.subarray(off, off + STREAM_CHUNK_BYTES)) });
    }
    call.end();
  }

  server.addService(protos.membership.Membership.service, membership);
  server.addService(protos.training.Training.service, training);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  const timer = setInterval(() => {
    service.tick().catch((err: unknown) => log.error('tick failed', { error: err instanceof Error ? err.message : String(err) }));
  }, options.tickMs ?? 250);
  timer.unref();
  const address = `${options.host}:${port}`;
  log.info('coordinator listening', { address });
  return {
    address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.tryShutdown(() => resolve());
      }),
  };
}
