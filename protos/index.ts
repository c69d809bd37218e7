export { loadProtos, LOADER_OPTIONS, PROTO_ROOT, MAX_GRPC_MESSAGE_BYTES, STREAM_CHUNK_BYTES } from './load-protos.js';
export type { FedriskProtos } from './load-protos.js';
export type { MembershipClient } from './generated/fedrisk/membership/v1/Membership.js';
export type { MembershipHandlers } from './generated/fedrisk/membership/v1/Membership.js';
export type { TrainingClient, TrainingHandlers } from './generated/fedrisk/training/v1/Training.js';
