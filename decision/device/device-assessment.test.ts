import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceInput } from '../pipeline/decision-types.js';
import {
  BOT_MAX_FORM_FILL_SECONDS,
  BOT_MIN_PASTE_EVENTS,
  DEVICE_ID_PATTERN,
  assessDevice,
  deviceIdFrom,
  emulatorEvidence,
} from './device-assessment.js';

const base: DeviceInput = {
  model: 'Pixel 7',
  os: 'Android 14',
  ip: '203.0.113.7',
  attributes: { screen: '1080x2400', locale: 'zh-CN', androidId: 'a1b2c3d4e5f60718', ram: 8, nfc: true },
};

describe('deviceIdFrom', () => {
  it('is dev_ + 32 hex characters and deterministic', () => {
    const id = deviceIdFrom(base);
    assert.match(id, DEVICE_ID_PATTERN);
    assert.equal(deviceIdFrom({ ...base }), id);
  });

  it('ignores attribute order, letter case and surrounding or repeated spaces', () => {
    const shuffled: DeviceInput = {
      model: '  PIXEL   7 ',
      os: 'android 14',
      ip: base.ip,
      attributes: { NFC: true, RAM: '8', ' AndroidId ': 'A1B2C3D4E5F60718', Locale: 'ZH-cn', Screen: '1080X2400' },
    };
    assert.equal(deviceIdFrom(shuffled), deviceIdFrom(base));
  });

  it('ignores the IP address, behaviour and the app-reported signals (they change per session)', () => {
    const moved: DeviceInput = {
      ...base,
      ip: '2001:db8::42',
      behaviour: { formFillSeconds: 3, pasteEvents: 9 },
      signals: { vpn: true, proxy: true },
    };
    assert.equal(deviceIdFrom(moved), deviceIdFrom(base));
  });

  it('changes when a fingerprint attribute changes, is added or removed', () => {
    const id = deviceIdFrom(base);
    assert.notEqual(deviceIdFrom({ ...base, model: 'Pixel 8' }), id);
    assert.notEqual(deviceIdFrom({ ...base, os: 'Android 15' }), id);
    assert.notEqual(deviceIdFrom({ ...base, attributes: { ...base.attributes, screen: '1080x2401' } }), id);
    assert.notEqual(deviceIdFrom({ ...base, attributes: { ...base.attributes, carrier: 'x' } }), id);
    assert.notEqual(deviceIdFrom({ ...base, attributes: undefined }), id);
  });

  it('cannot be fooled by moving text between fields or keys', () => {
    const a = deviceIdFrom({ model: 'a b', os: 'c', ip: '1.1.1.1' });
    const b = deviceIdFrom({ model: 'a', os: 'b c', ip: '1.1.1.1' });
    assert.notEqual(a, b);
    const c = deviceIdFrom({ model: 'm', os: 'o', ip: '1.1.1.1', attributes: { 'x,y': 'z' } });
    const d = deviceIdFrom({ model: 'm', os: 'o', ip: '1.1.1.1', attributes: { x: 'y,z' } });
    assert.notEqual(c, d);
  });
});

describe('assessDevice', () => {
  it('a clean device with human behaviour raises nothing', () => {
    const id = deviceIdFrom(base);
    const a = assessDevice({ ...base, behaviour: { formFillSeconds: 95, pasteEvents: 1, screenSwitches: 2 } }, id);
    assert.deepEqual(a, { deviceId: id, emulator: false, root: false, hook: false, proxy: false, vpn: false, botLike: false });
  });

  it('passes the app-reported signals through', () => {
    const a = assessDevice({ ...base, signals: { root: true, hook: true, proxy: true, vpn: true, emulator: false } }, 'dev_x');
    assert.equal(a.root, true);
    assert.equal(a.hook, true);
    assert.equal(a.proxy, true);
    assert.equal(a.vpn, true);
    assert.equal(a.emulator, false);
    assert.equal(assessDevice({ ...base, signals: { emulator: true } }, 'dev_x').emulator, true);
  });

  it('detects emulators from model and attribute strings even when the app says otherwise', () => {
    const emulators: DeviceInput[] = [
      { model: 'sdk_gphone64_x86_64', os: 'Android 14', ip: '10.0.2.15' },
      { model: 'Android SDK built for x86', os: 'Android 9', ip: '10.0.2.15' },
      { model: 'generic_x86', os: 'Android 8', ip: '10.0.2.15' },
      { model: 'Generic', os: 'Android 8', ip: '10.0.2.15' },
      { model: 'SM-G955N', os: 'Android 7', ip: '1.2.3.4', attributes: { hardware: 'ranchu' } },
      { model: 'SM-G955N', os: 'Android 7', ip: '1.2.3.4', attributes: { hardware: 'goldfish' } },
      { model: 'Galaxy S9', os: 'Android 9', ip: '1.2.3.4', attributes: { product: 'vbox86p' } },
      { model: 'Custom Phone', os: 'Android 10', ip: '1.2.3.4', attributes: { manufacturer: 'Genymotion' } },
      { model: 'iPhone', os: 'iOS 17', ip: '1.2.3.4', attributes: { platform: 'iPhone Simulator' } },
      { model: 'SM-N976N', os: 'Android 9', ip: '1.2.3.4', attributes: { fingerprint: 'google/sdk_gphone/generic:11' } },
      { model: 'SM-G973N', os: 'Android 9', ip: '1.2.3.4', attributes: { board: 'NOX' } },
    ];
    for (const d of emulators) {
      assert.notEqual(emulatorEvidence(d), null, JSON.stringify(d));
      assert.equal(assessDevice({ ...d, signals: { emulator: false } }, 'dev_x').emulator, true, JSON.stringify(d));
    }
  });

  it('does not flag real devices whose strings merely contain a pattern word', () => {
    const real: DeviceInput[] = [
      base,
      { model: 'SM-S918B', os: 'Android 14', ip: '1.2.3.4', attributes: { brand: 'samsung', hardware: 'qcom' } },
      { model: 'iPhone15,2', os: 'iOS 17.4', ip: '1.2.3.4', attributes: { note: 'nongeneric', carrier: 'noxious telecom' } },
      { model: 'Redmi Note 12', os: 'Android 13', ip: '1.2.3.4', attributes: { candy: 'crush', ram: 8 } },
    ];
    for (const d of real) assert.equal(emulatorEvidence(d), null, JSON.stringify(d));
  });

  it(`flags bot-like behaviour: form under ${BOT_MAX_FORM_FILL_SECONDS} s or ${BOT_MIN_PASTE_EVENTS}+ pastes`, () => {
    const at = (behaviour: DeviceInput['behaviour']) => assessDevice({ ...base, behaviour }, 'dev_x').botLike;
    assert.equal(at({ formFillSeconds: BOT_MAX_FORM_FILL_SECONDS - 0.1 }), true);
    assert.equal(at({ formFillSeconds: BOT_MAX_FORM_FILL_SECONDS }), false);
    assert.equal(at({ pasteEvents: BOT_MIN_PASTE_EVENTS }), true);
    assert.equal(at({ pasteEvents: BOT_MIN_PASTE_EVENTS - 1 }), false);
    assert.equal(at({ screenSwitches: 50 }), false);
    assert.equal(at(undefined), false);
  });
});
