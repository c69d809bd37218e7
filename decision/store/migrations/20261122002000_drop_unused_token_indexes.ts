import { dropIndexesMigration } from './drop-indexes.js';

/**
 * Drops five secondary indexes that no query uses: the device, phone and IP tokens of `application_links` and the
 * phone and bank-card tokens of `applicants`. Lookups by those tokens happen in the in-memory link, velocity and list
 * indexes, which are loaded by time window (`at_ms`) or by primary key. Tokens are HMACs, so every decision inserted
 * into each of these indexes at a random leaf page: measured with `npm run bench:decision`, removing them took about
 * a third off the SQLite thread's CPU per decision. `down` recreates them.
 */
const DROPPED = [
  ['application_links', 'device_id', 'application_links_device'],
  ['application_links', 'phone_token', 'application_links_phone'],
  ['application_links', 'ip_token', 'application_links_ip'],
  ['applicants', 'phone_token', 'applicants_phone_token'],
  ['applicants', 'bank_card_token', 'applicants_bank_card_token'],
] as const;

export const { up, down } = dropIndexesMigration(DROPPED);
