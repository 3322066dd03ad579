// AUROC per label, bootstrap confidence intervals and the macro mean over labels.
//
// AUROC is computed exactly as the Mann–Whitney statistic: the probability that a random
// positive scores above a random negative, with ties counted as one half. An entry's weight
// (how often a bootstrap resample drew it) multiplies its pairs, so every resample reuses the
// one sort of the full data and costs O(n).
import { EvalError } from './errors.js';
import { resolveLabels, type LabelPolicy, type LabelValue } from './labels.js';
import { createStream, type Stream } from './random.js';

/** The reason an AUROC is undefined. */
export type UndefinedReason = 'no-positives' | 'no-negatives' | 'no-entries';

export interface AurocValue {
  /** The AUROC, or null when only one class (or nothing) remains after the label policy. */
  value: number | null;
  reason?: UndefinedReason;
  positives: number;
  negatives: number;
  /** Entries left out by the label policy (uncertain, blank or masked). */
  excluded: number;
}

export interface BootstrapOptions {
  /** Number of resamples. Default 1000. */
  resamples?: number;
  /** PRNG seed; the same seed gives the same interval on every machine. Default 0. */
  seed?: number;
  /** Two-sided confidence level of the percentile interval. Default 0.95. */
  confidence?: number;
  /**
   * 'stratified' (default, as in pROC's `ci.auc`) resamples positives and negatives separately,
   * keeping both class counts, so no resample is degenerate. 'plain' resamples all entries
   * together and skips (and counts) resamples that hold one class only.
   */
  strategy?: 'stratified' | 'plain';
}

export interface ConfidenceInterval {
  lower: number;
  upper: number;
  confidence: number;
  strategy: 'stratified' | 'plain' | 'joint';
  seed: number;
  /** Resamples drawn. */
  resamples: number;
  /** Resamples skipped because they held one class only; the interval uses the others. */
  skipped: number;
}

/** Scores and 0/1 targets sorted once by score, with tie groups, for repeated weighted AUROC. */
interface RankedEntries {
  /** Entry indices (into the full arrays) in ascending score order. */
  order: Int32Array;
  /** Start offset in `order` of each tie group, plus a final `order.length`. */
  groupStarts: Int32Array;
  targets: Int8Array;
}

export const defaultBootstrap: Required<BootstrapOptions> = { resamples: 1000, seed: 0, confidence: 0.95, strategy: 'stratified' };

/** Computes the AUROC of `scores` against `labels` after applying the label policy. */
export function auroc(scores: ArrayLike<number | null>, labels: readonly LabelValue[], policy: LabelPolicy = {}, where = 'labels'): AurocValue {
  const resolved = resolveLabels(labels, policy, where);
  checkScores(scores, resolved.targets, where);
  const base = { positives: resolved.positives, negatives: resolved.negatives, excluded: resolved.excluded };
  const reason = undefinedReason(resolved.positives, resolved.negatives);
  if (reason !== undefined) return { value: null, reason, ...base };
  const ranked = rankEntries(scores, resolved.targets);
  return { value: weightedAuroc(ranked, null), ...base };
}

/**
 * Computes a percentile bootstrap interval of one label's AUROC; null when the AUROC itself is undefined.
 * `key` names the PRNG stream, so intervals of different labels are independent and stable.
 */
export function bootstrapAuroc(
  scores: ArrayLike<number | null>,
  labels: readonly LabelValue[],
  options: BootstrapOptions = {},
  policy: LabelPolicy = {},
  key = '',
): ConfidenceInterval | null {
  const full = checkBootstrapOptions(options);
  const resolved = resolveLabels(labels, policy, key === '' ? 'labels' : `labels.${key}`);
  checkScores(scores, resolved.targets, key === '' ? 'scores' : `scores.${key}`);
  if (undefinedReason(resolved.positives, resolved.negatives) !== undefined) return null;
  const ranked = rankEntries(scores, resolved.targets);
  const positives: number[] = [];
  const negatives: number[] = [];
  resolved.targets.forEach((target, index) => {
    if (target === 1) positives.push(index);
    else if (target === 0) negatives.push(index);
  });
  const stream = createStream(full.seed, key);
  const weights = new Float64Array(resolved.targets.length);
  const values: number[] = [];
  let skipped = 0;
  for (let r = 0; r < full.resamples; r++) {
    weights.fill(0);
    if (full.strategy === 'stratified') {
      drawInto(weights, positives, positives.length, stream);
      drawInto(weights, negatives, negatives.length, stream);
    } else {
      const all = positives.concat(negatives);
      drawInto(weights, all, all.length, stream);
    }
    const value = weightedAuroc(ranked, weights);
    if (value === null) skipped++;
    else values.push(value);
  }
  return intervalFrom(values, full, full.strategy, skipped);
}

/** Adds one to `weights[i]` for each of `count` draws with replacement from `pool`. */
function drawInto(weights: Float64Array, pool: readonly number[], count: number, stream: Stream): void {
  for (let k = 0; k < count; k++) {
    const index = pool[stream.below(pool.length)] as number;
    weights[index] = (weights[index] as number) + 1;
  }
}

/** Computes the percentile interval of `values` (linear interpolation between order statistics, R's type 7). */
export function intervalFrom(
  values: number[],
  options: Required<BootstrapOptions>,
  strategy: ConfidenceInterval['strategy'],
  skipped: number,
): ConfidenceInterval | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const alpha = (1 - options.confidence) / 2;
  return {
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    confidence: options.confidence,
    strategy,
    seed: options.seed,
    resamples: options.resamples,
    skipped,
  };
}

/** Returns the `p` quantile of ascending `sorted` values by linear interpolation (type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const position = (sorted.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const fraction = position - low;
  return (sorted[low] as number) + fraction * ((sorted[high] as number) - (sorted[low] as number));
}

/** Sorts the included entries by score and marks tie groups. */
export function rankEntries(scores: ArrayLike<number | null>, targets: Int8Array): RankedEntries {
  const included: number[] = [];
  targets.forEach((target, index) => {
    if (target !== -1) included.push(index);
  });
  included.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const order = Int32Array.from(included);
  const starts: number[] = [];
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || scores[order[k] as number] !== scores[order[k - 1] as number]) starts.push(k);
  }
  starts.push(order.length);
  return { order, groupStarts: Int32Array.from(starts), targets };
}

/**
 * Computes Σ w_i w_j ([s_i > s_j] + ½ [s_i = s_j]) over positive i and negative j, divided by the
 * weight products; `weights` null means every entry counts once. Null when a class has no weight.
 */
export function weightedAuroc(ranked: RankedEntries, weights: Float64Array | null): number | null {
  const { order, groupStarts, targets } = ranked;
  let negativesBelow = 0;
  let numerator = 0;
  let positiveTotal = 0;
  for (let g = 0; g + 1 < groupStarts.length; g++) {
    let groupPositive = 0;
    let groupNegative = 0;
    for (let k = groupStarts[g] as number; k < (groupStarts[g + 1] as number); k++) {
      const index = order[k] as number;
      const weight = weights === null ? 1 : (weights[index] as number);
      if (targets[index] === 1) groupPositive += weight;
      else groupNegative += weight;
    }
    numerator += groupPositive * (negativesBelow + 0.5 * groupNegative);
    negativesBelow += groupNegative;
    positiveTotal += groupPositive;
  }
  if (positiveTotal === 0 || negativesBelow === 0) return null;
  return numerator / (positiveTotal * negativesBelow);
}

export function undefinedReason(positives: number, negatives: number): UndefinedReason | undefined {
  if (positives === 0 && negatives === 0) return 'no-entries';
  if (positives === 0) return 'no-positives';
  if (negatives === 0) return 'no-negatives';
  return undefined;
}

/** Explains an undefined AUROC in a sentence fragment, for tables and warnings. */
export function describeUndefined(reason: UndefinedReason, value: Pick<AurocValue, 'positives' | 'negatives' | 'excluded'>): string {
  switch (reason) {
    case 'no-entries':
      return `no entries remain after the label policy (${value.excluded} excluded)`;
    case 'no-positives':
      return `only negatives are present (0 positives, ${value.negatives} negatives)`;
    case 'no-negatives':
      return `only positives are present (${value.positives} positives, 0 negatives)`;
  }
}

export function checkScores(scores: ArrayLike<number | null>, targets: Int8Array, where: string): void {
  if (scores.length !== targets.length) {
    throw new EvalError({
      code: 'TIER7001',
      location: where,
      message: `There are ${scores.length} scores but ${targets.length} labels; each image needs one score and one label.`,
    });
  }
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === -1) continue;
    const score = scores[i];
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw new EvalError({ code: 'TIER7005', location: `${where}[${i}]`, message: `Score ${String(score)} is not a finite number.` });
    }
  }
}

export function checkBootstrapOptions(options: BootstrapOptions): Required<BootstrapOptions> {
  const full = { ...defaultBootstrap, ...options };
  const problems: string[] = [];
  if (!Number.isInteger(full.resamples) || full.resamples < 1) problems.push(`resamples must be a positive integer, not ${full.resamples}`);
  if (!(full.confidence > 0 && full.confidence < 1)) problems.push(`confidence must lie strictly between 0 and 1, not ${full.confidence}`);
  if (!Number.isFinite(full.seed)) problems.push(`seed must be a finite number, not ${full.seed}`);
  if (full.strategy !== 'stratified' && full.strategy !== 'plain') problems.push(`strategy must be 'stratified' or 'plain', not '${String(full.strategy)}'`);
  if (problems.length > 0) {
    throw new EvalError({ code: 'TIER7006', message: `The bootstrap options are invalid: ${problems.join('; ')}.` });
  }
  return full;
}
