import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { FedriskError } from '../../common/errors.js';
import { checkJdmStructure, type JdmDocument } from './jdm-check.js';
import { RulesEngine } from './rules-engine.js';
import { RULES_TABLE } from './rules-migrations.js';
import {
  createVersionedDocumentStore,
  typedDocumentStore,
  type TypedDocumentStore,
  type StoredVersion,
  type VersionSummary,
} from './versioned-document-store.js';

/** A stored rule document version. */
export interface StoredRules extends VersionSummary {
  document: JdmDocument;
}

/** Versioned rule documents (JDM): validated by compiling them (see {@link RulesEngine.compile}), never edited. */
export type RulesStore = TypedDocumentStore<JdmDocument>;

/** Who the seeded default rule set is attributed to. */
export const SEED_AUTHOR = 'system';

let defaultDoc: string | null = null;

/**
 * The shipped default rule set (`default-rules.json`): the source documents' examples on a RulesContext. Rules in
 * order: blacklisted device -> reject (`high_risk_device`, DEVICE_BLACKLISTED); blacklisted applicant by ID number,
 * phone or bank card -> reject (BLACKLISTED); emulator -> reject (EMULATOR); rooted or hooked -> review
 * (ROOTED_OR_HOOKED); proxy or VPN -> flag only (PROXY_OR_VPN); more than 5 applications here in 1 h -> review with
 * the `high_frequency_applicant` flag (HIGH_FREQUENCY); more than 10 in 24 h -> reject (EXCESSIVE_APPLICATIONS_24H);
 * linked cluster of 5 or more -> review (GANG_CLUSTER); 3 or more applicants on the device in 30 days -> review
 * (SHARED_DEVICE); scripted behaviour -> review (BOT_LIKE).
 *
 * Whitelist: a whitelisted applicant skips the soft velocity rule (the 1-hour high-frequency review, via the table's
 * `applicant.whitelisted` column set to `false` on that row) but not the hard ones: the 24-hour reject, blacklists and
 * device rules still apply, because a white list entry vouches for a person, not for a burst or a device.
 * Returns a fresh copy each call.
 */
export function defaultRulesDocument(): JdmDocument {
  defaultDoc ??= readFileSync(new URL('./default-rules.json', import.meta.url), 'utf8');
  return checkJdmStructure(JSON.parse(defaultDoc));
}

/** A stored rules document, read back as a JDM document (a row that no longer is one is an internal error). */
function readRules(v: StoredVersion): JdmDocument {
  try {
    return checkJdmStructure(v.document);
  } catch (err) {
    throw new FedriskError('INTERNAL', `stored rules version ${v.version} is not a JDM document`, { rulesVersion: v.version }, { cause: err });
  }
}

/** The knex implementation of {@link RulesStore} on table `rules_versions` (see rules-migrations.ts). */
export function createRulesStore(knex: Knex, opts: { now?: () => Date } = {}): RulesStore {
  const store = createVersionedDocumentStore(knex, {
    table: RULES_TABLE,
    label: 'rules',
    validate: async (doc) => (await RulesEngine.compile(0, doc)).document,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return typedDocumentStore(store, readRules, (st) => st.seed(defaultRulesDocument(), SEED_AUTHOR, 'default rule set (source documents’ examples)'));
}
