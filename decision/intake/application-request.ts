/**
 * The loan application request, as one zod schema: it validates every request and is also what /openapi.json is
 * generated from, so the documentation cannot drift from what the service accepts. Structure and ranges are checked
 * here; identifiers (check digits, Luhn), device details and model features get their semantic checks in their own
 * stages, all failing with INVALID_ARGUMENT and the field's path.
 */
import { z } from 'zod';
import { FedriskError } from '../../common/errors.js';
import { isPlainObject } from '../../common/json-values.js';
import { compileZodCheck } from './compile-zod-check.js';

/** Largest amount a single application may ask for; anything above is an input error, not a credit decision. */
export const MAX_AMOUNT = 1_000_000;
/** Smallest: one currency unit. A fraction of a unit is not a loan (and tiny numbers are not rules-context numbers). */
export const MIN_AMOUNT = 1;
export const MAX_TERM_MONTHS = 60;

export const applicantSchema = z
  .object({
    idNumber: z.string().min(1).max(32).describe('Chinese resident identity number (18 characters, check digit verified)'),
    name: z.string().min(1).max(64),
    phone: z.string().min(1).max(32).describe('mainland mobile number, optionally +86'),
    bankCard: z.string().min(1).max(32).optional().describe('12-19 digits, Luhn-valid'),
  })
  .strict();

export const deviceSchema = z
  .object({
    model: z.string().min(1).max(128),
    os: z.string().min(1).max(128),
    ip: z.string().min(2).max(64).describe('IPv4 or IPv6 address the app saw'),
    attributes: z
      .record(z.union([z.string().max(256), z.number().finite(), z.boolean()]))
      .optional()
      .describe('further fingerprint attributes (screen, locale, android id, ...), at most 32'),
    signals: z
      .object({
        emulator: z.boolean().optional(),
        root: z.boolean().optional(),
        hook: z.boolean().optional(),
        proxy: z.boolean().optional(),
        vpn: z.boolean().optional(),
      })
      .strict()
      .optional(),
    behaviour: z
      .object({
        formFillSeconds: z.number().finite().min(0).max(86_400).optional(),
        pasteEvents: z.number().int().min(0).max(10_000).optional(),
        screenSwitches: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The refinement of `features`, one named function so the compiled check below can be told it is this very one. */
function isFeaturesObject(v: unknown): boolean {
  return isPlainObject(v);
}

/**
 * `features` is held here only to be a JSON object: each field is then checked against the active model's schema
 * (common/schema validateFeatures: known names, numbers for numeric features, one of the levels for categorical
 * ones, nulls only where the schema fills them), which is stricter than any static type can be and names the field.
 * A per-key zod record here would repeat that work on every request (it was ~2/3 of the parse time).
 */
export const featuresSchema = z
  .custom<Record<string, number | string | null>>(isFeaturesObject, { message: 'must be an object' })
  .describe("the consortium schema's fields (see the active model's schema): numbers, level strings, or null where the schema allows a missing value");

/** What /openapi.json says of `features` (a custom zod type carries no JSON Schema of its own). */
export const FEATURES_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'number' }, { type: 'string', maxLength: 256 }], nullable: true },
  description: featuresSchema.description,
} as const;

export const applicationRequestSchema = z
  .object({
    applicant: applicantSchema,
    features: featuresSchema,
    amount: z.number().finite().min(MIN_AMOUNT).max(MAX_AMOUNT),
    termMonths: z.number().int().min(1).max(MAX_TERM_MONTHS),
    device: deviceSchema,
    consent: z.boolean().describe('privacy consent: must be true, or the application is refused with 422'),
    callbackUrl: z.string().min(1).max(2048).optional().describe('async mode: called with the decision, HMAC-signed'),
  })
  .strict();

export type ApplicationRequest = z.infer<typeof applicationRequestSchema>;

/**
 * The schema above compiled into a plain predicate (compile-zod-check.ts): zod's safeParse costs ~6 us of main thread
 * per request, mostly allocating a copy of a body that is almost always valid. True only when zod would
 * accept the body and return it unchanged; anything else still goes through zod, which words every error.
 */
export const isAcceptedApplicationRequest = compileZodCheck(applicationRequestSchema, { refinements: [[featuresSchema, isFeaturesObject]] });

/** Turns the first zod issue into an error naming the field (`applicant.phone`, `device.signals.root`, ...). */
export function zodToFedriskError(error: z.ZodError, prefix = ''): FedriskError {
  const issue = error.issues[0]!;
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    message = 'is not a field of this request';
  } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    message = 'is required';
  }
  const field = [prefix, ...path].filter((p) => p.length > 0).join('.') || 'body';
  return new FedriskError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

/** Parses a request body; consent is checked separately (a refusal is 422, not 400). */
export function parseApplicationRequest(body: unknown): ApplicationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FedriskError('INVALID_ARGUMENT', 'body: must be a JSON object', { field: 'body' });
  }
  if (isAcceptedApplicationRequest(body)) return body;
  const res = applicationRequestSchema.safeParse(body);
  if (!res.success) throw zodToFedriskError(res.error);
  return res.data;
}
