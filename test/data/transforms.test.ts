import { describe, expect, it } from 'vitest';
import { applyTransforms, createRandom, describePreprocess, imagenetMean, imagenetStd, validateTransforms, type FloatImage, type TransformSpec } from '../../src/data/index.js';

function ramp(height: number, width: number, channels = 1): FloatImage {
  const data = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = x / width;
  return { data, channels, height, width };
}

function constant(height: number, width: number, value: number): FloatImage {
  return { data: new Float32Array(height * width).fill(value), channels: 1, height, width };
}

function noise(height: number, width: number, seed: number): FloatImage {
  const random = createRandom(seed);
  return { data: Float32Array.from({ length: height * width }, () => random.next()), channels: 1, height, width };
}

describe('resize', () => {
  it('scales the shorter side and keeps the aspect ratio', () => {
    const out = applyTransforms(constant(50, 100, 0.3), [{ op: 'resize', size: 25 }]);
    expect([out.height, out.width]).toEqual([25, 50]);
    for (const value of out.data) expect(value).toBeCloseTo(0.3, 6);
  });

  it('averages when halving, preserving a linear ramp inside the image', () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => i);
    const out = applyTransforms({ data, channels: 1, height: 1, width: 16 }, [{ op: 'resize', size: [1, 8] }]);
    // The triangle filter has taps 1/8, 3/8, 3/8, 1/8 around 2o + 0.5.
    for (let o = 1; o < 7; o++) expect(out.data[o]).toBeCloseTo(2 * o + 0.5, 5);
  });

  it('upsamples bilinearly', () => {
    const out = applyTransforms({ data: Float32Array.from([0, 1]), channels: 1, height: 1, width: 2 }, [{ op: 'resize', size: [1, 4] }]);
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1]);
  });
});

describe('center_crop', () => {
  it('takes the middle', () => {
    const image = { data: Float32Array.from({ length: 25 }, (_, i) => i), channels: 1, height: 5, width: 5 };
    expect(Array.from(applyTransforms(image, [{ op: 'center_crop', size: 3 }]).data)).toEqual([6, 7, 8, 11, 12, 13, 16, 17, 18]);
  });
});

describe('random steps', () => {
  const image = noise(40, 48, 7);
  const pipeline: TransformSpec[] = [
    { op: 'random_resized_crop', size: 32, scale: [0.5, 1], ratio: [0.9, 1] },
    { op: 'random_affine', degrees: 10, translate: 0.05, scale: [0.95, 1.05] },
    { op: 'color_jitter', brightness: 0.2, contrast: 0.2 },
  ];

  it('give the same output for the same seed', () => {
    const a = applyTransforms(image, pipeline, createRandom(3));
    const b = applyTransforms(image, pipeline, createRandom(3));
    expect([a.height, a.width]).toEqual([32, 32]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('differ between seeds', () => {
    const a = applyTransforms(image, pipeline, createRandom(3));
    const b = applyTransforms(image, pipeline, createRandom(4));
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
  });

  it('leave the image unchanged when the affine ranges are empty', () => {
    const out = applyTransforms(image, [{ op: 'random_affine', degrees: 0, translate: 0, scale: [1, 1] }], createRandom(1));
    expect(Array.from(out.data)).toEqual(Array.from(image.data));
  });

  it('rotate about the centre', () => {
    // A 3 × 3 image with one bright pixel left of centre; any rotation keeps the centre pixel.
    const source = { data: Float32Array.from([0, 0, 0, 1, 0.5, 0, 0, 0, 0]), channels: 1, height: 3, width: 3 };
    const out = applyTransforms(source, [{ op: 'random_affine', degrees: 90 }], createRandom(9));
    expect(out.data[4]).toBeCloseTo(0.5, 6);
  });

  it('keep jittered values in [0, 1]', () => {
    const out = applyTransforms(image, [{ op: 'color_jitter', brightness: 0.9, contrast: 0.9 }], createRandom(5));
    for (const value of out.data) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('scale brightness by a factor within the range', () => {
    const out = applyTransforms(constant(4, 4, 0.5), [{ op: 'color_jitter', brightness: 0.2 }], createRandom(2));
    const factor = (out.data[0] as number) / 0.5;
    expect(factor).toBeGreaterThanOrEqual(0.8);
    expect(factor).toBeLessThanOrEqual(1.2);
    expect(new Set(out.data).size).toBe(1);
  });

  it('need a generator', () => {
    expect(() => applyTransforms(image, pipeline)).toThrow(/needs a random generator/);
  });
});

describe('to_rgb and normalize', () => {
  it('normalizes with the ImageNet constants', () => {
    const out = applyTransforms(constant(2, 2, 0.485), [{ op: 'to_rgb' }, { op: 'normalize', mean: 'imagenet', std: 'imagenet' }]);
    expect(out.channels).toBe(3);
    expect(out.data[0]).toBeCloseTo(0, 6);
    expect(out.data[4]).toBeCloseTo((0.485 - 0.456) / 0.224, 6);
    expect(out.data[8]).toBeCloseTo((0.485 - 0.406) / 0.225, 6);
  });

  it('rejects three means for one channel', () => {
    expect(() => applyTransforms(constant(2, 2, 0.5), [{ op: 'normalize', mean: 'imagenet', std: 'imagenet' }])).toThrow(/add 'to_rgb' before it/);
  });
});

describe('validateTransforms', () => {
  it('returns the fixed output shape', () => {
    const result = validateTransforms([{ op: 'resize', size: 256 }, { op: 'center_crop', size: 224 }, { op: 'to_rgb' }], 1);
    expect(result).toEqual({ issues: [], shape: [3, 224, 224] });
  });

  it('has no shape without a final crop', () => {
    expect(validateTransforms([{ op: 'resize', size: 256 }], 1).shape).toBeUndefined();
  });

  it('reports bad ranges', () => {
    const { issues } = validateTransforms([{ op: 'random_resized_crop', size: 0, scale: [0.9, 0.5] }, { op: 'random_affine', degrees: -1 }], 1);
    expect(issues.map((issue) => issue.message)).toEqual([
      "'random_resized_crop' size must be a positive integer, but it is 0.",
      "'random_resized_crop' scale must satisfy 0 < low <= high <= 1, but it is 0.9..0.5.",
      "'random_affine' degrees must be in [0, 180], but it is -1.",
    ]);
  });
});

describe('describePreprocess', () => {
  it('serializes the test pipeline', () => {
    const metadata = describePreprocess([{ op: 'resize', size: 256 }, { op: 'center_crop', size: 224 }, { op: 'to_rgb' }, { op: 'normalize', mean: 'imagenet', std: 'imagenet' }], 1);
    expect(JSON.parse(JSON.stringify(metadata))).toEqual({
      steps: [{ op: 'resize', size: 256 }, { op: 'center_crop', size: 224 }, { op: 'to_rgb' }, { op: 'normalize', mean: 'imagenet', std: 'imagenet' }],
      input_channels: 1,
      output_shape: [3, 224, 224],
      mean: imagenetMean,
      std: imagenetStd,
    });
  });

  it('rejects random steps', () => {
    expect(() => describePreprocess([{ op: 'color_jitter', brightness: 0.2 }], 1)).toThrow(/random step 'color_jitter'/);
  });
});
