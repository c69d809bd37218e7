import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { DECISIONS, GRADES, type Decision, type Grade } from '../scoring/score-card.js';
import type { RuleHit, RulesContext } from '../pipeline/decision-types.js';

/** One row of `applications`, as stored. No raw input: only its digest. */
export interface ApplicationRow {
  id: string;
  created_at: string;
  model_version: string;
  probability_of_default: number;
  score: number;
  grade: string;
  decision: string;
  features_digest: string;
  applicant_token?: string | null;
  amount?: number | null;
  term_months?: number | null;
  status?: string | null;
  reason_codes_json?: string | null;
  rule_hits_json?: string | null;
  flags_json?: string | null;
  rules_version?: number | null;
  policy_version?: number | null;
  apr?: number | null;
  credit_limit?: number | null;
  rules_context_json?: string | null;
  api_key_id?: string | null;
  audit_seq?: number | string | null;
}

/** What the full pipeline adds to a scored application (absent on records made by the model-only path). */
export interface DecisionDetails {
  applicantToken: string;
  amount: number;
  termMonths: number;
  /** `decided` (final at once) or `review` (waiting in the manual-review queue). */
  status: 'decided' | 'review';
  /** Internal reason codes: never sent to the applicant. */
  reasonCodes: string[];
  ruleHits: RuleHit[];
  flags: string[];
  rulesVersion: number;
  policyVersion: number;
  apr: number | null;
  creditLimit: number | null;
  rulesContext: RulesContext;
  apiKeyId: string | null;
  auditSeq: number;
}

/** A scored application as the rest of the code sees it. */
export interface ApplicationRecord {
  id: string;
  createdAt: string;
  modelVersion: string;
  probabilityOfDefault: number;
  score: number;
  grade: Grade;
  decision: Decision;
  /** SHA-256 (hex) of the canonical validated input: proves what was scored without keeping it. */
  featuresDigest: string;
  details?: DecisionDetails;
}

/** Where scored applications are kept (append-only: a decision, once made, is never rewritten). */
export interface ApplicationStore {
  insert(record: ApplicationRecord): Promise<void>;
  get(id: string): Promise<ApplicationRecord | null>;
  /** The newest applications' rules contexts and outcomes, for dry-running a candidate rule set. */
  recentForDryRun(limit: number): Promise<{ applicationId: string; context: RulesContext; outcome: Decision }[]>;
}

const TABLE = 'applications';

function isGrade(v: string): v is Grade {
  return (GRADES as readonly string[]).includes(v);
}

function isDecision(v: string): v is Decision {
  return (DECISIONS as readonly string[]).includes(v);
}

function detailsFrom(r: ApplicationRow): DecisionDetails | undefined {
  if (!r.applicant_token || !r.rules_context_json) return undefined;
  return {
    applicantToken: r.applicant_token,
    amount: Number(r.amount),
    termMonths: Number(r.term_months),
    status: r.status === 'review' ? 'review' : 'decided',
    reasonCodes: JSON.parse(r.reason_codes_json ?? '[]') as string[],
    ruleHits: JSON.parse(r.rule_hits_json ?? '[]') as RuleHit[],
    flags: JSON.parse(r.flags_json ?? '[]') as string[],
    rulesVersion: Number(r.rules_version),
    policyVersion: Number(r.policy_version),
    apr: r.apr === null || r.apr === undefined ? null : Number(r.apr),
    creditLimit: r.credit_limit === null || r.credit_limit === undefined ? null : Number(r.credit_limit),
    rulesContext: JSON.parse(r.rules_context_json) as RulesContext,
    apiKeyId: r.api_key_id ?? null,
    auditSeq: Number(r.audit_seq),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The stored row of a record (the group-commit writer inserts these in batches). The id must be a uuid and is stored
 * in lower case: PostgreSQL's uuid column refuses anything else and reads back lower case, so SQLite does the same.
 */
export function applicationRow(a: ApplicationRecord): ApplicationRow {
  if (typeof a.id !== 'string' || !UUID.test(a.id)) {
    throw new FedriskError('INVALID_ARGUMENT', 'application id must be a uuid', { field: 'id' });
  }
  const row: ApplicationRow = {
    id: a.id.toLowerCase(),
    created_at: a.createdAt,
    model_version: a.modelVersion,
    probability_of_default: a.probabilityOfDefault,
    score: a.score,
    grade: a.grade,
    decision: a.decision,
    features_digest: a.featuresDigest,
  };
  const d = a.details;
  if (d) {
    row.applicant_token = d.applicantToken;
    row.amount = d.amount;
    row.term_months = d.termMonths;
    row.status = d.status;
    row.reason_codes_json = JSON.stringify(d.reasonCodes);
    row.rule_hits_json = JSON.stringify(d.ruleHits);
    row.flags_json = JSON.stringify(d.flags);
    row.rules_version = d.rulesVersion;
    row.policy_version = d.policyVersion;
    row.apr = d.apr;
    row.credit_limit = d.creditLimit;
    row.rules_context_json = JSON.stringify(d.rulesContext);
    row.api_key_id = d.apiKeyId;
    row.audit_seq = d.auditSeq;
  }
  return row;
}

/** Batch insert inside the writer's transaction (chunked: SQLite binds at most 999 variables per statement). */
export async function writeApplications(trx: Knex | Knex.Transaction, rows: ApplicationRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 30) await trx<ApplicationRow>(TABLE).insert(rows.slice(i, i + 30));
}

function fromRow(r: ApplicationRow): ApplicationRecord {
  if (!isGrade(r.grade) || !isDecision(r.decision)) {
    throw new FedriskError('INTERNAL', `application ${r.id} has an unknown grade or decision in the store`);
  }
  const details = detailsFrom(r);
  return {
    ...(details ? { details } : {}),
    id: r.id,
    createdAt: r.created_at,
    modelVersion: r.model_version,
    probabilityOfDefault: Number(r.probability_of_default),
    score: Number(r.score),
    grade: r.grade,
    decision: r.decision,
    featuresDigest: r.features_digest,
  };
}

/** The knex implementation of {@link ApplicationStore}. */
export function createApplicationStore(knex: Knex): ApplicationStore {
  return {
    async insert(a) {
      await knex<ApplicationRow>(TABLE).insert(applicationRow(a));
    },

    async recentForDryRun(limit) {
      const rows = await knex<ApplicationRow>(TABLE)
        .whereNotNull('rules_context_json')
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
        .limit(limit)
        .select('id', 'rules_context_json', 'decision');
      return rows.map((r) => ({
        applicationId: r.id,
        context: JSON.parse(r.rules_context_json!) as RulesContext,
        outcome: isDecision(r.decision) ? r.decision : 'review',
      }));
    },

    async get(id) {
      // Not a uuid: no such application (PostgreSQL would reject the comparison itself).
      if (typeof id !== 'string' || !UUID.test(id)) return null;
      const row = await knex<ApplicationRow>(TABLE).where({ id: id.toLowerCase() }).first();
      return row ? fromRow(row) : null;
    },
  };
}
