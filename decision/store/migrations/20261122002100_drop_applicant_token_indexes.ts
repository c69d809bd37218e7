import { dropIndexesMigration } from './drop-indexes.js';

/**
 * Drops the last two secondary indexes no query uses: the applicant token of `applications` and of
 * `application_links`. Applications are read by id and by time (dry runs); the only query that touches their
 * applicant token joins from reviews by application id. Like the tokens dropped before (20261122002000), an HMAC key
 * lands on a random leaf page, so each decision dirtied two more pages that every commit wrote to the WAL. Measured
 * (decision/PERFORMANCE.md): the SQLite threads' CPU per decision went from about 128 to 76 us. `down`
 * recreates them.
 */
const DROPPED = [
  ['applications', 'applicant_token', 'applications_applicant_token'],
  ['application_links', 'applicant_token', 'application_links_applicant'],
] as const;

export const { up, down } = dropIndexesMigration(DROPPED);
