import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  divergingColor,
  formatTick,
  movingAverage,
  niceTicks,
  rankedSimilaritySvg,
  renderHeatmapOverlay,
  trainingCurvesSvg,
} from '../../src/report/index.js';

describe('axis ticks', () => {
  it('chooses 1-2-5 steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual({ domain: [0, 1], values: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
    expect(niceTicks(3.8, 3.89, 5).values).toEqual([3.8, 3.82, 3.84, 3.86, 3.88, 3.9]);
    expect(niceTicks(1, 299, 6).step).toBe(50);
  });

  it('widens a constant range', () => {
    const ticks = niceTicks(1e-4, 1e-4, 5);
    expect(ticks.domain[0]).toBeLessThan(1e-4);
    expect(ticks.domain[1]).toBeGreaterThan(1e-4);
  });

  it('formats by step', () => {
    expect(formatTick(0.4, 0.2)).toBe('0.4');
    expect(formatTick(3.82, 0.02)).toBe('3.82');
    expect(formatTick(150, 50)).toBe('150');
    expect(formatTick(1.05e-4, 5e-6)).toBe('1.05e-4');
  });
});

describe('colormap', () => {
  it('maps the ends and the middle', () => {
    expect(divergingColor(-1)).toEqual([5, 48, 97]);
    expect(divergingColor(0)).toEqual([247, 247, 247]);
    expect(divergingColor(1)).toEqual([103, 0, 31]);
    expect(divergingColor(5)).toEqual([103, 0, 31]);
  });

  it('interpolates between anchors', () => {
    // Halfway between 0.8 (178, 24, 43) and 1 (103, 0, 31).
    expect(divergingColor(0.9)).toEqual([141, 12, 37]);
  });
});

describe('training curves', () => {
  const records = Array.from({ length: 60 }, (_, step) => ({ step, values: { clip: 3 - step / 30, words: 3.85, lr: 1e-4 } }));

  it('draws one panel per series', () => {
    const svg = trainingCurvesSvg(records);
    for (const name of ['clip', 'words', 'lr']) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('moving average (0.9)');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('notes non-finite values', () => {
    const svg = trainingCurvesSvg([
      { step: 0, values: { clip: 1 } },
      { step: 1, values: { clip: Number.NaN } },
      { step: 2, values: { clip: 0.5 } },
    ]);
    expect(svg).toContain('1 non-finite values left as gaps');
  });

  it('handles one record and no series', () => {
    const single = trainingCurvesSvg([{ step: 5, values: { clip: 2 } }]);
    expect(single).not.toContain('NaN');
    expect(single).toContain('>clip</text>');
    const empty = trainingCurvesSvg([{ step: 0, values: {} }]);
    expect(empty).toContain("No numeric fields besides 'step' were found.");
  });

  it('averages with bias correction', () => {
    const averaged = movingAverage(Float64Array.from([2, 2, 2]), 0.9);
    expect(Array.from(averaged).map((value) => Number(value.toFixed(12)))).toEqual([2, 2, 2]);
  });
});

describe('rank chart', () => {
  it('draws a band and a line per model', () => {
    const ranked = { mean: Float64Array.from([0.5, 0.2, 0]), std: Float64Array.from([0.1, 0.1, 0.1]), images: 4 };
    const svg = rankedSimilaritySvg([
      { name: 'TIER', ranked },
      { name: 'baseline', ranked },
    ]);
    expect(svg.match(/<polygon /g)).toHaveLength(2);
    expect(svg).toContain('mean ± 1 std over 4 images per model');
    expect(svg).toContain('>baseline</text>');
    expect(svg).not.toContain('NaN');
  });
});

describe('heatmap overlay', () => {
  it('blends the colormap over the x-ray', async () => {
    // A uniform gray 100 image; the left half of a 1×2 grid is +1, the right half 0.
    const image = { data: new Uint8Array(64 * 64).fill(100), width: 64, height: 64 };
    const png = await renderHeatmapOverlay({ image, heatmap: [1, 0], grid: [1, 2], title: 'Edema', size: 64, maxAlpha: 0.5 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(8 + 64 + 150);
    const pixel = (x: number, y: number): number[] => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    // Image area starts at (8, 44). Normalizing a constant image leaves it unchanged.
    const gray = pixel(8 + 48, 44 + 32);
    expect(gray).toEqual([100, 100, 100]);
    // Red end (103, 0, 31) at alpha 0.5 over 100.
    expect(pixel(8 + 10, 44 + 32)).toEqual([102, 50, 66]);
  });
});
