import { describe, expect, it } from 'vitest';
import { errorCodeOf } from './helpers.js';
import { auroc, aurocTable, bootstrapAuroc, defaultLabelPolicy, resolveLabels } from '../../src/eval/index.js';

/** AUROC by counting every positive–negative pair, ties as one half. */
function pairwiseAuroc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((positive, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((negative, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
    });
  });
  return wins / pairs;
}


describe('auroc', () => {
  it('matches the worked example', () => {
    const result = auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(result.value).toBeCloseTo(0.75, 12);
    expect(result.positives).toBe(2);
    expect(result.negatives).toBe(2);
  });

  it('counts ties as one half', () => {
    expect(auroc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1]).value).toBeCloseTo(0.875, 12);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]).value).toBeCloseTo(0.5, 12);
  });

  it('equals the pairwise count on random data', () => {
    let state = 7;
    const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    // Scores rounded to one decimal, so there are many ties.
    const scores = Array.from({ length: 300 }, () => Math.round(next() * 10) / 10);
    const labels = scores.map((score) => (next() < 0.3 + 0.4 * score ? 1 : 0));
    expect(auroc(scores, labels).value).toBeCloseTo(pairwiseAuroc(scores, labels), 12);
  });

  it('is undefined with one class', () => {
    const onlyNegatives = auroc([0.1, 0.2, 0.3], [0, 0, 0]);
    expect(onlyNegatives.value).toBeNull();
    expect(onlyNegatives.reason).toBe('no-positives');
    expect(auroc([0.1, 0.2], [1, 1]).reason).toBe('no-negatives');
    expect(auroc([0.1, 0.2], [-1, null]).reason).toBe('no-positives');
    expect(auroc([0.1, 0.2], [-1, null], { blank: 'ignore' }).reason).toBe('no-entries');
  });

  it('excludes uncertain labels', () => {
    // Entry 2 (score 0.9, uncertain) would otherwise be a negative that beats every positive.
    const result = auroc([0.1, 0.6, 0.9, 0.7, 0.05], [0, 1, -1, 1, null]);
    expect(result.value).toBe(1);
    expect(result.excluded).toBe(1);
  });

  it('counts blank labels as negative by default', () => {
    // Entry 4 (score 0.8, blank) counts as a negative, so 2 of the 6 positive-negative pairs are ordered.
    const result = auroc([0.1, 0.6, 0.9, 0.7, 0.8], [0, 1, 0, 1, null]);
    expect(result.excluded).toBe(0);
    expect(result.value).toBeCloseTo(2 / 6, 12);
    expect(defaultLabelPolicy.blank).toBe('negative');
  });

  it('leaves blank labels out when asked', () => {
    const result = auroc([0.1, 0.6, 0.9, 0.7, 0.05], [0, 1, -1, 1, null], { blank: 'ignore' });
    expect(result.value).toBe(1);
    expect(result.excluded).toBe(2);
  });

  it('applies uncertain and blank policies', () => {
    const resolved = resolveLabels([1, 0, -1, null, '', ' 1 '], { uncertain: 'positive', blank: 'negative' });
    expect([...resolved.targets]).toEqual([1, 0, 1, 0, 0, 1]);
    expect(resolveLabels([2, 1, 0], { masked: [2] }).excluded).toBe(1);
  });

  it('rejects invalid label values', async () => {
    expect(await errorCodeOf(() => auroc([0.1, 0.2], [0, 2]))).toBe('TIER7002');
    expect(await errorCodeOf(() => auroc([0.1, 0.2], [0, 'yes']))).toBe('TIER7002');
  });

  it('rejects an unknown policy setting', async () => {
    expect(await errorCodeOf(() => auroc([0.1, 0.2], [0, 1], { uncertain: 'exclude' as 'ignore' }))).toBe('TIER7008');
  });

  it('rejects mismatched lengths and non-finite scores', async () => {
    expect(await errorCodeOf(() => auroc([0.1, 0.2, 0.3], [0, 1]))).toBe('TIER7001');
    expect(await errorCodeOf(() => auroc([0.1, Number.NaN], [0, 1]))).toBe('TIER7005');
    // A missing score is allowed where the label is excluded.
    expect(auroc([0.1, null, 0.3], [0, -1, 1]).value).toBe(1);
  });
});

describe('bootstrapAuroc', () => {
  const scores = [0.1, 0.4, 0.35, 0.8, 0.3, 0.55, 0.62, 0.2, 0.9, 0.45];
  const labels = [0, 0, 1, 1, 0, 1, 0, 0, 1, 1];

  it('is deterministic for a seed', () => {
    const first = bootstrapAuroc(scores, labels, { resamples: 500, seed: 42 });
    const second = bootstrapAuroc(scores, labels, { resamples: 500, seed: 42 });
    const other = bootstrapAuroc(scores, labels, { resamples: 500, seed: 43 });
    expect(first).toEqual(second);
    expect(other?.lower !== first?.lower || other?.upper !== first?.upper).toBe(true);
  });

  it('brackets the point estimate', () => {
    const point = auroc(scores, labels).value as number;
    const interval = bootstrapAuroc(scores, labels, { resamples: 2000, seed: 1 });
    expect(point).toBeCloseTo(0.84, 12);
    expect(interval?.lower).toBeLessThan(point);
    expect(interval?.upper).toBeGreaterThanOrEqual(point);
    expect(interval?.upper).toBeLessThanOrEqual(1);
    expect(interval?.skipped).toBe(0);
  });

  it('gives a zero-width interval for perfect separation', () => {
    const interval = bootstrapAuroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], { resamples: 200, seed: 3 });
    expect(interval?.lower).toBe(1);
    expect(interval?.upper).toBe(1);
  });

  it('counts one-class resamples in plain mode', () => {
    // With one positive among four, a plain resample misses it with probability (3/4)^4 ≈ 0.32.
    const interval = bootstrapAuroc([0.1, 0.2, 0.3, 0.9], [0, 0, 0, 1], { resamples: 1000, seed: 5, strategy: 'plain' });
    expect(interval?.skipped).toBeGreaterThan(250);
    expect(interval?.skipped).toBeLessThan(390);
    expect(interval?.strategy).toBe('plain');
  });

  it('is null when the AUROC is undefined', () => {
    expect(bootstrapAuroc([0.1, 0.2], [0, 0], { resamples: 10 })).toBeNull();
  });

  it('rejects invalid options', async () => {
    expect(await errorCodeOf(() => bootstrapAuroc(scores, labels, { resamples: 0 }))).toBe('TIER7006');
    expect(await errorCodeOf(() => bootstrapAuroc(scores, labels, { confidence: 1 }))).toBe('TIER7006');
  });
});

describe('aurocTable', () => {
  const scores = { Edema: [0.1, 0.4, 0.35, 0.8], Nodule: [0.3, 0.2, 0.1, 0.5], Mass: [0.9, 0.1, 0.2, 0.4] };
  const labels = { Edema: [0, 0, 1, 1], Nodule: [0, 0, 0, 0], Mass: [1, 0, 0, -1] };

  it('averages defined labels only', () => {
    const table = aurocTable(scores, labels);
    expect(table.rows.map((row) => row.label)).toEqual(['Edema', 'Nodule', 'Mass']);
    expect(table.rows[1]?.auroc).toBeNull();
    expect(table.rows[1]?.note).toBe('only negatives are present (0 positives, 4 negatives)');
    expect(table.macro.auroc).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(table.macro.undefinedLabels).toEqual(['Nodule']);
    expect(table.warnings.map((warning) => warning.code)).toEqual(['TIER7003']);
  });

  it('adds per-label and macro intervals', () => {
    const table = aurocTable(scores, labels, { bootstrap: { resamples: 300, seed: 9 } });
    expect(table.rows[0]?.ci?.strategy).toBe('stratified');
    expect(table.rows[1]?.ci).toBeNull();
    expect(table.macro.ci?.strategy).toBe('joint');
    // Four images: many joint resamples lose a class of Edema or Mass, and they are counted.
    expect(table.macro.ci?.skipped).toBeGreaterThan(0);
    expect(table.warnings.some((warning) => warning.code === 'TIER7004')).toBe(true);
  });

  it('requires matching label and score names', async () => {
    expect(await errorCodeOf(() => aurocTable({ Edema: [0.1] }, { Edema: [1], Mass: [0] }))).toBe('TIER7007');
  });
});
