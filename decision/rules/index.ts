/**
 * Runtime-editable rules of the decision pipeline: JDM decision graphs evaluated by zen-engine, stored as versioned
 * documents (put, activate/rollback, list), held compiled in memory with hot reload, and dry-run against stored
 * applications before activation.
 */
export { RulesEngine, readHits, mostSevere, type CompiledRules } from './rules-engine.js';
export { checkZenSafety, safeRulesContext, RULES_NUMBER_LIMIT } from './zen-safety.js';
export {
  checkJdmStructure,
  checkJdmCells,
  zenMessage,
  ALLOWED_NODE_TYPES,
  HIT_FIELDS,
  HIT_ACTIONS,
  MAX_NODES,
  MAX_EDGES,
  type JdmDocument,
  type JdmNode,
  type JdmEdge,
  type JdmNodeType,
} from './jdm-check.js';
export {
  CLEAN_RULES_CONTEXT,
  RISKY_RULES_CONTEXT,
  sampleRulesContext,
  randomRulesContext,
  validationSamples,
  type RulesContextPatch,
} from './sample-rules-context.js';
export {
  createVersionedDocumentStore,
  type VersionedDocumentStore,
  type VersionedDocumentStoreOptions,
  type VersionRow,
  type VersionSummary,
  type StoredVersion,
  type PutOptions,
  type TypedDocumentStore,
} from './versioned-document-store.js';
export { createRulesStore, defaultRulesDocument, SEED_AUTHOR, type RulesStore, type StoredRules } from './rules-store.js';
export { ActiveVersion, type ActiveVersionOptions, type LoadedVersion } from './active-version.js';
export { ActiveRules, type ActiveRulesOptions } from './active-rules.js';
export {
  dryRunRules,
  combineOutcome,
  TRANSITION_KEYS,
  MAX_DRY_RUN_EXAMPLES,
  type DryRunSample,
  type DryRunReport,
  type DryRunExample,
  type CombineOutcome,
  type TransitionKey,
} from './rules-dry-run.js';
export { RULES_MIGRATIONS, RULES_TABLE } from './rules-migrations.js';
