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

  it('agrees with the WHATWG URL parser on 3,000 random IPv6 spellings (compressed, zero-padded, upper case, dotted tail)', () => {
    // Reference: the URL parser's RFC 5952 serialisation of the address and of its /64 (IPv4-mapped ones unwrapped).
    const reference = (ip: string): string => {
      const host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
      if (mapped) {
        const hi = parseInt(mapped[1]!, 16);
        const lo = parseInt(mapped[2]!, 16);
        return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
      }
      const [head = '', tail] = host.split('::');
      const part = (p: string): number[] => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
      const l = part(head);
      const r = tail === undefined ? [] : part(tail);
      const g = tail === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
      const net = [...g.slice(0, 4), 0, 0, 0, 0].map((x) => x.toString(16)).join(':');
      return `${new URL(`http://[${net}]/`).hostname.slice(1, -1)}/64`;
    };
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 3000; n++) {
      const groups = Array.from({ length: 8 }, () => (rnd() < 0.4 ? 0 : Math.floor(rnd() * 0x10000)));
      if (rnd() < 0.1) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
      let text = groups.map((g) => (rnd() < 0.3 ? g.toString(16).padStart(4, '0') : g.toString(16))).join(':');
      if (rnd() < 0.5) text = text.toUpperCase();
      if (rnd() < 0.5) {
        // Compress one run of zero groups, as a client might.
        const parts = text.split(':');
        const at = parts.findIndex((p) => /^0+$/.test(p));
        if (at >= 0) {
          let end = at;
          while (end < 8 && /^0+$/.test(parts[end]!)) end++;
          text = `${parts.slice(0, at).join(':')}::${parts.slice(end).join(':')}`;
        }
      }
      if (rnd() < 0.1 && !text.includes('::')) {
        const p = text.split(':');
        const hi = parseInt(p[6]!, 16);
        const lo = parseInt(p[7]!, 16);
        text = `${p.slice(0, 6).join(':')}:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
      }
      assert.equal(normaliseIp(text), reference(text), text);
    }
  });

  it('refuses non-addresses with the field', () => {
    assert.equal(fieldOf(() => normaliseIp('1.2.3')), 'device.ip');
    assert.equal(fieldOf(() => normaliseIp('zz::1', 'ip')), 'ip');
  });
});
