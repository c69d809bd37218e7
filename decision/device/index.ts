/** Device stage: stable device ID, emulator/root/hook/proxy and scripted-behaviour signals, input validation. */
export {
  BOT_MAX_FORM_FILL_SECONDS,
  BOT_MIN_PASTE_EVENTS,
  DEVICE_ID_PATTERN,
  DEVICE_ID_PREFIX,
  EMULATOR_PATTERNS,
  assessDevice,
  deviceIdFrom,
  emulatorEvidence,
  looksBotLike,
  normaliseAttribute,
} from './device-assessment.js';
export { IPV6_LINK_PREFIX, normaliseIp } from './normalise-ip.js';
export {
  MAX_ATTRIBUTE_KEY,
  MAX_ATTRIBUTE_VALUE,
  MAX_DEVICE_ATTRIBUTES,
  MAX_DEVICE_TEXT,
  validateDevice,
} from './validate-device.js';
