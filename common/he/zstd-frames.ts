/**
 * Reads zstd frames made only of raw and RLE blocks, which is what zstd emits for incompressible input such as
 * ciphertexts under 60-bit primes (the default parameters). Node 20 has no zstd decoder, and letting SEAL inflate an
 * untrusted frame would parse whatever is inside before we could check it; decoding here means SEAL only ever sees
 * bytes we have validated. Frames holding compressed blocks are reported, not decoded (see ciphertext-codec.ts).
 */
import { malformed } from './seal-header.js';

const ZSTD_MAGIC = 0xfd2fb528;
const MAX_BLOCK_BYTES = 128 * 1024;

const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

/** `compressed`: a frame holds an entropy-coded block this reader does not decode. */
export type ZstdReadResult = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'compressed' };

/**
 * Decodes concatenated frames, refusing (as malformed) dictionaries, skippable frames, reserved bits, a content size
 * that does not match the blocks, and any output beyond `maxOutput` bytes.
 */
export function readZstdFrames(input: Uint8Array, maxOutput: number): ZstdReadResult {
  const out = new Uint8Array(maxOutput);
  let produced = 0;
  let pos = 0;
  const need = (n: number, what: string): void => {
    if (pos + n > input.byteLength) throw malformed(`zstd ${what} is cut short`);
  };
  if (input.byteLength === 0) throw malformed('zstd payload is empty');
  while (pos < input.byteLength) {
    need(5, 'frame header');
    const magic = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
    if (magic !== ZSTD_MAGIC) throw malformed('zstd frame has a bad magic number');
    pos += 4;
    const fhd = input[pos++]!;
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd >> 5) & 1;
    const reserved = (fhd >> 3) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictFlag = fhd & 3;
    if (reserved !== 0) throw malformed('zstd frame header sets a reserved bit');
    if (dictFlag !== 0) throw malformed('zstd frame names a dictionary');
    if (!singleSegment) {
      need(1, 'window descriptor');
      pos += 1;
    }
    const fcsBytes = fcsFlag === 0 ? singleSegment : fcsFlag === 1 ? 2 : fcsFlag === 2 ? 4 : 8;
    let contentSize = -1;
    if (fcsBytes > 0) {
      need(fcsBytes, 'content size');
      let v = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + input[pos + i]!;
      contentSize = fcsBytes === 2 ? v + 256 : v;
      pos += fcsBytes;
      if (contentSize > maxOutput - produced) throw malformed('zstd frame declares more content than a ciphertext holds');
    }
    const frameStart = produced;
    for (;;) {
      need(3, 'block header');
      const header = input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16);
      pos += 3;
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (size > MAX_BLOCK_BYTES) throw malformed('zstd block is larger than 128 KiB');
      if (type === BLOCK_COMPRESSED) return { kind: 'compressed' };
      if (type !== BLOCK_RAW && type !== BLOCK_RLE) throw malformed('zstd block has the reserved type');
      if (size > maxOutput - produced) throw malformed('zstd content is larger than a ciphertext');
      if (type === BLOCK_RAW) {
        need(size, 'raw block');
        out.set(input.subarray(pos, pos + size), produced);
        pos += size;
      } else {
        need(1, 'RLE block');
        out.fill(input[pos]!, produced, produced + size);
        pos += 1;
      }
      produced += size;
      if (last) break;
    }
    if (contentSize >= 0 && produced - frameStart !== contentSize) throw malformed('zstd frame content size does not match its blocks');
    if (checksum) {
      // The content is validated field by field afterwards, so the xxhash64 checksum adds nothing; skip it.
      need(4, 'checksum');
      pos += 4;
    }
  }
  return { kind: 'bytes', bytes: out.subarray(0, produced) };
}

/** True when every block of every frame is raw or RLE, i.e. {@link readZstdFrames} can decode it. */
export function zstdIsStoredOnly(input: Uint8Array, maxOutput: number): boolean {
  try {
    return readZstdFrames(input, maxOutput).kind === 'bytes';
  } catch {
    return false;
  }
}
