import type { CkksContext } from '../../common/he/ckks-context.js';
import { maxCiphertextBytes } from '../../common/he/ckks-params.js';
import { FedriskError } from '../../common/errors.js';
import type { Aggregator } from './aggregator.js';

/**
 * Blind aggregation: adds CKKS ciphertexts under the public parameters only. This module (and the whole
 * coordinator) imports the public side of common/he and nothing that generates, loads or uses a secret key; a
 * test walks the coordinator's imports to keep it that way.
 */
export class CkksSumAggregator implements Aggregator {
  readonly encoding = 'ckks';
  constructor(private readonly ctx: CkksContext) {}

  partsFor(vectorLength: number): number {
    return Math.max(1, Math.ceil(vectorLength / this.ctx.slots));
  }
  maxUpdateBytes(vectorLength: number): number {
    return this.partsFor(vectorLength) * maxCiphertextBytes(this.ctx.params);
  }
  validate(parts: Uint8Array[]): void {
    if (parts.length === 0) throw new FedriskError('INVALID_ARGUMENT', 'update holds no ciphertext');
    // Checks layout, parameters and every coefficient before the bytes are stored or handed to SEAL.
    this.ctx.validateUpdate(parts);
  }
  sum(updates: Uint8Array[][]): Uint8Array[] {
    return this.ctx.sum(updates);
  }
}
