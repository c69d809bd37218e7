/**
 * One error base for the whole code base. Every failure that crosses a boundary is a {@link FedriskError} with a
 * code from a closed set; each transport maps the code once (gRPC status in `common/grpc-errors.ts`, HTTP status in
 * the decision service's error middleware), so handlers never pick wire statuses themselves.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'RESOURCE_EXHAUSTED',
  'PAYLOAD_TOO_LARGE',
  'UNPROCESSABLE',
  'OUT_OF_RANGE',
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Names the input that was wrong, so a caller can point at it (`features.Income`, `row 12, column Age`). */
export interface ErrorDetails {
  field?: string;
  row?: number;
  column?: string;
  [key: string]: unknown;
}

export class FedriskError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FedriskError';
    this.code = code;
    this.details = details;
  }
}

/** Shorthand for the most common failure: bad input, with the field it concerns. */
export function invalid(field: string, message: string, details: ErrorDetails = {}): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `${field}: ${message}`, { field, ...details });
}

/** Wraps anything thrown into a FedriskError; unknown failures become INTERNAL and keep the cause. */
export function toFedriskError(err: unknown): FedriskError {
  if (err instanceof FedriskError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FedriskError('INTERNAL', message, {}, { cause: err });
}

/** HTTP status for each code: the decision service's error middleware uses this table and nothing else. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  RESOURCE_EXHAUSTED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  OUT_OF_RANGE: 400,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  INTERNAL: 500,
};
