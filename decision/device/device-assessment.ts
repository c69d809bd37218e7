import { hash } from 'node:crypto';
import type { DeviceAssessment, DeviceInput } from '../pipeline/decision-types.js';

/**
 * Device stage (MISSION requirement 1): a stable device ID derived from the fingerprint the app reports, and the
 * risk signals of the device (emulator, root, hook, proxy, VPN, scripted behaviour). The ID must stay the same for
 * one device across applications so that every applicant who used it can be linked (linkage stage) and so that a
 * blacklisted device is recognised again; hence only attributes that do not change between sessions enter it.
 */

/** Prefix of every device ID, so an ID is recognisable in logs, lists and the review queue. */
export const DEVICE_ID_PREFIX = 'dev_';

/** `dev_` followed by 32 lower-case hex characters (the first 128 bits of a SHA-256). */
export const DEVICE_ID_PATTERN = /^dev_[0-9a-f]{32}$/;

/**
 * Filling the whole application form in less than this many seconds is not humanly plausible (the documents cite
 * "time to fill the form" as a behaviour signal): scripts and fraud farms that replay data are this fast.
 */
export const BOT_MAX_FORM_FILL_SECONDS = 8;

/**
 * This many paste events or more in one form means the applicant typed almost nothing: the data was copied from a
 * list, typical of identity-farm and scripted applications.
 */
export const BOT_MIN_PASTE_EVENTS = 5;

/** Substrings that appear in the model, build or hardware strings of Android/iOS emulators and virtual machines. */
const EMULATOR_SUBSTRINGS = [
  'sdk_gphone',
  'google_sdk',
  'android sdk built for',
  'goldfish',
  'ranchu',
  'vbox',
  'virtualbox',
  'genymotion',
  'bluestacks',
  'ldplayer',
  'mumu',
  'ttvm',
] as const;

/**
 * Words matched only as whole tokens (delimited by anything but a letter or digit, so `generic_x86` and
 * `generic/sdk` match while `nonGeneric` or `noxious` do not).
 */
const EMULATOR_WORDS = ['generic', 'emulator', 'simulator', 'nox', 'memu', 'qemu', 'andy'] as const;

const EMULATOR_WORD_PATTERN = new RegExp(`(?<![a-z0-9])(?:${EMULATOR_WORDS.join('|')})(?![a-z0-9])`);

/**
 * Case-insensitive patterns of emulator fingerprints, exported so the rules and tests can document what is caught.
 * Emulators are the tool of choice for mass fraud (one machine, thousands of "phones"); the app's own `emulator`
 * signal can be spoofed, the build strings rarely are.
 */
export const EMULATOR_PATTERNS: readonly string[] = [...EMULATOR_SUBSTRINGS, ...EMULATOR_WORDS];

/** Lower-case, trimmed, inner whitespace collapsed: `" Pixel  7 "` and `"pixel 7"` are the same attribute. */
export function normaliseAttribute(value: string | number | boolean): string {
  return String(value).trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The stable ID of a device: SHA-256 over the canonical fingerprint (model, os and every `attributes` entry; keys
 * and values normalised by {@link normaliseAttribute}, keys sorted), first 32 hex characters, prefixed `dev_`.
 * The IP address and the behaviour signals are excluded because they change from one session to the next, and the
 * app-reported risk signals because they describe the session, not the hardware. Attribute order and letter case
 * do not matter. The canonical form is a JSON array, so no choice of separator characters can make two different
 * fingerprints collide.
 */
export function deviceIdFrom(device: DeviceInput): string {
  const attributes = Object.entries(device.attributes ?? {})
    .map(([k, v]) => [normaliseAttribute(k), normaliseAttribute(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([
    'fedrisk-device-v1',
    normaliseAttribute(device.model),
    normaliseAttribute(device.os),
    attributes,
  ]);
  return DEVICE_ID_PREFIX + hash('sha256', canonical, 'hex').slice(0, 32);
}

/**
 * The first emulator pattern found in the device's model, OS or attribute values, or null. Exported so a reviewer
 * can be told why the device was flagged.
 */
export function emulatorEvidence(device: DeviceInput): string | null {
  const texts = [device.model, device.os, ...Object.values(device.attributes ?? {}).filter((v) => typeof v === 'string')];
  for (const raw of texts) {
    const text = normaliseAttribute(raw);
    for (const s of EMULATOR_SUBSTRINGS) if (text.includes(s)) return s;
    const word = EMULATOR_WORD_PATTERN.exec(text);
    if (word) return word[0];
  }
  return null;
}

/** True if the behaviour looks scripted: form filled in under {@link BOT_MAX_FORM_FILL_SECONDS} or many pastes. */
export function looksBotLike(device: DeviceInput): boolean {
  const b = device.behaviour;
  if (!b) return false;
  const fastFill = b.formFillSeconds !== undefined && b.formFillSeconds < BOT_MAX_FORM_FILL_SECONDS;
  const manyPastes = b.pasteEvents !== undefined && b.pasteEvents >= BOT_MIN_PASTE_EVENTS;
  return fastFill || manyPastes;
}

/**
 * The device stage's verdict: the signals the app reported (absent = false) combined with the server-side
 * heuristics, which can only add suspicion, never clear a signal the app raised. Pure and O(attributes), so it
 * costs microseconds on the hot path.
 */
export function assessDevice(device: DeviceInput, deviceId: string): DeviceAssessment {
  const s = device.signals ?? {};
  // Keys in sorted order: the assessment is part of the decision's input digest (canonical JSON's fast path).
  return {
    botLike: looksBotLike(device),
    deviceId,
    emulator: s.emulator === true || emulatorEvidence(device) !== null,
    hook: s.hook === true,
    proxy: s.proxy === true,
    root: s.root === true,
    vpn: s.vpn === true,
  };
}
