import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import {
  createVersionedDocumentStore,
  typedDocumentStore,
  type TypedDocumentStore,
  type StoredVersion,
  type VersionSummary,
} from '../rules/versioned-document-store.js';
import { resolveAprCap, type AprCap } from './apr-cap.js';
import { POLICY_TABLE } from './policy-migrations.js';
import { clonePolicy, DEFAULT_POLICY, validatePolicy, type Policy } from './policy.js';

/** A stored policy version. */
export interface StoredPolicy extends VersionSummary {
  document: Policy;
}

/** Versioned pricing and limit policies, stored like rule documents (same table shape, same one-active rule). */
export type PolicyStore = TypedDocumentStore<Policy>;

/** The cap in force for validation of new versions, and the clock. */
export interface PolicyStoreOptions {
  /** The cap in force: a put pricing above it is refused. Default: the legal ceiling. */
  aprCap?: AprCap;
  now?: () => Date;
}

/** A stored policy, read back and validated again (a row that no longer validates is an internal error). */
function readPolicy(v: StoredVersion): Policy {
  try {
    // Read back against the ceiling, not the configured cap: a policy stored before the cap was lowered still loads,
    // and pricing caps it (capApr is the last line of defence).
    return validatePolicy(v.document, resolveAprCap());
  } catch (err) {
    throw new FedriskError('INTERNAL', `stored policy version ${v.version} no longer validates`, { policyVersion: v.version }, { cause: err });
  }
}

/** The knex implementation of {@link PolicyStore} on table `policy_versions` (see policy-migrations.ts). */
export function createPolicyStore(knex: Knex, opts: PolicyStoreOptions = {}): PolicyStore {
  const cap = opts.aprCap ?? resolveAprCap();
  const store = createVersionedDocumentStore(knex, {
    table: POLICY_TABLE,
    label: 'policy',
    validate: (doc) => Promise.resolve(validatePolicy(doc, cap)),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return typedDocumentStore(store, readPolicy, (st) => st.seed(clonePolicy(DEFAULT_POLICY), 'system', 'default policy'));
}
