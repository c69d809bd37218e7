/**
 * The coordinator's configuration, validated once at the edge (the CLI) and passed down typed. The one setting
 * that weakens a promise (aggregates of 2) needs its own explicit flag and is logged loudly at start.
 */
import { createHash } from 'node:crypto';
import { FedriskError } from '../common/errors.js';
import type { JobSpec } from '../common/job-spec.js';
import type { CkksParams } from '../common/he/ckks-params.js';
import type { Logger } from '../common/log.js';

export interface CoordinatorConfig {
  consortiumId: string;
  /** sha256 hex of the join token: the token itself is never kept in memory longer than parsing. */
  joinTokenHash: string;
  /** Members needed before keying starts (all of them become the job's participants). */
  minMembers: number;
  /** Contributions needed to release an aggregate (3 unless `allowTwoPartyAggregation`). */
  minContributors: number;
  allowTwoPartyAggregation: boolean;
  roundTimeoutMs: number;
  keyingTimeoutMs: number;
  job: JobSpec;
  ckks: CkksParams;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Refuses inconsistent settings; warns loudly (once) when two-party aggregation is allowed. */
export function validateCoordinatorConfig(config: CoordinatorConfig, log: Logger): CoordinatorConfig {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.consortiumId)) {
    throw new FedriskError('INVALID_ARGUMENT', 'consortium id: letters, digits, _ . - (1-64)', { field: 'consortiumId' });
  }
  if (!Number.isInteger(config.minContributors) || config.minContributors < 2) {
    throw new FedriskError('INVALID_ARGUMENT', 'min contributors must be an integer >= 2 (and 3 unless two-party aggregation is allowed)', {
      field: 'minContributors',
    });
  }
  if (config.minContributors < 3 && !config.allowTwoPartyAggregation) {
    throw new FedriskError(
      'INVALID_ARGUMENT',
      'an aggregate of 2 lets each contributor subtract its own update and read the other: refused unless --allow-two-party-aggregation is given',
      { field: 'minContributors' },
    );
  }
  if (config.minContributors < 3) {
    log.warn('TWO-PARTY AGGREGATION ALLOWED: with 2 contributors each can recover the other\'s update', {
      minContributors: config.minContributors,
    });
  }
  if (!Number.isInteger(config.minMembers) || config.minMembers < config.minContributors) {
    throw new FedriskError('INVALID_ARGUMENT', `min members (${config.minMembers}) must be an integer >= min contributors (${config.minContributors})`, {
      field: 'minMembers',
    });
  }
  if (!(config.roundTimeoutMs >= 100) || !(config.keyingTimeoutMs >= 100)) {
    throw new FedriskError('INVALID_ARGUMENT', 'timeouts must be at least 100 ms', { field: 'roundTimeoutMs' });
  }
  if (!config.job.encrypted) {
    log.warn('PLAINTEXT JOB: updates travel and are summed in the clear (comparison mode only)', { jobId: config.job.jobId });
  }
  return config;
}
