/**
 * The node's gRPC client for the coordinator: promisified calls, the member token on every call, chunked upload and
 * download, and errors mapped back to FedriskError codes (so the agent can tell "not yet" from "refused").
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtos, MAX_GRPC_MESSAGE_BYTES, STREAM_CHUNK_BYTES } from '../protos/index.js';
import type { MembershipClient, TrainingClient } from '../protos/index.js';
import type { JoinResponse__Output } from '../protos/generated/fedrisk/membership/v1/JoinResponse.js';
import type { FetchKeyEnvelopeResponse__Output } from '../protos/generated/fedrisk/membership/v1/FetchKeyEnvelopeResponse.js';
import type { RoundPlan__Output } from '../protos/generated/fedrisk/training/v1/RoundPlan.js';
import type { RoundRef } from '../protos/generated/fedrisk/training/v1/RoundRef.js';
import type { AggregateChunk__Output } from '../protos/generated/fedrisk/training/v1/AggregateChunk.js';
import type { AggregateHeader__Output } from '../protos/generated/fedrisk/training/v1/AggregateHeader.js';
import { FedriskError } from '../common/errors.js';
import { fromGrpcError } from '../common/grpc-errors.js';

export interface AggregateDownload {
  header: AggregateHeader__Output;
  payload: Uint8Array;
}

export class CoordinatorClient {
  private readonly membership: MembershipClient;
  private readonly training: TrainingClient;
  private token: string | null = null;

  constructor(
    address: string,
    private readonly callTimeoutMs = 30_000,
    private readonly chunkBytes = STREAM_CHUNK_BYTES,
  ) {
    const protos = loadProtos();
    const creds = grpc.credentials.createInsecure();
    const opts: grpc.ClientOptions = {
      'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_GRPC_MESSAGE_BYTES,
    };
    this.membership = new protos.membership.Membership(address, creds, opts);
    this.training = new protos.training.Training(address, creds, opts);
  }

  setToken(token: string): void {
    this.token = token;
  }

  private md(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private opts(): grpc.CallOptions {
    return { deadline: Date.now() + this.callTimeoutMs };
  }

  private unary<Req, Res>(
    fn: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
    req: Req,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      fn(req, this.md(), this.opts(), (err, res) => (err ? reject(fromGrpcError(err)) : resolve(res as Res)));
    });
  }

  join(req: { consortiumId: string; joinToken: string; memberName: string; sealPublicKey: Uint8Array }): Promise<JoinResponse__Output> {
    return this.unary(this.membership.Join.bind(this.membership), { ...req, sealPublicKey: Buffer.from(req.sealPublicKey) });
  }

  getPlan(consortiumId: string, memberId: string): Promise<RoundPlan__Output> {
    return this.unary(this.training.GetPlan.bind(this.training), { consortiumId, memberId });
  }

  publishEnvelopes(req: {
    consortiumId: string;
    memberId: string;
    keyEpoch: number;
    keyFingerprint: string;
    envelopes: { recipientMemberId: string; sealed: Uint8Array }[];
  }): Promise<{ accepted: number }> {
    return this.unary(this.membership.PublishKeyEnvelopes.bind(this.membership), {
      ...req,
      envelopes: req.envelopes.map((e) => ({ recipientMemberId: e.recipientMemberId, sealed: Buffer.from(e.sealed) })),
    });
  }

  fetchEnvelope(consortiumId: string, memberId: string, keyEpoch: number): Promise<FetchKeyEnvelopeResponse__Output> {
    return this.unary(this.membership.FetchKeyEnvelope.bind(this.membership), { consortiumId, memberId, keyEpoch });
  }

  ackKeys(consortiumId: string, memberId: string, keyEpoch: number, keyFingerprint: string): Promise<{ acked: number; participants: number }> {
    return this.unary(this.membership.AckKeys.bind(this.membership), { consortiumId, memberId, keyEpoch, keyFingerprint });
  }

  reportMetrics(ref: RoundRef, metrics: { name: string; value: number }[], holdoutRows: number): Promise<{ accepted: boolean }> {
    return this.unary(this.training.ReportMetrics.bind(this.training), { ref, metrics, holdoutRows });
  }

  /** Streams one update: a header, then the bytes in chunks (STREAM_CHUNK_BYTES unless the constructor said otherwise). */
  submitUpdate(ref: RoundRef, encoding: string, sizes: number[], payload: Uint8Array): Promise<{ contributorsSoFar: number }> {
    return new Promise((resolve, reject) => {
      const call = this.training.SubmitUpdate(this.md(), this.opts(), (err, res) =>
        err ? reject(fromGrpcError(err)) : resolve({ contributorsSoFar: res?.contributorsSoFar ?? 0 }),
      );
      call.on('error', () => undefined); // surfaced through the callback
      call.write({ header: { ref, encoding, ciphertextSizes: sizes, totalBytes: payload.byteLength } });
      for (let off = 0; off < payload.byteLength; off += this.chunkBytes) {
        call.write({ data: Buffer.from(payload.subarray(off, off + this.chunkBytes)) });
      }
      call.end();
    });
  }

  /** Downloads a released aggregate; refuses a stream whose bytes do not match its header. */
  fetchAggregate(ref: RoundRef): Promise<AggregateDownload> {
    return new Promise((resolve, reject) => {
      const call = this.training.FetchAggregate({ ref }, this.md(), this.opts());
      let header: AggregateHeader__Output | null = null;
      const chunks: Buffer[] = [];
      call.on('data', (msg: AggregateChunk__Output) => {
        if (msg.payload === 'header' && msg.header) header = msg.header;
        else if (msg.payload === 'data' && msg.data) chunks.push(msg.data);
      });
      call.on('error', (err) => reject(fromGrpcError(err)));
      call.on('end', () => {
        const payload = Buffer.concat(chunks);
        if (!header) return reject(new FedriskError('INVALID_ARGUMENT', 'aggregate stream had no header'));
        if (payload.byteLength !== Number(header.totalBytes)) {
          return reject(new FedriskError('INVALID_ARGUMENT', `aggregate stream carried ${payload.byteLength} of ${header.totalBytes} bytes`));
        }
        resolve({ header, payload: new Uint8Array(payload) });
      });
    });
  }

  close(): void {
    this.membership.close();
    this.training.close();
  }
}
