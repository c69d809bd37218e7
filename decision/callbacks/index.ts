/**
 * Async-mode callbacks: HMAC-signed POSTs of the decision to the lender's URL, retried with backoff, kept in a
 * durable outbox so a restart resumes pending deliveries; plus the verifier lender apps use on their side.
 */
export { CALLBACKS_MIGRATIONS } from './callbacks-migrations.js';
export {
  signCallback,
  verifyCallbackSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DELIVERY_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_S,
  type CallbackVerification,
} from './callback-signature.js';
export { validateCallbackUrl, MAX_CALLBACK_URL_LENGTH } from './callback-url.js';
export {
  createCallbackStore,
  callbackDeliveryRow,
  callbackDeliveryFromRow,
  writeCallbackDeliveries,
  CALLBACK_DELIVERIES_TABLE,
  CALLBACK_STATUSES,
  type CallbackStore,
  type CallbackDelivery,
  type CallbackDeliveryRow,
  type CallbackPayload,
  type CallbackStatus,
  type CallbackAttemptUpdate,
} from './callback-store.js';
export { CallbackDispatcher, type CallbackDispatcherOptions, type CallbackFetch } from './callback-dispatcher.js';
