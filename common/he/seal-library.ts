/**
 * Loads node-seal's wasm once per process and hands the same instance to every context: instantiating it costs
 * ~50 ms and ~20 MB. If a wasm trap ever escapes (a malformed input that slipped past validation), that instance's
 * memory can no longer be trusted, so it is dropped from the cache and the next context gets a fresh one.
 */
import SEAL from 'node-seal';
import type { SEALLibrary } from 'node-seal/implementation/seal';
import { FedriskError } from '../errors.js';

export type { SEALLibrary };
export type { Context as SealContext } from 'node-seal/implementation/context';
export type { CipherText as SealCipherText } from 'node-seal/implementation/cipher-text';

let cached: Promise<SEALLibrary> | null = null;
let loaded: SEALLibrary | null = null;
const poisoned = new WeakSet<SEALLibrary>();

/** The shared runtime; a failed load is not cached, so a later call retries. */
export function loadSealLibrary(): Promise<SEALLibrary> {
  cached ??= SEAL().then(
    (lib) => {
      loaded = lib;
      return lib;
    },
    (err: unknown) => {
      cached = null;
      throw new FedriskError('UNAVAILABLE', `cannot load the CKKS runtime (node-seal): ${String(err)}`, {}, { cause: err });
    },
  );
  return cached;
}

/** True for a trap or abort raised by the wasm module itself, as opposed to a C++ exception SEAL threw on purpose. */
export function isWasmTrap(err: unknown): boolean {
  return err instanceof Error && (err.name === 'RuntimeError' || err.constructor.name === 'RuntimeError');
}

/** Marks a library instance unusable and makes later loads instantiate a fresh one. */
export function poisonSealLibrary(lib: SEALLibrary): void {
  poisoned.add(lib);
  if (loaded === lib) {
    loaded = null;
    cached = null;
  }
}

/** Contexts built on a poisoned instance refuse work rather than compute on corrupted memory. */
export function isPoisoned(lib: SEALLibrary): boolean {
  return poisoned.has(lib);
}
