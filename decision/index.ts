/**
 * The lender-facing decision service: its stores (which the node also uses, to deploy models), the scoring core,
 * the transport-neutral handlers, the HTTP app and the `fedrisk decision` CLI.
 */
export {
  createDecisionDb,
  openDecisionDb,
  describeDecisionDb,
  migrateDecisionDb,
  type DecisionDbConfig,
  DECISION_MIGRATIONS,
  DECISION_MIGRATIONS_TABLE,
  type DecisionDbOptions,
} from './store/decision-db.js';
export { createModelStore, type ModelStore, type ModelSummary, type ModelRow } from './store/model-store.js';
export { checkModel, MODEL_VERSION_PATTERN } from './store/check-model.js';
export {
  createApplicationStore,
  type ApplicationStore,
  type ApplicationRecord,
  type ApplicationRow,
} from './store/application-store.js';
export {
  createApiKeyStore,
  isApiKeyRole,
  API_KEY_ROLES,
  API_KEY_PREFIX,
  type ApiKeyStore,
  type ApiKeyRole,
  type ApiKeySummary,
  type ApiKeyRow,
} from './store/api-key-store.js';
export {
  scoreCard,
  gradeFor,
  decisionFor,
  scoreProbability,
  resolveScoringPolicy,
  DEFAULT_SCORE_CARD,
  DEFAULT_GRADE_CUTOFFS,
  DEFAULT_DECISION_THRESHOLDS,
  GRADES,
  DECISIONS,
  PD_MIN,
  type ScoreCardParams,
  type GradeCutoffs,
  type DecisionThresholds,
  type ScoringPolicy,
  type ScoredProbability,
  type Grade,
  type Decision,
} from './scoring/score-card.js';
export {
  ActiveModelCache,
  DEFAULT_REFRESH_MS,
  type ActiveModel,
  type ActiveModelCacheOptions,
} from './scoring/active-model-cache.js';
export { decideApplication, validateApplication, type DecisionAnswer, type DecideOptions, type PipelineDeps } from './pipeline/decide-application.js';
export { DecisionWriter, type WriteItem } from './pipeline/decision-writer.js';
export * from './pipeline/decision-types.js';
export { parseApplicationRequest, applicationRequestSchema, type ApplicationRequest } from './intake/application-request.js';
export { openDecisionService, migrateAllDecisionTables, ALL_DECISION_MIGRATIONS, BOOTSTRAP_MODEL_PATH, type DecisionService, type DecisionServiceConfig } from './service/open-decision-service.js';
export { submitApplication, applicationStatus, type IntakeRequest, type IntakeResponse, type ApplicationStatusView } from './service/application-intake.js';
export { adminHandlers, type AdminHandlers } from './service/admin-handlers.js';
export { buildOpenApi } from './http/openapi.js';
export { canonicalJson, canonicalDigest } from './canonical-json.js';
export { createDecisionApp, createDecisionHttpHandler } from './http/create-decision-app.js';
export { MAX_BODY } from './http/applications-route.js';
export { type ErrorBody } from './http/error-middleware.js';
export { type Principal } from './http/require-role.js';
export {
  startDecisionServer,
  ensureAdminKeyFile,
  type DecisionServer,
  type DecisionServerConfig,
} from './decision-server.js';
export { runDecisionCli, parseDbFlag, DECISION_USAGE, type CliIo } from './cli.js';
