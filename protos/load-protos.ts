import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as MembershipProto } from './generated/membership.js';
import type { ProtoGrpcType as TrainingProto } from './generated/training.js';

/** Folder holding the versioned `.proto` packages (`fedrisk/<service>/v1/*.proto`). */
export const PROTO_ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * The loader options the generated types in `protos/generated` were produced with (see scripts/gen-protos.mjs);
 * keeping them in one place is what makes the generated types true at run time.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export interface FedriskProtos {
  membership: MembershipProto['fedrisk']['membership']['v1'];
  training: TrainingProto['fedrisk']['training']['v1'];
}

let cached: FedriskProtos | null = null;

/** Loads both service packages once per process. */
export function loadProtos(): FedriskProtos {
  if (cached) return cached;
  const files = ['fedrisk/membership/v1/membership.proto', 'fedrisk/training/v1/training.proto'].map((f) => join(PROTO_ROOT, f));
  const def = protoLoader.loadSync(files, LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as MembershipProto & TrainingProto;
  cached = { membership: pkg.fedrisk.membership.v1, training: pkg.fedrisk.training.v1 };
  return cached;
}

/** Largest gRPC message either side accepts; updates and aggregates are chunked well below it. */
export const MAX_GRPC_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Size of one streamed chunk of ciphertext bytes. */
export const STREAM_CHUNK_BYTES = 256 * 1024;
