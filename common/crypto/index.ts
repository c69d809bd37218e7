/**
 * Symmetric and public-key primitives around key custody: sealing the HE secret key to members, key material at
 * rest, key fingerprints. Everything is node:crypto; nothing here touches HE.
 */
export { KEY_SEAL_VERSION, generateSealKeyPair, keySealAad, openSealed, sealTo, type SealKeyPair } from './key-seal.js';
export { AT_REST_KEY_BYTES, SECRET_BOX_VERSION, decryptAtRest, encryptAtRest, importAtRestKey, loadOrCreateKeyFile, type AtRestKey } from './secret-box.js';
export { keyFingerprint } from './key-fingerprint.js';
