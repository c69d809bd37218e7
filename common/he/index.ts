/**
 * CKKS for fedrisk. Public side (coordinator and nodes): parameters and {@link createCkksContext}, whose context only
 * adds ciphertexts. Secret side (nodes only): {@link generateSecretKey} and {@link CkksCipher}. The coordinator
 * imports ckks-context.ts / ckks-params.ts directly, never this index, so it cannot pull the secret side in.
 */
export {
  DEFAULT_CKKS_PARAMS,
  DEFAULT_MAX_SUMMANDS,
  MAX_COEFF_MODULUS_BITS_128,
  ciphertextCount,
  dataModulusBits,
  fullCiphertextBytes,
  headroom,
  maxAbsValue,
  maxCiphertextBytes,
  slotCount,
  validateCkksParams,
  type CkksParams,
} from './ckks-params.js';
export { createCkksContext, type CkksContext, type CkksContextOptions } from './ckks-context.js';
export { CkksCipher, generateSecretKey, keyFingerprint, type CkksCipherOptions } from './ckks-keys.js';
