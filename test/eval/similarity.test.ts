import { describe, expect, it } from 'vitest';
import { patchEntropyStats, pooledPatchSimilarity, rankOrderedSimilarity, stackRows, tensor, tokenPatchSimilarity } from '../../src/eval/index.js';

describe('token-to-patch entropy', () => {
  it('equals ln P for equal similarities', () => {
    const similarity = { data: new Float32Array(2 * 3 * 49).fill(0.3), shape: [2, 3, 49] };
    const stats = patchEntropyStats(similarity, { eps: 0 });
    expect(stats.mean).toBeCloseTo(Math.log(49), 6);
    expect(stats.uniform).toBeCloseTo(Math.log(49), 12);
    expect(stats.tokens).toBe(6);
    expect(stats.std).toBeCloseTo(0, 6);
  });

  it('matches the closed form for two patches', () => {
    // Softmax of [1, -1] is [σ(2), σ(-2)].
    const p = 1 / (1 + Math.exp(-2));
    const expected = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    const stats = patchEntropyStats({ data: Float32Array.from([1, -1]), shape: [1, 1, 2] }, { eps: 0 });
    expect(stats.mean).toBeCloseTo(expected, 6);
  });

  it('drops with a temperature and skips padding', () => {
    const data = Float32Array.from([1, -1, 0, 0]);
    const sharp = patchEntropyStats({ data, shape: [1, 2, 2] }, { temperature: 0.1, tokenCounts: [1] });
    expect(sharp.tokens).toBe(1);
    expect(sharp.mean).toBeLessThan(0.01);
  });

  it('computes token-to-patch cosines per image', () => {
    const tokens = { data: Float32Array.from([1, 0, 0, 2]), shape: [1, 2, 2] };
    const patches = { data: Float32Array.from([3, 0, 1, 1]), shape: [1, 2, 2] };
    const similarity = tokenPatchSimilarity(tokens, patches);
    const expected = [1, Math.SQRT1_2, 0, Math.SQRT1_2];
    Array.from(similarity.data).forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 6));
  });
});

describe('rank-ordered similarity', () => {
  it('sorts each image and summarizes ranks', () => {
    const ranked = rankOrderedSimilarity({ data: Float32Array.from([0.1, 0.5, 0.3, 0.7, 0.2, 0.4]), shape: [2, 3] });
    expect(Array.from(ranked.mean).map((value) => Number(value.toFixed(6)))).toEqual([0.6, 0.35, 0.15]);
    // Sample standard deviation of (0.5, 0.7) is 0.1·√2.
    expect(ranked.std[0]).toBeCloseTo(0.1 * Math.SQRT2, 6);
  });

  it('computes pooled-to-patch cosines', () => {
    const pooled = { data: Float32Array.from([0, 1]), shape: [1, 2] };
    const patches = { data: Float32Array.from([0, 5, 1, 0, -1, -1]), shape: [1, 3, 2] };
    const similarity = pooledPatchSimilarity(pooled, patches);
    expect(similarity.shape).toEqual([1, 3]);
    expect(similarity.data[0]).toBeCloseTo(1, 6);
    expect(similarity.data[2]).toBeCloseTo(-Math.SQRT1_2, 6);
  });
});

describe('tensor helpers', () => {
  it('stacks rows and checks sizes', () => {
    expect(stackRows([[1, 2], [3, 4]])).toEqual({ data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] });
    expect(() => stackRows([[1, 2], [3]])).toThrow(/Row 1 of rows has width 1/);
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(/has 5 values but its shape \[2, 3\] needs 6/);
  });
});
