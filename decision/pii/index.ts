/**
 * PII protection of the decision service (MISSION 13, DESIGN threat model 5-6): identifier normalisation and
 * validation, the institution's keyring, tokens and encryption (PiiVault), the applicants table with erasure,
 * retention and in-place key rotation, and its migrations for the decision store's list.
 */
export {
  normaliseIdNumber,
  normalisePhone,
  normaliseBankCard,
  normaliseName,
  normaliseApplicant,
  idNumberCheckChar,
  luhnValid,
  ID_NUMBER_FIELD,
  PHONE_FIELD,
  BANK_CARD_FIELD,
  NAME_FIELD,
  type NormalisedApplicant,
} from './identifier-rules.js';
export {
  loadOrCreateKeyring,
  loadKeyring,
  rotateKeyring,
  retireKey,
  checkKeyring,
  PII_KEYRING_FORMAT,
  type PiiKeyring,
  type PiiKeyEntry,
  type CreateKeyringOptions,
} from './pii-keyring.js';
export { PiiVault, piiAad, piiRecordAad, type PiiKind, type PiiBox, type PiiRecord } from './pii-vault.js';
export {
  applicantRow,
  writeApplicants,
  APPLICANT_MERGE_COLUMNS,
  touchApplicants,
  createApplicantStore,
  APPLICANTS_TABLE,
  type ApplicantStore,
  type ApplicantRow,
  type ApplicantView,
  type ApplicantPii,
  type ApplicantTokens,
  type PurgeOptions,
} from './applicant-store.js';
export { rotatePiiKey, type RotatePiiKeyOptions, type RotatePiiKeyResult } from './pii-key-rotation.js';
export { PII_MIGRATIONS } from './pii-migrations.js';
