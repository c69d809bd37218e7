import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FedriskError } from '../errors.js';
import { createCkksContext, type CkksContext } from './ckks-context.js';
import { CkksCipher, generateSecretKey, keyFingerprint } from './ckks-keys.js';
import { DEFAULT_CKKS_PARAMS, headroom, maxCiphertextBytes } from './ckks-params.js';

function isCode(code: string, pattern?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof FedriskError, `expected a FedriskError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

/** Deterministic test vector: magnitude ~50, distinct per seed. */
function vector(length: number, seed: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => 50 * Math.sin(0.37 * i + 1.3 * seed) + (seed % 3) - 1);
}

describe('CKKS context and cipher (default parameters)', () => {
  let ctx: CkksContext;
  let cipher: CkksCipher;
  let secretKey: Uint8Array;

  before(async () => {
    ctx = await createCkksContext();
    secretKey = generateSecretKey(ctx);
    cipher = new CkksCipher(ctx, secretKey);
  });
  after(() => {
    cipher.dispose();
    ctx.dispose();
  });

  it('exposes slots, params and a stable parameter fingerprint', async () => {
    assert.equal(ctx.slots, 4096);
    assert.deepEqual(ctx.params, DEFAULT_CKKS_PARAMS);
    assert.match(ctx.parmsFingerprint, /^ckks-n8192-q60\.60-s40-[0-9a-f]{16}$/);
    const again = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 40 });
    assert.equal(again.parmsFingerprint, ctx.parmsFingerprint);
    again.dispose();
  });

  it('round-trips vectors of length 1, 4096, 4097 and 10000 in 1, 1, 2 and 3 ciphertexts', () => {
    for (const [length, count] of [
      [1, 1],
      [4096, 1],
      [4097, 2],
      [10000, 3],
    ] as const) {
      const v = vector(length, length);
      const cts = cipher.encryptVector(v);
      assert.equal(cts.length, count, `length ${length}`);
      const back = cipher.decryptVector(cts, length);
      assert.equal(back.length, length);
      let maxErr = 0;
      for (let i = 0; i < length; i++) maxErr = Math.max(maxErr, Math.abs(back[i]! - v[i]!));
      assert.ok(maxErr < 1e-6, `length ${length}: max error ${maxErr}`);
    }
  });

  it('sums 10 encrypted vectors to the plaintext sum within 1e-6', () => {
    const length = 5000;
    const vectors = Array.from({ length: 10 }, (_, s) => vector(length, s));
    const sum = ctx.sum(vectors.map((v) => cipher.encryptVector(v)));
    assert.equal(sum.length, 2);
    const back = cipher.decryptVector(sum, length);
    let maxErr = 0;
    for (let i = 0; i < length; i++) {
      const expected = vectors.reduce((a, v) => a + v[i]!, 0);
      maxErr = Math.max(maxErr, Math.abs(back[i]! - expected));
    }
    assert.ok(maxErr < 1e-6, `max error ${maxErr}`);
  });

  it('refuses a value beyond the headroom instead of wrapping it', () => {
    const bound = headroom(ctx.params) / 1024;
    assert.equal(cipher.maxAbsValue, bound);
    const v = vector(10, 1);
    v[7] = bound * 1.01;
    assert.throws(() => cipher.encryptVector(v), isCode('OUT_OF_RANGE', /value 7/));
    v[7] = -headroom(ctx.params);
    assert.throws(() => cipher.encryptVector(v), isCode('OUT_OF_RANGE', /value 7/));
    v[7] = Number.NaN;
    assert.throws(() => cipher.encryptVector(v), isCode('OUT_OF_RANGE', /value 7 \(NaN\)/));
    v[7] = bound; // the bound itself is allowed
    assert.equal(cipher.encryptVector(v).length, 1);
  });

  it('lets a node trade summands for range, and the context refuse sums beyond its limit', async () => {
    const wide = new CkksCipher(ctx, secretKey, { maxSummands: 4 });
    const big = Float64Array.from([headroom(ctx.params) / 4 - 1, -1000]);
    const back = wide.decryptVector(wide.encryptVector(big), 2);
    assert.ok(Math.abs(back[0]! - big[0]!) < 1e-3 && Math.abs(back[1]! - big[1]!) < 1e-3);
    wide.dispose();
    const small = await createCkksContext(DEFAULT_CKKS_PARAMS, { maxSummands: 2 });
    const one = cipher.encryptVector([1]);
    assert.throws(() => small.sum([one, one, one]), isCode('OUT_OF_RANGE'));
    small.dispose();
  });

  it('refuses a corrupted ciphertext in sum(), naming the update and ciphertext', () => {
    const updates = [0, 1, 2].map((s) => cipher.encryptVector(vector(5000, s)));
    const corrupt = (mutate: (b: Uint8Array) => Uint8Array): Uint8Array[][] => {
      const copy = updates.map((u) => u.slice());
      copy[2]![1] = mutate(copy[2]![1]!.slice());
      return copy;
    };
    const cases: Array<[string, (b: Uint8Array) => Uint8Array]> = [
      ['truncated', (b) => b.subarray(0, 1000)],
      ['garbage', (b) => b.map((_, i) => (i * 31 + 7) & 0xff)],
      ['size field', (b) => ((b[8] = b[8]! ^ 0x40), b)],
      // header 16 + zstd frame header 7 + raw block header 3, then the body: coefficient 100's top byte.
      ['top byte of a coefficient', (b) => ((b[26 + 97 + 8 * 100 + 7] = 0xff), b)],
      ['empty', () => new Uint8Array(0)],
    ];
    for (const [name, mutate] of cases) {
      assert.throws(
        () => ctx.sum(corrupt(mutate)),
        (err: unknown) => {
          isCode('INVALID_ARGUMENT', /update 2, ciphertext 1/)(err);
          assert.equal((err as FedriskError).details.update, 2, name);
          assert.equal((err as FedriskError).details.ciphertext, 1, name);
          return true;
        },
        name,
      );
    }
    // The context is still healthy afterwards.
    assert.equal(ctx.sum(updates).length, 2);
  });

  it('refuses updates with different ciphertext counts', () => {
    const a = cipher.encryptVector(vector(10, 1));
    const b = cipher.encryptVector(vector(5000, 2));
    assert.throws(() => ctx.sum([a, b]), isCode('INVALID_ARGUMENT', /update 1 holds 2 ciphertexts/));
    assert.throws(() => ctx.sum([]), isCode('INVALID_ARGUMENT'));
  });

  it('refuses ciphertexts made under other parameters', async () => {
    const others = [
      { polyModulusDegree: 8192, coeffModulusBits: [50, 60], scaleBits: 30 },
      { polyModulusDegree: 4096, coeffModulusBits: [54, 55], scaleBits: 40 },
      { polyModulusDegree: 8192, coeffModulusBits: [60, 60], scaleBits: 38 },
    ];
    const mine = cipher.encryptVector(vector(100, 3));
    for (const params of others) {
      const other = await createCkksContext(params);
      assert.notEqual(other.parmsFingerprint, ctx.parmsFingerprint);
      const otherCipher = new CkksCipher(other, generateSecretKey(other));
      const foreign = otherCipher.encryptVector(vector(100, 4).map((x) => x / 10));
      assert.throws(() => ctx.sum([mine, foreign]), isCode('INVALID_ARGUMENT', /update 1, ciphertext 0: .*(other CKKS parameters|scale)/));
      assert.throws(() => other.sum([foreign, mine]), isCode('INVALID_ARGUMENT', /update 1, ciphertext 0/));
      assert.throws(() => cipher.decryptVector(foreign, 100), isCode('INVALID_ARGUMENT', /ciphertext 0/));
      // A secret key of another ring or primes is refused too (the scale is not part of a key).
      if (params.scaleBits !== 38) assert.throws(() => new CkksCipher(ctx, generateSecretKey(other)), isCode('INVALID_ARGUMENT', /other CKKS parameters|bytes/));
      otherCipher.dispose();
      other.dispose();
    }
  });

  it('accepts ciphertexts that are views into a larger buffer, as split wire payloads are', () => {
    const [ct] = cipher.encryptVector([1, 2, 3]);
    const wire = new Uint8Array(ct!.byteLength + 100).fill(0xee);
    wire.set(ct!, 37);
    const view = wire.subarray(37, 37 + ct!.byteLength);
    const back = cipher.decryptVector(ctx.sum([[view], [Buffer.from(ct!)]]), 3);
    assert.ok(Math.abs(back[2]! - 6) < 1e-6);
  });

  it('decryptVector refuses a wrong ciphertext count', () => {
    const cts = cipher.encryptVector(vector(5000, 5));
    assert.throws(() => cipher.decryptVector(cts, 4096), isCode('INVALID_ARGUMENT', /need 1 ciphertexts, got 2/));
    assert.throws(() => cipher.decryptVector(cts.slice(0, 1), 5000), isCode('INVALID_ARGUMENT'));
  });

  it('a 4096-value update serializes to <= 4.5x its float32 size per ciphertext', () => {
    const [ct] = cipher.encryptVector(vector(4096, 6));
    const float32 = 4 * 4096;
    console.log(`seeded zstd ciphertext: ${ct!.byteLength} bytes = ${(ct!.byteLength / float32).toFixed(2)}x float32 of 4096 slots`);
    assert.ok(ct!.byteLength <= 4.5 * float32, `${ct!.byteLength} bytes`);
    assert.equal(ct![5], 2, 'zstd compression mode in the SEAL header');
    const [sum] = ctx.sum([[ct!], [ct!]]);
    console.log(`sum (not seeded): ${sum!.byteLength} bytes; bound ${maxCiphertextBytes(ctx.params)}`);
    assert.ok(sum!.byteLength <= maxCiphertextBytes(ctx.params));
  });

  it('fingerprints secret keys stably', () => {
    assert.match(keyFingerprint(secretKey), /^[0-9a-f]{32}$/);
    assert.equal(keyFingerprint(secretKey), keyFingerprint(secretKey.slice()));
    assert.notEqual(keyFingerprint(secretKey), keyFingerprint(generateSecretKey(ctx)));
  });

  it('a second member holding the same key decrypts; a different key does not recover the values', () => {
    const v = vector(300, 8);
    const cts = cipher.encryptVector(v);
    const peer = new CkksCipher(ctx, secretKey.slice());
    assert.ok(Math.abs(peer.decryptVector(cts, 300)[5]! - v[5]!) < 1e-6);
    peer.dispose();
    const stranger = new CkksCipher(ctx, generateSecretKey(ctx));
    const wrong = stranger.decryptVector(cts, 300);
    assert.ok(Math.abs(wrong[5]! - v[5]!) > 1, 'another key must not decrypt');
    stranger.dispose();
  });

  it('disposed objects refuse further use', async () => {
    const c2 = await createCkksContext();
    const k2 = new CkksCipher(c2, generateSecretKey(c2));
    k2.dispose();
    assert.throws(() => k2.encryptVector([1]), isCode('FAILED_PRECONDITION'));
    c2.dispose();
    assert.throws(() => c2.sum([[new Uint8Array(1)]]), isCode('FAILED_PRECONDITION'));
  });
});

describe('CKKS module boundary', () => {
  const read = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');
  const importsOf = (text: string): string[] => [...text.matchAll(/^\s*(?:import|export)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);

  it('ckks-context.ts does not import ckks-keys', () => {
    const text = read('./ckks-context.ts');
    assert.ok(importsOf(text).length > 0, 'import parser found the imports');
    assert.ok(!importsOf(text).some((s) => s.includes('ckks-keys')), 'ckks-context imports ckks-keys');
    assert.doesNotMatch(text, /ckks-keys/);
  });

  it('nothing the coordinator-facing context reaches generates, loads or uses a secret key', () => {
    const seen = new Set<string>();
    const queue = ['./ckks-context.ts'];
    while (queue.length > 0) {
      const file = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = read(file);
      assert.doesNotMatch(text, /\b(KeyGenerator|Encryptor|Decryptor|SecretKey|secretKey)\b/, `${file} mentions a secret-key operation`);
      for (const spec of importsOf(text)) {
        if (spec.startsWith('./')) queue.push(spec.replace(/\.js$/, '.ts'));
        else assert.ok(spec.startsWith('node:') || spec.startsWith('../errors') || spec.startsWith('node-seal'), `${file} imports ${spec}`);
      }
    }
    assert.ok(!seen.has('./ckks-keys.ts'));
    assert.ok(seen.has('./ciphertext-codec.ts'));
  });
});
