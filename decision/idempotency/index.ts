/**
 * `Idempotency-Key` support for the decision API: a durable record per (API key, key) written in the decision's own
 * transaction, and an in-memory gate that coalesces concurrent duplicates in this process onto one promise.
 */
export { IDEMPOTENCY_MIGRATIONS } from './idempotency-migrations.js';
export {
  idempotencyRow,
  writeIdempotency,
  IDEMPOTENCY_MERGE_COLUMNS,
  validateIdempotencyKey,
  parseIdempotencyKeyHeader,
  idempotencyKeyHash,
  idempotencyRequestDigest,
  IDEMPOTENCY_TABLE,
  IDEMPOTENCY_HEADER,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  type IdempotencyRow,
  type IdempotencyStatus,
  type IdempotentResponse,
  type CompletedIdempotencyInput,
} from './idempotency-row.js';
export {
  createIdempotencyStore,
  idempotencyConflictError,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
  type BeginResult,
  type SettledBeginResult,
} from './idempotency-store.js';
export {
  IdempotencyGate,
  type IdempotencyGateOptions,
  type IdempotentRequest,
  type IdempotencyGateContext,
  type GatedResponse,
  type GateResult,
} from './idempotency-gate.js';
