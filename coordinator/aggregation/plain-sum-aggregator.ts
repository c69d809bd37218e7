import { FedriskError } from '../../common/errors.js';
import { bytesToFloat64, float64ToBytes } from '../../common/payload.js';
import { sumVectors } from '../../common/fedavg.js';
import type { Aggregator } from './aggregator.js';

/**
 * Sums float64 vectors in the clear. Exists only for the explicit `--plaintext` comparison run (same protocol,
 * no HE), which the coordinator logs loudly; a consortium job is always encrypted.
 */
export class PlainSumAggregator implements Aggregator {
  readonly encoding = 'plain-f64';
  partsFor(): number {
    return 1;
  }
  maxUpdateBytes(vectorLength: number): number {
    return vectorLength * 8;
  }
  validate(parts: Uint8Array[]): void {
    if (parts.length !== 1) throw new FedriskError('INVALID_ARGUMENT', `plaintext update must be one part, got ${parts.length}`);
    const v = bytesToFloat64(parts[0]!);
    if (v.some((x) => !Number.isFinite(x))) throw new FedriskError('INVALID_ARGUMENT', 'plaintext update holds a non-finite value');
  }
  sum(updates: Uint8Array[][]): Uint8Array[] {
    return [float64ToBytes(sumVectors(updates.map((u) => bytesToFloat64(u[0]!))))];
  }
}
