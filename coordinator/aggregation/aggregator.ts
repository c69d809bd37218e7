/**
 * The aggregation strategy: how a round's updates become its aggregate. The coordinator only ever adds; it has no
 * strategy that decrypts, because it holds no key (see ckks-sum-aggregator.ts). Averaging (dividing by the encrypted
 * row count) happens on the nodes, after they decrypt.
 */
export interface Aggregator {
  /** Wire encoding this strategy accepts: `ckks` or `plain-f64`. */
  readonly encoding: string;
  /** Parts (ciphertexts) a vector of this many values travels in. */
  partsFor(vectorLength: number): number;
  /** Upper bound of one update's bytes for a vector of this many values: larger submissions are refused. */
  maxUpdateBytes(vectorLength: number): number;
  /** Refuses an update that could not be summed (corrupt or foreign ciphertext) before it is stored. */
  validate(parts: Uint8Array[]): void;
  /** Element-wise sum of the updates (each a list of parts). */
  sum(updates: Uint8Array[][]): Uint8Array[];
}
