/**
 * The shapes that cross the decision pipeline's stages. Each stage module (pii, device, linkage, velocity, lists,
 * rules, policy, audit) reads and produces these, so stages can be built and tested apart and composed in one place
 * (pipeline/decide.ts).
 */

/** Kinds of identifier that are tokenised (keyed HMAC) and may sit on a black or white list. */
export const IDENTIFIER_KINDS = ['idNumber', 'phone', 'bankCard', 'deviceId', 'ip'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** List entries are matched on these kinds (IP is linkage-only). */
export const LISTABLE_KINDS = ['idNumber', 'phone', 'bankCard', 'deviceId'] as const;
export type ListableKind = (typeof LISTABLE_KINDS)[number];

/** Tokenises a normalised identifier: HMAC-SHA256 under the institution's token key, base64url. */
export type Tokenize = (kind: IdentifierKind, normalisedValue: string) => string;

export interface ApplicantInput {
  idNumber: string;
  name: string;
  phone: string;
  bankCard?: string | undefined;
}

export interface DeviceSignalsInput {
  emulator?: boolean | undefined;
  root?: boolean | undefined;
  hook?: boolean | undefined;
  proxy?: boolean | undefined;
  vpn?: boolean | undefined;
}

export interface BehaviourInput {
  formFillSeconds?: number | undefined;
  pasteEvents?: number | undefined;
  screenSwitches?: number | undefined;
}

export interface DeviceInput {
  model: string;
  os: string;
  ip: string;
  /** Further fingerprint attributes the app reports (screen, locale, android id, ...). */
  attributes?: Record<string, string | number | boolean> | undefined;
  signals?: DeviceSignalsInput | undefined;
  behaviour?: BehaviourInput | undefined;
}

/** The normalised identifiers of one application and their tokens (never the raw values). */
export interface IdentityTokens {
  idToken: string;
  phoneToken: string;
  bankCardToken: string | null;
  deviceId: string;
  ipToken: string;
}

/** Device stage output. */
export interface DeviceAssessment {
  deviceId: string;
  emulator: boolean;
  root: boolean;
  hook: boolean;
  proxy: boolean;
  vpn: boolean;
  /** Behaviour that looks scripted (form filled implausibly fast, many pastes). */
  botLike: boolean;
}

/** Linkage stage output: distinct applicants seen on the same device / phone / IP over 30 days, and the cluster. */
export interface LinkageAssessment {
  applicantsPerDevice30d: number;
  applicantsPerPhone30d: number;
  applicantsPerIp30d: number;
  /** Applicants in the connected component linked by shared device, phone or IP (30-day window), this one included. */
  clusterSize: number;
}

/** Velocity stage output: this institution's applications by the same applicant (this one included). */
export interface VelocityAssessment {
  applications1h: number;
  applications24h: number;
  applications30d: number;
}

export interface ListHit {
  list: 'black' | 'white';
  kind: ListableKind;
  reason: string;
}

/** What the rules see: flags and counts only, never PII. Stored per application for dry runs. */
export interface RulesContext {
  application: { amount: number; termMonths: number };
  device: DeviceAssessment & { blacklisted: boolean };
  applicant: { blacklisted: boolean; whitelisted: boolean; blacklistKinds: ListableKind[] };
  velocity: VelocityAssessment;
  linkage: LinkageAssessment;
  behaviour: { formFillSeconds: number | null; pasteEvents: number | null; screenSwitches: number | null };
  model: { probabilityOfDefault: number; score: number; grade: Grade };
}

export type Outcome = 'approve' | 'review' | 'reject';
export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';

/** One rule that fired: its id, the flag it raises, the action it asks for, the internal reason code. */
export interface RuleHit {
  ruleId: string;
  flag: string;
  action: 'reject' | 'review' | 'flag';
  reasonCode: string;
}

export interface RulesResult {
  rulesVersion: number;
  hits: RuleHit[];
  /** Most severe action asked for by any hit, or `pass`. */
  action: 'reject' | 'review' | 'pass';
}

/** The generic text an applicant sees; the internal reason codes never leave the service. */
export const EXTERNAL_REASONS: Record<Outcome, string> = {
  approve: 'approved',
  review: 'under review',
  reject: 'overall score below standard',
};
