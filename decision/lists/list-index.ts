import type { Knex } from 'knex';
import { LISTABLE_KINDS, type ListableKind, type ListHit } from '../pipeline/decision-types.js';
import { listEntryFromRow, type ListEntry, type ListEntryRow } from './list-store.js';

/**
 * Every application is matched against the black and white lists (MISSION requirement 3; DESIGN "lists" stage),
 * so matching must not touch the store: the live entries are held in a hash map keyed by kind and token, loaded at
 * start and kept in step by the caller after each successful store write (`applyAdd` after `add`, `applyRemove`
 * after `remove`). A restart rebuilds the same map from `list_entries`, so both answer alike.
 */

/** The tokens of one application that lists can match; `bankCard` is null when none was submitted. */
export interface ListMatchTokens {
  idNumber: string;
  phone: string;
  bankCard: string | null;
  deviceId: string;
}

interface Held {
  entry: ListEntry;
  /** Expiry in ms, or +Infinity. */
  expiresAtMs: number;
}

const keyOf = (kind: ListableKind, token: string): string => `${kind}\u0000${token}`;

const LIST_ORDER = { black: 0, white: 1 } as const;

/**
 * The live list entries in memory. `match` costs one map lookup per identifier kind (at most four), whatever the
 * size of the lists. Expired entries never match; they are dropped from memory the first time a match meets them.
 */
export class ListIndex {
  private readonly byKey = new Map<string, Held[]>();
  private readonly keyById = new Map<string, string>();

  /** Loads every entry not removed (expired ones included: they are dropped lazily, like in a long-running index). */
  static async load(knex: Knex): Promise<ListIndex> {
    const rows = await knex<ListEntryRow>('list_entries').select('*').whereNull('removed_at').orderBy([
      { column: 'created_at' },
      { column: 'id' },
    ]);
    return ListIndex.fromEntries(rows.map(listEntryFromRow));
  }

  static fromEntries(entries: Iterable<ListEntry>): ListIndex {
    const index = new ListIndex();
    for (const e of entries) index.applyAdd(e);
    return index;
  }

  /** Entries held (expired ones not yet dropped included). */
  get size(): number {
    return this.keyById.size;
  }

  /**
   * The list hits of an application at `now` (ms): kinds in the order idNumber, phone, bankCard, deviceId; black
   * before white; then oldest entry first. An entry matches while `now < expiresAt`.
   */
  match(tokens: ListMatchTokens, now: number): ListHit[] {
    const hits: ListHit[] = [];
    for (const kind of LISTABLE_KINDS) {
      const token = tokens[kind];
      if (token === null) continue;
      const key = keyOf(kind, token);
      const held = this.byKey.get(key);
      if (!held) continue;
      let expired = false;
      for (const h of held) {
        if (h.expiresAtMs <= now) expired = true;
        else hits.push({ list: h.entry.list, kind, reason: h.entry.reason });
      }
      if (expired) this.dropExpired(key, held, now);
    }
    return hits;
  }

  /**
   * Takes in an entry the store has just added. An expired entry for the same list, kind and token is dropped, as
   * the store retired it in the same transaction. Removed entries are ignored; re-applying an entry is harmless.
   */
  applyAdd(entry: ListEntry): void {
    if (entry.removedAt !== null) return;
    if (this.keyById.has(entry.id)) this.applyRemove(entry.id);
    const key = keyOf(entry.kind, entry.token);
    const expiresAtMs = entry.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(entry.expiresAt);
    const created = Date.parse(entry.createdAt);
    const held = (this.byKey.get(key) ?? []).filter((h) => {
      const superseded = h.entry.list === entry.list && h.expiresAtMs <= created;
      if (superseded) this.keyById.delete(h.entry.id);
      return !superseded;
    });
    held.push({ entry, expiresAtMs });
    held.sort((a, b) => LIST_ORDER[a.entry.list] - LIST_ORDER[b.entry.list] || compare(a.entry, b.entry));
    this.byKey.set(key, held);
    this.keyById.set(entry.id, key);
  }

  /** Forgets an entry the store has just removed (unknown ids are ignored: removal is idempotent). */
  applyRemove(id: string): void {
    const key = this.keyById.get(id);
    if (key === undefined) return;
    this.keyById.delete(id);
    const held = this.byKey.get(key)?.filter((h) => h.entry.id !== id) ?? [];
    if (held.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, held);
  }

  private dropExpired(key: string, held: Held[], now: number): void {
    const live = held.filter((h) => {
      if (h.expiresAtMs > now) return true;
      this.keyById.delete(h.entry.id);
      return false;
    });
    if (live.length === 0) this.byKey.delete(key);
    else this.byKey.set(key, live);
  }
}

function compare(a: ListEntry, b: ListEntry): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
