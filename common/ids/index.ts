/** Identifiers made by the product (not keys: those come from common/crypto). */
export { timeOrderedUuid } from './time-ordered-uuid.js';
