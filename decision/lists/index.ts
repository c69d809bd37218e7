/** Lists stage: the institution's black and white lists (tokens only), their store, in-memory index and validation. */
export { ListIndex } from './list-index.js';
export type { ListMatchTokens } from './list-index.js';
export {
  EXPIRED_BY,
  LIST_NAMES,
  MAX_LIST_LIMIT,
  MAX_REASON,
  createListStore,
  isListName,
  isListableKind,
  listEntryFromRow,
} from './list-store.js';
export type { ListEntry, ListEntryRow, ListName, ListQuery, ListStore, NewListEntry } from './list-store.js';
export { LISTS_MIGRATIONS } from './lists-migrations.js';
export { MAX_LIST_VALUE, parseExpiry, validateListEntryInput } from './validate-list-entry.js';
export type { ListEntryInput } from './validate-list-entry.js';
