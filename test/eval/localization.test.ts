import { describe, expect, it } from 'vitest';
import { errorCodeOf } from './helpers.js';
import {
  gridFor,
  labelHeatmaps,
  localizationScores,
  maskHitRate,
  patchSimilarity,
  percentile,
  pointingHit,
  upsample,
  type Tensor,
} from '../../src/eval/index.js';

/** Patch embeddings [1, 4, 2] whose angles to the x axis are 0°, 60°, 90° and 180°. */
const patches: Tensor = {
  data: Float32Array.from([3, 0, 0.5, Math.sqrt(3) / 2, 0, 2, -1, 0]),
  shape: [1, 4, 2],
};

describe('grid', () => {
  it('infers a square grid', () => {
    expect(gridFor(49)).toEqual([7, 7]);
    expect(gridFor(6, [2, 3])).toEqual([2, 3]);
  });

  it('rejects a grid that does not fit', async () => {
    expect(await errorCodeOf(() => gridFor(50))).toBe('TIER7020');
    expect(await errorCodeOf(() => gridFor(6, [2, 2]))).toBe('TIER7020');
  });
});

describe('heatmaps', () => {
  it('computes patch cosines', () => {
    const similarity = patchSimilarity(patches, [2, 0]);
    expect(Array.from(similarity.data).map((value) => Number(value.toFixed(6)))).toEqual([1, 0.5, 0, -1]);
  });

  it('scales by percentiles over all images', () => {
    // Percentiles 0 and 100 are the minimum and maximum, so values map to (x + 1) / 2.
    const set = labelHeatmaps(patches, [1, 0], { percentiles: [0, 100] });
    expect(set.grid).toEqual([2, 2]);
    expect(set.range).toEqual({ low: -1, high: 1 });
    expect(Array.from(set.maps.data).map((value) => Number(value.toFixed(6)))).toEqual([1, 0.75, 0.5, 0]);
  });

  it('clips outside the default percentiles', () => {
    expect(percentile([0, 1, 2, 3, 4], 25)).toBe(1);
    const set = labelHeatmaps(patches, [1, 0]);
    expect(set.maps.data[0]).toBe(1);
    expect(set.maps.data[3]).toBe(0);
  });

  it('subtracts the reference map', () => {
    // The reference prompt along y: cosines 0, 0.866, 1, 0 → scaled 0, 0.866, 1, 0.
    const set = labelHeatmaps(patches, [1, 0], { percentiles: [0, 100], reference: [0, 1] });
    const expected = [1 - 0, 0.75 - Math.sqrt(3) / 2, 0.5 - 1, 0 - 0];
    Array.from(set.maps.data).forEach((value, index) => expect(value).toBeCloseTo(expected[index] as number, 6));
    expect(set.referenceRange?.high).toBeCloseTo(1, 6);
  });
});

describe('upsample', () => {
  it('repeats cells with nearest', () => {
    expect(Array.from(upsample([1, 2, 3, 4], [2, 2], [4, 4], 'nearest'))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('interpolates with half-pixel centres', () => {
    const result = upsample([0, 4], [1, 2], [1, 4], 'bilinear');
    // Output centres at source x = -0.25, 0.25, 0.75, 1.25, clamped at the edges.
    expect(Array.from(result)).toEqual([0, 1, 3, 4]);
  });
});

describe('pointing game and hit rate', () => {
  const size = [2, 2] as const;

  it('hits when the maximum is inside the mask', () => {
    expect(pointingHit([0.1, 0.9, 0.2, 0.3], [0, 1, 0, 0], size)).toBe(1);
    expect(pointingHit([0.1, 0.9, 0.2, 0.3], [1, 0, 0, 0], size)).toBe(0);
  });

  it('splits ties', () => {
    expect(pointingHit([0.9, 0.9, 0.9, 0.1], [1, 0, 0, 1], size)).toBeCloseTo(1 / 3, 12);
  });

  it('is undefined for an empty mask', () => {
    expect(pointingHit([1, 0, 0, 0], [0, 0, 0, 0], size)).toBeNull();
    expect(maskHitRate([1, 0, 0, 0], [0, 0, 0, 0], size)).toBeNull();
  });

  it('weights positive heat by the mask', () => {
    expect(maskHitRate([0.6, 0.2, -0.5, 0.2], [1, 0, 1, 0], size)).toBeCloseTo(0.6, 12);
    expect(maskHitRate([-0.6, -0.2, -0.5, 0], [1, 0, 1, 0], size)).toBeNull();
  });

  it('rejects a mask of another size', async () => {
    expect(await errorCodeOf(() => maskHitRate([1, 0, 0, 0], [1, 0], size))).toBe('TIER7021');
  });

  it('summarizes a label over images', () => {
    // Two images with 2x2 maps; masks at 4x4. Image 0's maximum is the top-left cell.
    const heatmaps = {
      grid: [2, 2] as const,
      maps: { data: Float32Array.from([0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9]), shape: [2, 2, 2] },
      range: { low: 0, high: 1 },
    };
    const topLeft = new Uint8Array(16);
    for (const index of [0, 1, 4, 5]) topLeft[index] = 1;
    const mask = { data: topLeft, width: 4, height: 4 };
    const summary = localizationScores(heatmaps, [mask, mask]);
    expect(summary.images).toBe(2);
    expect(summary.pointingGame).toBe(0.5);
    // Image 0: 0.9·4 / (0.9·4 + 0.1·12) = 0.75; image 1: 0.1·4 / 4.8.
    expect(summary.hitRate).toBeCloseTo((0.75 + 0.4 / 4.8) / 2, 6);
    expect(localizationScores(heatmaps, [mask, null]).images).toBe(1);
  });
});
