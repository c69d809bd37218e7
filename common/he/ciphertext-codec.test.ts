import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { FedriskError } from '../errors.js';
import { createCkksContext, type CkksContext } from './ckks-context.js';
import { sealHandleOf } from './ckks-internal.js';
import { CkksCipher, generateSecretKey } from './ckks-keys.js';
import { readZstdFrames } from './zstd-frames.js';

function vector(length: number, seed: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => 40 * Math.cos(0.11 * i + seed));
}

function maxErr(a: Float64Array, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Tiny deterministic generator for fuzz positions. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('ciphertext validation before SEAL', () => {
  let ctx: CkksContext;
  let cipher: CkksCipher;

  before(async () => {
    ctx = await createCkksContext();
    cipher = new CkksCipher(ctx, generateSecretKey(ctx));
  });
  after(() => {
    cipher.dispose();
    ctx.dispose();
  });

  it('survives byte flips anywhere in seeded, full and uncompressed ciphertexts', () => {
    const seeded = cipher.encryptVector(vector(4096, 1))[0]!;
    const full = ctx.sum([[seeded]])[0]!;
    const plain = sealHandleOf(ctx).codec.canonicalize(seeded);
    assert.equal(plain[5], 0, 'canonical form is uncompressed');
    const rnd = lcg(7);
    let refused = 0;
    let accepted = 0;
    for (const ct of [seeded, full, plain]) {
      const positions = new Set<number>();
      for (let p = 0; p < 160; p++) positions.add(p);
      for (let p = ct.byteLength - 100; p < ct.byteLength; p++) positions.add(p);
      for (let r = 0; r < 150; r++) positions.add(Math.floor(rnd() * ct.byteLength));
      for (const pos of positions) {
        for (const mask of [0x01, 0x5a, 0x80]) {
          const x = ct.slice();
          x[pos] = x[pos]! ^ mask;
          try {
            ctx.validateUpdate([x]);
            accepted++;
          } catch (err) {
            assert.ok(err instanceof FedriskError, `flip at ${pos}: ${String(err)}`);
            assert.equal(err.code, 'INVALID_ARGUMENT');
            assert.match(err.message, /^ciphertext 0: /);
            refused++;
          }
        }
      }
    }
    console.log(`byte flips: ${refused} refused, ${accepted} accepted as another valid ciphertext`);
    assert.ok(refused > 500, `refused ${refused}`);
    assert.ok(accepted > 0, 'flips in coefficients or the seed give another valid ciphertext');
    // The runtime is intact: a real sum still decrypts right.
    const v = vector(4096, 2);
    const back = cipher.decryptVector(ctx.sum([cipher.encryptVector(v), cipher.encryptVector(v)]), 4096);
    assert.ok(maxErr(back, v.map((x) => 2 * x)) < 1e-6);
  });

  it('refuses truncations and extensions of every length class', () => {
    const ct = cipher.encryptVector(vector(100, 3))[0]!;
    for (const len of [0, 1, 15, 16, 17, 22, 25, 26, 100, 122, 123, ct.byteLength - 82, ct.byteLength - 1]) {
      assert.throws(() => ctx.validateUpdate([ct.subarray(0, len)]), (e: unknown) => e instanceof FedriskError && e.code === 'INVALID_ARGUMENT', `length ${len}`);
    }
    const longer = new Uint8Array(ct.byteLength + 10);
    longer.set(ct);
    assert.throws(() => ctx.validateUpdate([longer]), /declares/);
  });

  it('refuses a sum whose result would be transparent (ct + (-ct))', () => {
    const h = sealHandleOf(ctx);
    const ct = cipher.encryptVector(vector(10, 4))[0]!;
    const loaded = h.loadCiphertext(ct, 'ct', {});
    const evaluator = h.seal.Evaluator(h.context);
    const neg = evaluator.negate(loaded);
    assert.ok(neg);
    const negBytes = h.codec.serialize(neg);
    neg.delete();
    loaded.delete();
    evaluator.delete();
    assert.throws(() => ctx.sum([[ct], [negBytes]]), /update 1, ciphertext 0: cannot be added/);
  });

  it('decodes zstd raw and RLE blocks, refusing dictionaries, reserved bits and size lies', () => {
    const frame = (fhd: number, fcs: number[], blocks: number[][], tail: number[] = []): Uint8Array =>
      Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, fhd, ...fcs, ...blocks.flat(), ...tail]);
    const block = (last: boolean, type: number, size: number, payload: number[]): number[] => {
      const h = (size << 3) | (type << 1) | (last ? 1 : 0);
      return [h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, ...payload];
    };
    const twoBlocks = frame(0x20, [7], [block(false, 0, 3, [1, 2, 3]), block(true, 1, 4, [9])]);
    const read = readZstdFrames(twoBlocks, 100);
    assert.equal(read.kind, 'bytes');
    assert.deepEqual(read.kind === 'bytes' ? [...read.bytes] : [], [1, 2, 3, 9, 9, 9, 9]);
    // Two concatenated frames, the second with a window descriptor and a checksum.
    const second = frame(0x04, [0x00], [block(true, 0, 2, [5, 6])], [0, 0, 0, 0]);
    const both = readZstdFrames(Uint8Array.from([...twoBlocks, ...second]), 100);
    assert.deepEqual(both.kind === 'bytes' ? [...both.bytes] : [], [1, 2, 3, 9, 9, 9, 9, 5, 6]);
    assert.equal(readZstdFrames(frame(0x20, [3], [block(true, 2, 3, [1, 2, 3])]), 100).kind, 'compressed');
    assert.throws(() => readZstdFrames(frame(0x21, [0, 3], [block(true, 0, 3, [1, 2, 3])]), 100), /dictionary/);
    assert.throws(() => readZstdFrames(frame(0x28, [3], [block(true, 0, 3, [1, 2, 3])]), 100), /reserved/);
    assert.throws(() => readZstdFrames(frame(0x20, [4], [block(true, 0, 3, [1, 2, 3])]), 100), /content size/);
    assert.throws(() => readZstdFrames(frame(0x20, [3], [block(true, 3, 3, [1, 2, 3])]), 100), /reserved type/);
    assert.throws(() => readZstdFrames(frame(0x20, [7], [block(true, 1, 7, [1])]), 5), /declares more|larger/);
    assert.throws(() => readZstdFrames(frame(0x20, [3], [block(true, 0, 3, [1, 2])]), 100), /cut short/);
  });

  it('refuses a zlib stream that inflates past a ciphertext', () => {
    const ct = cipher.encryptVector(vector(10, 5))[0]!;
    const body = sealHandleOf(ctx).codec.canonicalize(ct).subarray(16);
    const bomb = deflateSync(new Uint8Array(body.byteLength * 4));
    const framed = new Uint8Array(16 + bomb.byteLength);
    framed.set(ct.subarray(0, 16));
    framed[5] = 1; // zlib
    new DataView(framed.buffer).setUint32(8, framed.byteLength, true);
    framed.set(bomb, 16);
    assert.throws(() => ctx.validateUpdate([framed]), /zlib stream is corrupt or larger/);
    // The same body, honestly zlib-compressed, is accepted.
    const honest = deflateSync(body);
    const ok = new Uint8Array(16 + honest.byteLength);
    ok.set(framed.subarray(0, 16));
    new DataView(ok.buffer).setUint32(8, ok.byteLength, true);
    ok.set(honest, 16);
    ctx.validateUpdate([ok]);
  });
});

describe('parameters where zstd compresses', () => {
  it('falls back to zlib on the wire and refuses entropy-coded zstd it cannot check', async () => {
    const ctx = await createCkksContext({ polyModulusDegree: 8192, coeffModulusBits: [50, 50], scaleBits: 30 });
    const cipher = new CkksCipher(ctx, generateSecretKey(ctx));
    const v = vector(5000, 6);
    const cts = cipher.encryptVector(v);
    assert.equal(cts[0]![5], 1, 'zlib compression mode');
    assert.ok(cts[0]!.byteLength < 62000, `${cts[0]!.byteLength} bytes: compressed`);
    const sum = ctx.sum([cts, cipher.encryptVector(v)]);
    assert.ok(maxErr(cipher.decryptVector(sum, 5000), v.map((x) => 2 * x)) < 1e-5);
    const h = sealHandleOf(ctx);
    const loaded = h.loadCiphertext(cts[0]!, 'ct', {});
    const zstd = loaded.saveArray(h.seal.ComprModeType.zstd);
    loaded.delete();
    assert.throws(() => ctx.sum([[zstd, cts[1]!]]), /update 0, ciphertext 0: zstd frame holds entropy-coded blocks/);
    cipher.dispose();
    ctx.dispose();
  });
});

describe('a poisoned runtime', () => {
  it('is refused afterwards, and a new context gets a fresh runtime', async () => {
    const ctx = await createCkksContext();
    const cipher = new CkksCipher(ctx, generateSecretKey(ctx));
    const oldSeal = sealHandleOf(ctx).seal;
    const one = cipher.encryptVector([1]);
    const trap = new Error('unreachable');
    trap.name = 'RuntimeError';
    sealHandleOf(ctx).noteSealError(trap);
    const unavailable = (e: unknown): boolean => e instanceof FedriskError && e.code === 'UNAVAILABLE';
    assert.throws(() => ctx.sum([one]), unavailable);
    assert.throws(() => cipher.encryptVector([1]), unavailable);
    const fresh = await createCkksContext();
    const freshCipher = new CkksCipher(fresh, generateSecretKey(fresh));
    const back = freshCipher.decryptVector(fresh.sum([freshCipher.encryptVector([1.5])]), 1);
    assert.ok(Math.abs(back[0]! - 1.5) < 1e-6);
    assert.notEqual(sealHandleOf(fresh).seal, oldSeal);
    freshCipher.dispose();
    fresh.dispose();
  });
});
