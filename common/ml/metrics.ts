import { invalid } from '../errors.js';

/** Checks the pair and returns the positive count; shared so both metrics refuse the same inputs. */
function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) {
    throw invalid('labels', `has ${labels.length} values, scores has ${scores.length}`);
  }
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]!)) throw invalid(`scores[${i}]`, 'is not a finite number');
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw invalid(`labels[${i}]`, 'must be 0 or 1');
    positives += y;
  }
  return positives;
}

/** Indices sorted by ascending score (stable, so equal scores keep input order; metrics treat ties as a group). */
function orderByScore(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[a]! - scores[b]! || a - b);
}

/**
 * Area under the ROC curve for "higher score = more likely bad" (label 1), computed from ranks (Mann-Whitney U) with
 * tied scores given their average rank, i.e. a tie counts one half. Nodes report it on their own hold-out after each
 * round; it is null when the hold-out holds only one class, because then no ranking exists to measure (a node with
 * an all-good slice must report "no figure", not 0.5). Throws FedriskError('INVALID_ARGUMENT') on length mismatch,
 * non-finite scores or labels other than 0/1.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const positives = checkInputs(scores, labels);
  const n = scores.length;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = orderByScore(scores);
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    let pos = 0;
    const s = scores[order[i]!]!;
    while (j < n && scores[order[j]!]! === s) {
      pos += labels[order[j]!]!;
      j++;
    }
    // Ranks i+1 .. j (1-based) share their average.
    rankSumPositives += pos * ((i + 1 + j) / 2);
    i = j;
  }
  const u = rankSumPositives - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}

/**
 * Kolmogorov-Smirnov statistic: the largest gap between the cumulative score distributions of bad (1) and good (0)
 * rows, the separation figure credit teams quote next to AUC. Thresholds fall only between distinct scores, so tied
 * scores move together. Null when only one class is present; same input checks as {@link auc}.
 */
export function ksStatistic(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const positives = checkInputs(scores, labels);
  const n = scores.length;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = orderByScore(scores);
  let cumPos = 0;
  let cumNeg = 0;
  let best = 0;
  let i = 0;
  while (i < n) {
    const s = scores[order[i]!]!;
    while (i < n && scores[order[i]!]! === s) {
      if (labels[order[i]!]! === 1) cumPos++;
      else cumNeg++;
      i++;
    }
    best = Math.max(best, Math.abs(cumPos / positives - cumNeg / negatives));
  }
  return best;
}
