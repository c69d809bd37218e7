import { dropIndexesMigration } from './drop-indexes.js';

/**
 * Drops `applications.model_version` and `audit_log.at`: nothing selects or orders by either (the audit log is read
 * by seq, applications by id and by created_at), and each was one more B-tree insert in every decision's commit.
 * `down` recreates them.
 */
const DROPPED = [
  ['applications', 'model_version', 'applications_model_version'],
  ['audit_log', 'at', 'audit_log_at'],
] as const;

export const { up, down } = dropIndexesMigration(DROPPED);
