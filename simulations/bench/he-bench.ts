/**
 * Measures the CKKS path at the consortium's parameters: encrypt + serialize per 4096-value vector, a 10-way sum,
 * bytes per ciphertext and their ratio to float32, and the error of the sum. Public-key uncompressed encryption is
 * measured in the same run as the reference, so DESIGN.md's size table is checked against figures from this machine
 * and this node-seal build rather than quoted.
 *
 *   node --import tsx simulations/bench/he-bench.ts [--repeats 40] [--summands 10]
 */
import { parseArgs } from 'node:util';
import { createCkksContext } from '../../common/he/ckks-context.js';
import { sealHandleOf } from '../../common/he/ckks-internal.js';
import { CkksCipher, generateSecretKey } from '../../common/he/ckks-keys.js';
import { DEFAULT_CKKS_PARAMS, maxCiphertextBytes } from '../../common/he/ckks-params.js';
import { createRng, deriveSeed } from '../../common/random.js';

const { values } = parseArgs({
  options: { repeats: { type: 'string', default: '40' }, summands: { type: 'string', default: '10' } },
});
const repeats = Math.max(1, Number(values.repeats));
const summands = Math.max(2, Number(values.summands));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

const params = DEFAULT_CKKS_PARAMS;
const t0 = performance.now();
const ctx = await createCkksContext(params);
const contextMs = performance.now() - t0;
const slots = ctx.slots;
const float32Bytes = 4 * slots;
const secretKey = generateSecretKey(ctx);
const cipher = new CkksCipher(ctx, secretKey);
const rng = createRng(deriveSeed(20240601, 'he-bench'));
const vectors = Array.from({ length: summands }, () => Float64Array.from({ length: slots }, () => (rng() * 2 - 1) * 50));

// Warm-up: first calls pay for wasm tier-up.
ctx.sum(vectors.slice(0, 2).map((v) => cipher.encryptVector(v)));

const encMs: number[] = [];
let ctBytes = 0;
for (let r = 0; r < repeats; r++) {
  const { ms, value } = time(() => cipher.encryptVector(vectors[r % summands]!));
  encMs.push(ms);
  ctBytes = value[0]!.byteLength;
}

const updates = vectors.map((v) => cipher.encryptVector(v));
const sumMs: number[] = [];
let sum: Uint8Array[] = [];
for (let r = 0; r < Math.max(3, Math.floor(repeats / 4)); r++) {
  const { ms, value } = time(() => ctx.sum(updates));
  sumMs.push(ms);
  sum = value;
}
const decMsAll: number[] = [];
let decoded: Float64Array = new Float64Array(0);
for (let r = 0; r < 5; r++) {
  const { ms, value } = time(() => cipher.decryptVector(sum, slots));
  decMsAll.push(ms);
  decoded = value;
}
const decMs = median(decMsAll);
let maxErr = 0;
for (let i = 0; i < slots; i++) {
  const expected = vectors.reduce((a, v) => a + v[i]!, 0);
  maxErr = Math.max(maxErr, Math.abs(decoded[i]! - expected));
}

// Reference: public-key encryption, uncompressed, with the same encoder and context.
const h = sealHandleOf(ctx);
const sk = h.seal.SecretKey();
sk.loadArray(h.context, secretKey);
const keygen = h.seal.KeyGenerator(h.context, sk);
const pk = keygen.createPublicKey();
const pkEncryptor = h.seal.Encryptor(h.context, pk);
const encoder = h.seal.CKKSEncoder(h.context);
const plain = h.seal.PlainText();
const pkMs: number[] = [];
let pkBytes = 0;
for (let r = 0; r < repeats; r++) {
  const { ms, value } = time(() => {
    encoder.encode(vectors[r % summands]!, 2 ** params.scaleBits, plain);
    const ct = h.seal.CipherText();
    pkEncryptor.encrypt(plain, ct);
    const bytes = ct.saveArray(h.seal.ComprModeType.none);
    ct.delete();
    return bytes;
  });
  pkMs.push(ms);
  pkBytes = value.byteLength;
}
for (const obj of [plain, encoder, pkEncryptor, pk, keygen, sk]) obj.delete();

// DESIGN.md's first two rows use a deeper chain [60, 40, 40, 60]: measure it too, same vector, both encodings.
const deepParams = { polyModulusDegree: 8192, coeffModulusBits: [60, 40, 40, 60], scaleBits: 40 };
const deep = await createCkksContext(deepParams);
const deepCipher = new CkksCipher(deep, generateSecretKey(deep));
const deepSym = time(() => deepCipher.encryptVector(vectors[0]!));
const deepSymBytes = deepCipher.encryptVector(vectors[0]!)[0]!;
const dh = sealHandleOf(deep);
const dkg = dh.seal.KeyGenerator(dh.context);
const dpk = dkg.createPublicKey();
const denc = dh.seal.Encryptor(dh.context, dpk);
const dencoder = dh.seal.CKKSEncoder(dh.context);
const dplain = dencoder.encode(vectors[0]!, 2 ** deepParams.scaleBits);
const dct = dplain ? denc.encrypt(dplain) : undefined;
const deepPkBytes = dct ? dct.saveArray(dh.seal.ComprModeType.none).byteLength : 0;
for (const obj of [dct, dplain, dencoder, denc, dpk, dkg]) obj?.delete();
deepCipher.dispose();
deep.dispose();
const deepMode = deepSymBytes[5] === 2 ? 'zstd' : deepSymBytes[5] === 1 ? 'zlib' : 'none';

const kb = (b: number): string => `${(b / 1000).toFixed(1)} KB`;
const rows: Array<[string, string]> = [
  ['parameters', `N=${params.polyModulusDegree}, q=[${params.coeffModulusBits.join(', ')}], scale 2^${params.scaleBits}, ${slots} slots`],
  ['context creation', `${contextMs.toFixed(1)} ms`],
  ['encrypt + serialize (symmetric, seeded, zstd)', `${median(encMs).toFixed(2)} ms per ${slots}-vector (median of ${repeats})`],
  ['bytes per ciphertext', `${ctBytes} (${kb(ctBytes)}), ${(ctBytes / float32Bytes).toFixed(2)}x float32 (${float32Bytes} B)`],
  [`sum of ${summands}`, `${median(sumMs).toFixed(2)} ms (${(median(sumMs) / summands).toFixed(2)} ms per update, validation included)`],
  ['sum output (not seeded)', `${sum[0]!.byteLength} bytes, ${(sum[0]!.byteLength / float32Bytes).toFixed(2)}x float32; bound ${maxCiphertextBytes(params)}`],
  ['decrypt + decode (sum, 1 ciphertext)', `${decMs.toFixed(2)} ms`],
  [`max abs error of the ${summands}-way sum`, `${maxErr.toExponential(2)} (values in [-50, 50])`],
  ['reference: public-key encrypt, no compression', `${median(pkMs).toFixed(2)} ms, ${pkBytes} bytes (${kb(pkBytes)}), ${(pkBytes / float32Bytes).toFixed(2)}x float32`],
  ['seeded zstd vs reference', `${(ctBytes / pkBytes).toFixed(3)} of the bytes`],
  ['q=[60,40,40,60]: public-key, no compression', `${deepPkBytes} bytes, ${(deepPkBytes / float32Bytes).toFixed(2)}x float32`],
  [`q=[60,40,40,60]: symmetric, seeded, ${deepMode}`, `${deepSymBytes.byteLength} bytes, ${(deepSymBytes.byteLength / float32Bytes).toFixed(2)}x float32, ${deepSym.ms.toFixed(1)} ms`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log('CKKS benchmark (node-seal 6.0.3)');
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

cipher.dispose();
ctx.dispose();
