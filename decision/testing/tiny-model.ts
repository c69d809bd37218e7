import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_FORMAT, type LogisticModel } from '../../common/model/logistic-model.js';
import { SCHEMA_FORMAT, type FeatureSchema } from '../../common/schema/feature-schema.js';

/**
 * Test fixtures for the decision service: a hand-made model small enough to compute expectations by hand, and
 * throw-away directories for real SQLite files. Not part of the public surface.
 */

/** One numeric (`Income`) and one categorical (`Home`: own | rent) feature, both required. */
export const TINY_SCHEMA: FeatureSchema = {
  format: SCHEMA_FORMAT,
  name: 'tiny',
  version: 1,
  label: { column: 'Status', bad: 'bad', good: ['good'] },
  features: [
    { name: 'Income', kind: 'numeric', scale: 1000, missing: 'error' },
    { name: 'Home', kind: 'categorical', levels: ['own', 'rent'], missing: 'error' },
  ],
};

/**
 * Encoded row: [(Income - 100) / 50, Home=own, Home=rent]; weights [-1, 0, 1]; bias -ln 50. So
 * `{ Income: 100, Home: 'own' }` has log-odds -ln 50, i.e. pd = 1/51 and exactly 600 points on the default card;
 * `rent` adds 1 to the log-odds and each 50 of income below 100 adds 1 more.
 */
export function tinyModel(version = 'tiny-v1', overrides: Partial<LogisticModel> = {}): LogisticModel {
  return {
    format: MODEL_FORMAT,
    kind: 'logistic',
    version,
    schema: TINY_SCHEMA,
    standardisation: { mean: [100], std: [50] },
    weights: [-1, 0, 1],
    bias: -Math.log(50),
    createdAt: '2026-11-22T00:00:00.000Z',
    provenance: { job: 'test', round: 1 },
    ...overrides,
  };
}

/** Log-odds of the tiny model for an input, computed independently of the encoder. */
export function tinyLogOdds(income: number, home: 'own' | 'rent'): number {
  return -Math.log(50) - (income - 100) / 50 + (home === 'rent' ? 1 : 0);
}

/** A fresh temporary directory and its clean-up. */
export function tempDir(prefix = 'fedrisk-decision-'): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
