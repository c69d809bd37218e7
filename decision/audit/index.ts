/**
 * The hash-chained decision log (MISSION 16, DESIGN threat model 7): appending in the decision's own transaction,
 * verifying the whole log, and its migrations for the decision store's list.
 */
export {
  AuditChain,
  writeAuditRows,
  auditHash,
  auditRecordJson,
  findPiiLike,
  AUDIT_TABLE,
  AUDIT_KINDS,
  GENESIS_HASH,
  type AuditKind,
  type AuditRecord,
  type AuditRow,
  type AuditHead,
} from './audit-chain.js';
export { verifyAuditLog, type VerifyAuditOptions, type VerifyAuditResult } from './verify-audit-log.js';
export { AUDIT_MIGRATIONS } from './audit-migrations.js';
