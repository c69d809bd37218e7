import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { DECISIONS, GRADES, type Decision, type Grade } from '../scoring/score-card.js';

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
}

/** Where scored applications are kept (append-only: a decision, once made, is never rewritten). */
export interface ApplicationStore {
  insert(record: ApplicationRecord): Promise<void>;
  get(id: string): Promise<ApplicationRecord | null>;
}

const TABLE = 'applications';

function isGrade(v: string): v is Grade {
  return (GRADES as readonly string[]).includes(v);
}

function isDecision(v: string): v is Decision {
  return (DECISIONS as readonly string[]).includes(v);
}

function fromRow(r: ApplicationRow): ApplicationRecord {
  if (!isGrade(r.grade) || !isDecision(r.decision)) {
    throw new FedriskError('INTERNAL', `application ${r.id} has an unknown grade or decision in the store`);
  }
  return {
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
      const row: ApplicationRow = {
        id: a.id,
        created_at: a.createdAt,
        model_version: a.modelVersion,
        probability_of_default: a.probabilityOfDefault,
        score: a.score,
        grade: a.grade,
        decision: a.decision,
        features_digest: a.featuresDigest,
      };
      await knex<ApplicationRow>(TABLE).insert(row);
    },

    async get(id) {
      const row = await knex<ApplicationRow>(TABLE).where({ id }).first();
      return row ? fromRow(row) : null;
    },
  };
}
