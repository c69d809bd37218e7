/**
 * The one mapping between FedriskError codes and gRPC status codes, used by the coordinator's server shell (throw
 * side) and the node's client (receive side), so a refusal keeps its meaning across the wire.
 */
import { status, Metadata, type ServiceError } from '@grpc/grpc-js';
import { FedriskError, type ErrorCode, ERROR_CODES } from './errors.js';

const TO_GRPC: Record<ErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  PAYLOAD_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  UNPROCESSABLE: status.INVALID_ARGUMENT,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

const CODE_KEY = 'fedrisk-error-code';

/** A gRPC error object for a FedriskError; INTERNAL errors carry no internals, only a generic message. */
export function toGrpcError(err: FedriskError): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(CODE_KEY, err.code);
  const details = err.code === 'INTERNAL' ? 'internal error' : err.message;
  return { code: TO_GRPC[err.code], details, metadata, message: details };
}

/** Back from the wire: a client sees the same FedriskError code the server threw. */
export function fromGrpcError(err: unknown): FedriskError {
  if (err instanceof FedriskError) return err;
  const se = err as Partial<ServiceError>;
  const raw = se.metadata?.get(CODE_KEY)?.[0];
  const code = typeof raw === 'string' && (ERROR_CODES as readonly string[]).includes(raw) ? (raw as ErrorCode) : grpcToCode(se.code);
  return new FedriskError(code, se.details ?? (err instanceof Error ? err.message : String(err)), {}, { cause: err });
}

function grpcToCode(code: status | undefined): ErrorCode {
  switch (code) {
    case status.INVALID_ARGUMENT:
      return 'INVALID_ARGUMENT';
    case status.UNAUTHENTICATED:
      return 'UNAUTHENTICATED';
    case status.PERMISSION_DENIED:
      return 'PERMISSION_DENIED';
    case status.NOT_FOUND:
      return 'NOT_FOUND';
    case status.ALREADY_EXISTS:
      return 'ALREADY_EXISTS';
    case status.FAILED_PRECONDITION:
      return 'FAILED_PRECONDITION';
    case status.RESOURCE_EXHAUSTED:
      return 'RESOURCE_EXHAUSTED';
    case status.OUT_OF_RANGE:
      return 'OUT_OF_RANGE';
    case status.DEADLINE_EXCEEDED:
      return 'DEADLINE_EXCEEDED';
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}
