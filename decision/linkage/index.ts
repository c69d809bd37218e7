/** Linkage stage: applicants per device/phone/IP over 30 days and gang clusters, from `application_links`. */
export { ExpiryHeap } from './expiry-heap.js';
export { LINK_WINDOW_MS, LinkIndex } from './link-index.js';
export { WindowForest } from './window-forest.js';
export type { LinkEvent, LinkIndexStats } from './link-index.js';
export { LINKAGE_MIGRATIONS } from './linkage-migrations.js';
export { LINKS_TABLE, linkEventFrom, linkRow, readLinkEvents, writeLinks } from './write-links.js';
export type { LinkRow } from './write-links.js';
