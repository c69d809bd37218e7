import { isIP } from 'node:net';
import { isPlainObject, describeValue as describe, ownValue as own } from '../../common/json-values.js';
import { invalid } from '../../common/errors.js';
import type { BehaviourInput, DeviceInput, DeviceSignalsInput } from '../pipeline/decision-types.js';
import { normaliseAttribute } from './device-assessment.js';

/**
 * Holds the `device` part of an application to its shape before anything is derived from it. Strict on purpose:
 * the device ID is a hash of these fields, so a typo'd key or a number sent as text must be refused at the door
 * rather than silently yield a different device; and every error names the exact field (`device.ip`,
 * `device.attributes.screen`) so the app developer sees what to fix.
 */

/** Longest model / OS text accepted. */
export const MAX_DEVICE_TEXT = 128;
/** Most fingerprint attributes accepted: enough for any real fingerprint, bounded work on the hot path. */
export const MAX_DEVICE_ATTRIBUTES = 32;
/** Longest attribute key and string value accepted. */
export const MAX_ATTRIBUTE_KEY = 64;
export const MAX_ATTRIBUTE_VALUE = 256;

const DEVICE_KEYS = ['model', 'os', 'ip', 'attributes', 'signals', 'behaviour'] as const;
const SIGNAL_KEYS = ['emulator', 'root', 'hook', 'proxy', 'vpn'] as const satisfies readonly (keyof DeviceSignalsInput)[];
const BEHAVIOUR_KEYS = ['formFillSeconds', 'pasteEvents', 'screenSwitches'] as const satisfies readonly (keyof BehaviourInput)[];




function refuseUnknown(obj: Record<string, unknown>, known: readonly string[], field: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw invalid(`${field}.${key}`, `is not a known field (known: ${known.join(', ')})`);
  }
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw invalid(field, `must be a string, got ${describe(v)}`);
  if (v.trim() === '') throw invalid(field, 'must not be empty');
  if (v.length > MAX_DEVICE_TEXT) throw invalid(field, `must be at most ${MAX_DEVICE_TEXT} characters`);
  return v;
}

function attributes(v: unknown, field: string): Record<string, string | number | boolean> {
  if (!isPlainObject(v)) throw invalid(field, `must be an object, got ${describe(v)}`);
  const entries = Object.entries(v);
  if (entries.length > MAX_DEVICE_ATTRIBUTES) throw invalid(field, `must have at most ${MAX_DEVICE_ATTRIBUTES} entries`);
  const out: Record<string, string | number | boolean> = {};
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    const f = `${field}.${key}`;
    if (key.trim() === '' || key.length > MAX_ATTRIBUTE_KEY) throw invalid(f, `key must be 1..${MAX_ATTRIBUTE_KEY} characters`);
    const norm = normaliseAttribute(key);
    const clash = seen.get(norm);
    // `Screen` and `screen` would hash as one attribute with two values: ambiguous, so refused.
    if (clash !== undefined) throw invalid(f, `is the same attribute as ${field}.${clash} (keys ignore case and spaces)`);
    seen.set(norm, key);
    if (typeof value === 'string') {
      if (value.length > MAX_ATTRIBUTE_VALUE) throw invalid(f, `must be at most ${MAX_ATTRIBUTE_VALUE} characters`);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalid(f, `must be a finite number, got ${describe(value)}`);
    } else if (typeof value !== 'boolean') {
      throw invalid(f, `must be a string, number or boolean, got ${describe(value)}`);
    }
    out[key] = value;
  }
  return out;
}

function signals(v: unknown, field: string): DeviceSignalsInput {
  if (!isPlainObject(v)) throw invalid(field, `must be an object, got ${describe(v)}`);
  refuseUnknown(v, SIGNAL_KEYS, field);
  const out: DeviceSignalsInput = {};
  for (const key of SIGNAL_KEYS) {
    const value = own(v, key);
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw invalid(`${field}.${key}`, `must be a boolean, got ${describe(value)}`);
    out[key] = value;
  }
  return out;
}

function behaviour(v: unknown, field: string): BehaviourInput {
  if (!isPlainObject(v)) throw invalid(field, `must be an object, got ${describe(v)}`);
  refuseUnknown(v, BEHAVIOUR_KEYS, field);
  const out: BehaviourInput = {};
  for (const key of BEHAVIOUR_KEYS) {
    const value = own(v, key);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(`${field}.${key}`, `must be a non-negative finite number, got ${describe(value)}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Validates parsed JSON as a {@link DeviceInput} and returns a fresh object holding only the accepted fields. Rules:
 * `model` and `os` non-empty strings of at most 128 characters; `ip` an IPv4 or IPv6 address (zone ID allowed);
 * `attributes` at most 32 entries whose values are strings (<= 256), finite numbers or booleans, keys unique
 * ignoring case and spaces; `signals` booleans; `behaviour` non-negative finite numbers; unknown fields refused
 * at every level. The first violation throws INVALID_ARGUMENT with `details.field` under `field`.
 */
export function validateDevice(input: unknown, field = 'device'): DeviceInput {
  if (!isPlainObject(input)) throw invalid(field, `must be an object, got ${describe(input)}`);
  refuseUnknown(input, DEVICE_KEYS, field);
  const model = text(own(input, 'model'), `${field}.model`);
  const os = text(own(input, 'os'), `${field}.os`);
  const ip = own(input, 'ip');
  if (typeof ip !== 'string') throw invalid(`${field}.ip`, `must be a string, got ${describe(ip)}`);
  const bare = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  if (ip.length > 64 || isIP(bare) === 0) throw invalid(`${field}.ip`, `must be an IPv4 or IPv6 address, got ${describe(ip)}`);
  const out: DeviceInput = { model, os, ip };
  const attrs = own(input, 'attributes');
  if (attrs !== undefined) out.attributes = attributes(attrs, `${field}.attributes`);
  const sig = own(input, 'signals');
  if (sig !== undefined) out.signals = signals(sig, `${field}.signals`);
  const beh = own(input, 'behaviour');
  if (beh !== undefined) out.behaviour = behaviour(beh, `${field}.behaviour`);
  return out;
}
