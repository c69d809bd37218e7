import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import type { LinkEvent } from './link-index.js';

/**
 * Reading and writing `application_links`, the one table behind the link and velocity indexes. Writes happen inside
 * the integrator's group-commit transaction (`writeLinks(trx, rows)`), and only after that transaction commits are
 * the same events handed to the indexes' `apply`, so memory never holds a link the store could lose. Reads happen
 * once, at start, when the indexes are rebuilt.
 */

export const LINKS_TABLE = 'application_links';

/** One row of `application_links`, as stored. PostgreSQL returns `bigint` as text, hence `at_ms` may be a string. */
export interface LinkRow {
  application_id: string;
  applicant_token: string;
  device_id: string;
  phone_token: string;
  ip_token: string;
  /** ISO-8601 of `at_ms`, for people reading the table. */
  at: string;
  at_ms: number | string;
}

/** Rows per INSERT statement: 7 columns each, well under every backend's bound-parameter limit. */
const INSERT_CHUNK = 200;

function requireText(v: string, field: string): void {
  if (typeof v !== 'string' || v === '' || v.length > 128) {
    throw new FedriskError('INVALID_ARGUMENT', `${field}: must be a non-empty token of at most 128 characters`, { field });
  }
}

/**
 * The row recording one application's links. Refuses (INVALID_ARGUMENT) an event the indexes could not replay the
 * same way after a restart: empty tokens or a time that is not a whole, representable millisecond.
 */
export function linkRow(applicationId: string, event: LinkEvent): LinkRow {
  requireText(applicationId, 'applicationId');
  requireText(event.applicantToken, 'applicantToken');
  requireText(event.deviceId, 'deviceId');
  requireText(event.phoneToken, 'phoneToken');
  requireText(event.ipToken, 'ipToken');
  if (!Number.isSafeInteger(event.at) || event.at < 0 || event.at > 8.64e15) {
    throw new FedriskError('INVALID_ARGUMENT', 'at: must be a whole number of milliseconds since the epoch', { field: 'at' });
  }
  return {
    application_id: applicationId,
    applicant_token: event.applicantToken,
    device_id: event.deviceId,
    phone_token: event.phoneToken,
    ip_token: event.ipToken,
    at: new Date(event.at).toISOString(),
    at_ms: event.at,
  };
}

/**
 * Inserts the rows in the caller's transaction (or on the handle given). A row whose application ID is already
 * stored fails the whole statement (primary key): an application is linked once, so a replay must be stopped
 * upstream (idempotency key) rather than silently counted twice by the indexes.
 */
export async function writeLinks(trx: Knex | Knex.Transaction, rows: readonly LinkRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx<LinkRow>(LINKS_TABLE).insert(rows.slice(i, i + INSERT_CHUNK));
  }
}

/** The event a row records. */
export function linkEventFrom(row: LinkRow): LinkEvent {
  return {
    applicantToken: row.applicant_token,
    deviceId: row.device_id,
    phoneToken: row.phone_token,
    ipToken: row.ip_token,
    at: Number(row.at_ms),
  };
}

/** Rows fetched per query when rebuilding: bounded memory per page, few round trips. */
const READ_PAGE = 10_000;

/**
 * Every stored event strictly younger than `sinceMs` (`at_ms > sinceMs`), oldest first (ties by application ID, so
 * two rebuilds replay in the same order), handed to `onEvent` one by one. Reads in keyset-paginated pages rather
 * than one result set (the table is not held twice in memory) or a cursor stream (knex streams need an extra
 * driver package on PostgreSQL). Returns the number of events read.
 */
export async function readLinkEvents(
  knex: Knex,
  sinceMs: number,
  onEvent: (event: LinkEvent) => void,
  pageSize: number = READ_PAGE,
): Promise<number> {
  let n = 0;
  let after: { atMs: number; id: string } | null = null;
  for (;;) {
    let query = knex<LinkRow>(LINKS_TABLE)
      .select('application_id', 'applicant_token', 'device_id', 'phone_token', 'ip_token', 'at', 'at_ms')
      .where('at_ms', '>', sinceMs);
    if (after !== null) {
      const { atMs, id } = after;
      query = query.andWhere((w) => w.where('at_ms', '>', atMs).orWhere((x) => x.where('at_ms', atMs).andWhere('application_id', '>', id)));
    }
    const rows: LinkRow[] = await query.orderBy([{ column: 'at_ms' }, { column: 'application_id' }]).limit(pageSize);
    for (const row of rows) onEvent(linkEventFrom(row));
    n += rows.length;
    if (rows.length < pageSize) return n;
    const last = rows[rows.length - 1]!;
    after = { atMs: Number(last.at_ms), id: last.application_id };
  }
}
