import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import { normaliseIp } from './normalise-ip.js';
import { MAX_DEVICE_ATTRIBUTES, validateDevice } from './validate-device.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FedriskError, String(e));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    return e.details.field;
  }
  assert.fail('expected a validation error');
}

const ok = { model: 'Pixel 7', os: 'Android 14', ip: '203.0.113.7' };

describe('validateDevice', () => {
  it('accepts a full device and returns only the accepted fields', () => {
    const input = {
      ...ok,
      attributes: { screen: '1080x2400', ram: 8, nfc: true },
      signals: { emulator: false, root: true },
      behaviour: { formFillSeconds: 42.5, pasteEvents: 0, screenSwitches: 3 },
    };
    assert.deepEqual(validateDevice(input), input);
    assert.deepEqual(validateDevice(ok), ok);
    assert.deepEqual(validateDevice({ ...ok, ip: 'fe80::1%wlan0' }).ip, 'fe80::1%wlan0');
  });

  it('names the offending field', () => {
    const cases: [unknown, string][] = [
      [null, 'device'],
      [[], 'device'],
      [{ ...ok, extra: 1 }, 'device.extra'],
      [{ os: 'x', ip: '1.2.3.4' }, 'device.model'],
      [{ ...ok, model: '   ' }, 'device.model'],
      [{ ...ok, model: 'x'.repeat(129) }, 'device.model'],
      [{ ...ok, os: 14 }, 'device.os'],
      [{ ...ok, ip: '999.1.1.1' }, 'device.ip'],
      [{ ...ok, ip: '01.2.3.4' }, 'device.ip'],
      [{ ...ok, ip: 'localhost' }, 'device.ip'],
      [{ ...ok, ip: 7 }, 'device.ip'],
      [{ ...ok, attributes: 'x' }, 'device.attributes'],
      [{ ...ok, attributes: { screen: { w: 1 } } }, 'device.attributes.screen'],
      [{ ...ok, attributes: { screen: null } }, 'device.attributes.screen'],
      [{ ...ok, attributes: { dpi: Number.NaN } }, 'device.attributes.dpi'],
      [{ ...ok, attributes: { screen: 'a', Screen: 'b' } }, 'device.attributes.Screen'],
      [{ ...ok, attributes: { '': 'a' } }, 'device.attributes.'],
      [{ ...ok, signals: { root: 'yes' } }, 'device.signals.root'],
      [{ ...ok, signals: { jailbreak: true } }, 'device.signals.jailbreak'],
      [{ ...ok, behaviour: { pasteEvents: -1 } }, 'device.behaviour.pasteEvents'],
      [{ ...ok, behaviour: { formFillSeconds: Infinity } }, 'device.behaviour.formFillSeconds'],
      [{ ...ok, behaviour: { formFillSeconds: '12' } }, 'device.behaviour.formFillSeconds'],
      [{ ...ok, behaviour: { typingSpeed: 1 } }, 'device.behaviour.typingSpeed'],
    ];
    for (const [input, field] of cases) assert.equal(fieldOf(() => validateDevice(input)), field, JSON.stringify(input));
  });

  it(`refuses more than ${MAX_DEVICE_ATTRIBUTES} attributes`, () => {
    const attributes = Object.fromEntries(Array.from({ length: MAX_DEVICE_ATTRIBUTES + 1 }, (_, i) => [`a${i}`, i]));
    assert.equal(fieldOf(() => validateDevice({ ...ok, attributes })), 'device.attributes');
    delete attributes[`a${MAX_DEVICE_ATTRIBUTES}`];
    assert.equal(Object.keys(validateDevice({ ...ok, attributes }).attributes ?? {}).length, MAX_DEVICE_ATTRIBUTES);
  });

  it('uses the given field prefix', () => {
    assert.equal(fieldOf(() => validateDevice({ ...ok, ip: 'x' }, 'body.device')), 'body.device.ip');
  });
});

describe('normaliseIp', () => {
  it('keeps IPv4 and unwraps IPv4-mapped IPv6', () => {
    assert.equal(normaliseIp('203.0.113.7'), '203.0.113.7');
    assert.equal(normaliseIp('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(normaliseIp('::FFFF:CB00:7107'), '203.0.113.7');
  });

  it('reduces IPv6 to its /64 in RFC 5952 form, whatever the spelling', () => {
    const expected = '2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2:0:0:0:9', '2001:db8:1:2::9%eth0']) {
      assert.equal(normaliseIp(ip), expected, ip);
    }
    assert.equal(normaliseIp('fe80::1'), 'fe80::/64');
    assert.equal(normaliseIp('2001:db8:0:0:1::1'), '2001:db8::/64');
    assert.notEqual(normaliseIp('2001:db8:1:3::1'), expected);
  });

  it('refuses non-addresses with the field', () => {
    assert.equal(fieldOf(() => normaliseIp('1.2.3')), 'device.ip');
    assert.equal(fieldOf(() => normaliseIp('zz::1', 'ip')), 'ip');
  });
});
