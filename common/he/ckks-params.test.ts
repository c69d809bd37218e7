import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FedriskError } from '../errors.js';
import {
  DEFAULT_CKKS_PARAMS,
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

function refuses(p: CkksParams, field: RegExp): void {
  assert.throws(
    () => validateCkksParams(p),
    (err: unknown) => err instanceof FedriskError && err.code === 'INVALID_ARGUMENT' && field.test(String(err.details.field)),
  );
}

describe('ckks-params', () => {
  it('derives slots, headroom and sizes of the default parameters', () => {
    validateCkksParams(DEFAULT_CKKS_PARAMS);
    assert.equal(slotCount(DEFAULT_CKKS_PARAMS), 4096);
    assert.equal(dataModulusBits(DEFAULT_CKKS_PARAMS), 60);
    assert.equal(headroom(DEFAULT_CKKS_PARAMS), 2 ** 19);
    assert.equal(maxAbsValue(DEFAULT_CKKS_PARAMS), 512);
    assert.equal(maxAbsValue(DEFAULT_CKKS_PARAMS, 8), 2 ** 16);
    assert.equal(fullCiphertextBytes(DEFAULT_CKKS_PARAMS), 131185); // what SEAL 4.1 writes, uncompressed
    assert.ok(maxCiphertextBytes(DEFAULT_CKKS_PARAMS) > 131200 && maxCiphertextBytes(DEFAULT_CKKS_PARAMS) < 140000);
  });

  it('headroom counts only the data primes', () => {
    const p = { polyModulusDegree: 16384, coeffModulusBits: [60, 40, 40, 60], scaleBits: 40 };
    validateCkksParams(p);
    assert.equal(headroom(p), 2 ** 99);
    assert.equal(fullCiphertextBytes(p), 113 + 2 * 16384 * 3 * 8);
  });

  it('counts ciphertexts per vector, one at least', () => {
    assert.deepEqual(
      [0, 1, 4096, 4097, 10000].map((n) => ciphertextCount(DEFAULT_CKKS_PARAMS, n)),
      [1, 1, 1, 2, 3],
    );
  });

  it('is frozen', () => {
    assert.throws(() => (DEFAULT_CKKS_PARAMS.coeffModulusBits as number[]).push(60));
    assert.throws(() => ((DEFAULT_CKKS_PARAMS as CkksParams).scaleBits = 20));
  });

  it('refuses unsupported rings, insecure moduli and scales without headroom', () => {
    refuses({ polyModulusDegree: 2048, coeffModulusBits: [27, 27], scaleBits: 20 }, /polyModulusDegree/);
    refuses({ polyModulusDegree: 8000, coeffModulusBits: [60, 60], scaleBits: 40 }, /polyModulusDegree/);
    refuses({ polyModulusDegree: 4096, coeffModulusBits: [60, 60], scaleBits: 40 }, /coeffModulusBits/); // 120 > 109
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60, 60, 60, 60], scaleBits: 40 }, /coeffModulusBits/); // 240 > 218
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60], scaleBits: 40 }, /coeffModulusBits/);
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60, 61], scaleBits: 40 }, /coeffModulusBits\[1\]/);
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60, 59.5], scaleBits: 40 }, /coeffModulusBits\[1\]/);
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [40, 60], scaleBits: 40 }, /scaleBits/);
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 59 }, /scaleBits/);
    refuses({ polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 10 }, /scaleBits/);
  });

  it('accepts the largest secure moduli of each ring', () => {
    validateCkksParams({ polyModulusDegree: 4096, coeffModulusBits: [54, 55], scaleBits: 40 });
    validateCkksParams({ polyModulusDegree: 8192, coeffModulusBits: [60, 40, 40, 60], scaleBits: 40 });
    validateCkksParams({ polyModulusDegree: 16384, coeffModulusBits: [60, 60, 60, 60, 60, 60, 58, 20], scaleBits: 40 });
  });
});
