import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { LISTABLE_KINDS, type ListableKind } from '../pipeline/decision-types.js';

/**
 * The institution's own black and white lists (MISSION requirement 3), as a durable store. Entries hold tokens
 * (keyed HMACs of normalised identifiers): the caller tokenises, the raw value never reaches this table. Removal is
 * a soft delete so the list's history stays auditable. The decision path never queries this store; it matches
 * against {@link ListIndex}, which the caller updates after each successful write (`applyAdd` / `applyRemove`).
 */

export const LIST_NAMES = ['black', 'white'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Longest reason kept (the HTTP layer refuses longer). */
export const MAX_REASON = 200;
/** Most entries one `list` call returns. */
export const MAX_LIST_LIMIT = 1000;
/** Who retired an expired entry when a new one for the same identifier replaced it. */
export const EXPIRED_BY = 'system:expired';

/** One row of `list_entries`, as stored. */
export interface ListEntryRow {
  id: string;
  list: string;
  kind: string;
  token: string;
  reason: string;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  removed_at: string | null;
  removed_by: string | null;
}

/** A list entry as the rest of the code sees it. Times are ISO-8601. */
export interface ListEntry {
  id: string;
  list: ListName;
  kind: ListableKind;
  /** Token of the identifier (never the raw value). */
  token: string;
  reason: string;
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
  removedAt: string | null;
  removedBy: string | null;
}

export interface NewListEntry {
  list: ListName;
  kind: ListableKind;
  token: string;
  reason: string;
  /** ISO-8601, or null for an entry that never expires. */
  expiresAt: string | null;
  /** Who listed it (API key id or operator name). */
  createdBy: string;
}

export interface ListQuery {
  list?: ListName | undefined;
  kind?: ListableKind | undefined;
  /** Also return entries whose expiry has passed (default false). */
  includeExpired?: boolean | undefined;
  /** Also return removed entries (default false). */
  includeRemoved?: boolean | undefined;
  limit: number;
  offset: number;
}

export interface ListStore {
  /** Adds an entry; ALREADY_EXISTS if a live (not removed, not expired) one exists for the same list, kind and token. */
  add(input: NewListEntry): Promise<ListEntry>;
  /** Soft-deletes an entry and returns it (idempotent: removing a removed entry returns it unchanged); NOT_FOUND if unknown. */
  remove(id: string, by: string): Promise<ListEntry>;
  get(id: string): Promise<ListEntry | null>;
  /** Newest first. */
  list(query: ListQuery): Promise<ListEntry[]>;
}

const TABLE = 'list_entries';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isListName(v: unknown): v is ListName {
  return typeof v === 'string' && (LIST_NAMES as readonly string[]).includes(v);
}

export function isListableKind(v: unknown): v is ListableKind {
  return typeof v === 'string' && (LISTABLE_KINDS as readonly string[]).includes(v);
}

/** Converts a stored row; a row with an unknown list or kind is a corrupt store (INTERNAL), not bad input. */
export function listEntryFromRow(r: ListEntryRow): ListEntry {
  if (!isListName(r.list) || !isListableKind(r.kind)) {
    throw new FedriskError('INTERNAL', `list entry ${r.id} has an unknown list or kind in the store`);
  }
  return {
    id: r.id,
    list: r.list,
    kind: r.kind,
    token: r.token,
    reason: r.reason,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    removedAt: r.removed_at,
    removedBy: r.removed_by,
  };
}

function bad(field: string, message: string): FedriskError {
  return new FedriskError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

function checkNewEntry(e: NewListEntry, nowMs: number): void {
  if (!isListName(e.list)) throw bad('list', `must be one of ${LIST_NAMES.join(', ')}`);
  if (!isListableKind(e.kind)) throw bad('kind', `must be one of ${LISTABLE_KINDS.join(', ')}`);
  if (typeof e.token !== 'string' || e.token === '' || e.token.length > 128) throw bad('token', 'must be 1..128 characters');
  if (typeof e.reason !== 'string' || e.reason.trim() === '' || e.reason.length > MAX_REASON) {
    throw bad('reason', `must be 1..${MAX_REASON} characters`);
  }
  if (typeof e.createdBy !== 'string' || e.createdBy === '' || e.createdBy.length > 200) throw bad('createdBy', 'must be 1..200 characters');
  if (e.expiresAt !== null) {
    const ms = Date.parse(e.expiresAt);
    // Stored expiries are compared as text, so only the canonical toISOString form is accepted.
    if (!Number.isFinite(ms) || new Date(ms).toISOString() !== e.expiresAt) throw bad('expiresAt', 'must be a canonical ISO-8601 UTC time');
    if (ms <= nowMs) throw bad('expiresAt', 'must be in the future');
  }
}

/** True for the unique-index violation of both backends (SQLite `UNIQUE constraint failed`, PostgreSQL 23505). */
function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === '23505' || (code === 'SQLITE_CONSTRAINT' && typeof message === 'string' && message.includes('UNIQUE'));
}

/** The knex implementation of {@link ListStore}. `now` is injectable so expiry can be tested. */
export function createListStore(knex: Knex, now: () => Date = () => new Date()): ListStore {
  const get = async (id: string): Promise<ListEntry | null> => {
    if (typeof id !== 'string' || !UUID.test(id)) return null;
    // Ids are stored in lower case (randomUUID); PostgreSQL's uuid column matches any case, so SQLite must too.
    const row = await knex<ListEntryRow>(TABLE).where({ id: id.toLowerCase() }).first();
    return row ? listEntryFromRow(row) : null;
  };

  return {
    async add(input) {
      const at = now();
      checkNewEntry(input, at.getTime());
      const row: ListEntryRow = {
        id: randomUUID(),
        list: input.list,
        kind: input.kind,
        token: input.token,
        reason: input.reason,
        expires_at: input.expiresAt,
        created_at: at.toISOString(),
        created_by: input.createdBy,
        removed_at: null,
        removed_by: null,
      };
      const duplicate = (id: string | null) =>
        new FedriskError('ALREADY_EXISTS', `a live ${input.list}list entry for this ${input.kind} exists${id ? ` (${id})` : ''}`, {
          field: 'value',
          ...(id ? { id } : {}),
        });
      try {
        await knex.transaction(async (trx) => {
          const live = await trx<ListEntryRow>(TABLE)
            .select('id', 'expires_at')
            .where({ list: input.list, kind: input.kind, token: input.token })
            .whereNull('removed_at');
          for (const r of live) {
            if (r.expires_at === null || r.expires_at > row.created_at) throw duplicate(r.id);
            // An expired entry no longer protects or blocks anyone; retire it so the new one can take its place.
            await trx<ListEntryRow>(TABLE).where({ id: r.id }).update({ removed_at: row.created_at, removed_by: EXPIRED_BY });
          }
          await trx<ListEntryRow>(TABLE).insert(row);
        });
      } catch (err) {
        // A concurrent add won the race: the partial unique index refused ours.
        if (isUniqueViolation(err)) throw duplicate(null);
        throw err;
      }
      return listEntryFromRow(row);
    },

    async remove(id, by) {
      if (typeof by !== 'string' || by === '' || by.length > 200) throw bad('by', 'must be 1..200 characters');
      const entry = await get(id);
      if (!entry) throw new FedriskError('NOT_FOUND', `no list entry with id ${String(id)}`, { field: 'id' });
      if (entry.removedAt !== null) return entry;
      const removedAt = now().toISOString();
      const n = await knex<ListEntryRow>(TABLE).where({ id: entry.id }).whereNull('removed_at').update({ removed_at: removedAt, removed_by: by });
      // n === 0: someone removed it in between; theirs is the stamp that counts.
      return n === 0 ? ((await get(entry.id)) ?? entry) : { ...entry, removedAt, removedBy: by };
    },

    get,

    async list(q) {
      if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_LIST_LIMIT) throw bad('limit', `must be an integer in 1..${MAX_LIST_LIMIT}`);
      if (!Number.isInteger(q.offset) || q.offset < 0) throw bad('offset', 'must be a non-negative integer');
      if (q.list !== undefined && !isListName(q.list)) throw bad('list', `must be one of ${LIST_NAMES.join(', ')}`);
      if (q.kind !== undefined && !isListableKind(q.kind)) throw bad('kind', `must be one of ${LISTABLE_KINDS.join(', ')}`);
      let query = knex<ListEntryRow>(TABLE).select('*');
      if (q.list !== undefined) query = query.where('list', q.list);
      if (q.kind !== undefined) query = query.where('kind', q.kind);
      if (!q.includeRemoved) query = query.whereNull('removed_at');
      if (!q.includeExpired) {
        const nowIso = now().toISOString();
        query = query.where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', nowIso));
      }
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'asc' }]).limit(q.limit).offset(q.offset);
      return rows.map(listEntryFromRow);
    },
  };
}
