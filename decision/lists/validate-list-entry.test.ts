import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FedriskError } from '../../common/errors.js';
import { validateListEntryInput } from './validate-list-entry.js';

const NOW = Date.parse('2026-11-22T10:00:00.000Z');
const ok = { list: 'black', kind: 'phone', value: ' 13800138000 ', reason: ' fraud ring ' };

function fieldOf(body: unknown): string | undefined {
  try {
    validateListEntryInput(body, NOW);
  } catch (e) {
    assert.ok(e instanceof FedriskError, String(e));
    assert.equal(e.code, 'INVALID_ARGUMENT');
    return e.details.field;
  }
  assert.fail(`expected a validation error for ${JSON.stringify(body)}`);
}

describe('validateListEntryInput', () => {
  it('accepts a valid body, trimming value and reason and normalising the expiry to UTC', () => {
    assert.deepEqual(validateListEntryInput({ ...ok, expiresAt: '2027-01-31T08:00:00+08:00' }, NOW), {
      list: 'black',
      kind: 'phone',
      value: '13800138000',
      reason: 'fraud ring',
      expiresAt: '2027-01-31T00:00:00.000Z',
    });
    assert.equal(validateListEntryInput(ok, NOW).expiresAt, null);
    assert.equal(validateListEntryInput({ ...ok, expiresAt: null }, NOW).expiresAt, null);
    const dev = 'dev_0123456789abcdef0123456789abcdef';
    assert.equal(validateListEntryInput({ ...ok, kind: 'deviceId', value: dev }, NOW).value, dev);
  });

  it('names the offending field', () => {
    const cases: [unknown, string][] = [
      ['x', 'body'],
      [null, 'body'],
      [{ ...ok, token: 'x' }, 'token'],
      [{ ...ok, list: 'grey' }, 'list'],
      [{ ...ok, list: undefined }, 'list'],
      [{ ...ok, kind: 'ip' }, 'kind'],
      [{ ...ok, value: 13800138000 }, 'value'],
      [{ ...ok, value: '   ' }, 'value'],
      [{ ...ok, value: 'x'.repeat(129) }, 'value'],
      [{ ...ok, kind: 'deviceId', value: 'DEV_0123' }, 'value'],
      [{ ...ok, reason: '' }, 'reason'],
      [{ ...ok, reason: 'x'.repeat(201) }, 'reason'],
      [{ ...ok, reason: 5 }, 'reason'],
      [{ ...ok, expiresAt: '2027-01-31' }, 'expiresAt'],
      [{ ...ok, expiresAt: '2027-01-31T00:00:00' }, 'expiresAt'],
      [{ ...ok, expiresAt: '2027-02-30T00:00:00Z' }, 'expiresAt'],
      [{ ...ok, expiresAt: '2026-11-22T10:00:00Z' }, 'expiresAt'],
      [{ ...ok, expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [{ ...ok, expiresAt: 1798761600000 }, 'expiresAt'],
    ];
    for (const [body, field] of cases) assert.equal(fieldOf(body), field, JSON.stringify(body));
  });
});
