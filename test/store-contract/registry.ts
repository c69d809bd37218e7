/**
 * Every store that has a contract suite. Add a store with one line here (its contract file next to this one); see
 * ./contract.ts for what a contract is and what the runner does with it.
 */
import type { StoreContract } from './contract.js';
import { apiKeyStoreContract } from './api-key-store.contract.js';
import { applicationStoreContract } from './application-store.contract.js';
import { coordinatorStoreContract } from './coordinator-store.contract.js';
import { modelStoreContract } from './model-store.contract.js';
import { nodeStoreContract } from './node-store.contract.js';
import { rulesStoreContract } from './rules-store.contract.js';
import { policyStoreContract } from './policy-store.contract.js';
import { applicantStoreContract } from './applicant-store.contract.js';
import { auditLogContract } from './audit-log.contract.js';
import { listStoreContract } from './list-store.contract.js';
import { applicationLinksContract } from './application-links.contract.js';
import { reviewStoreContract } from './review-store.contract.js';
import { idempotencyStoreContract } from './idempotency-store.contract.js';
import { callbackStoreContract } from './callback-store.contract.js';
import { decisionWriterContract } from './decision-writer.contract.js';

export const STORE_CONTRACTS: readonly StoreContract[] = [
  modelStoreContract,
  applicationStoreContract,
  apiKeyStoreContract,
  coordinatorStoreContract,
  nodeStoreContract,
  rulesStoreContract,
  policyStoreContract,
  applicantStoreContract,
  auditLogContract,
  listStoreContract,
  applicationLinksContract,
  reviewStoreContract,
  idempotencyStoreContract,
  callbackStoreContract,
  decisionWriterContract,
];
