/**
 * Velocity stage: this institution's applications per applicant over 1 h, 24 h and 30 days. It reads
 * `application_links`, created by LINKAGE_MIGRATIONS (decision/linkage), and has no table of its own.
 */
export { DAY_MS, HOUR_MS, VELOCITY_GRACE_MS, VELOCITY_WINDOW_MS, VelocityIndex } from './velocity-index.js';
export type { VelocityIndexStats } from './velocity-index.js';
