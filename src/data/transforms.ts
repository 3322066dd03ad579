// Preprocessing and augmentation steps as serializable specs, applied by pure functions on
// planar float images. Random steps draw from a seeded generator, so the same seed gives the
// same output in any worker. The random steps follow torchvision's definitions
// (RandomResizedCrop, RandomAffine, ColorJitter brightness/contrast).
import { DataError, type DataIssue } from './errors.js';
import type { FloatImage } from './image.js';
import type { Random } from './random.js';
import { cropImage, resizeImage, warpAffine } from './resample.js';

export type Size = number | [height: number, width: number];

export type TransformSpec =
  /** A number resizes the shorter side to it, keeping the aspect ratio; a pair resizes exactly. */
  | { op: 'resize'; size: Size }
  | { op: 'center_crop'; size: Size }
  /** A crop of random area fraction `scale` and aspect ratio `ratio`, resized to `size`. */
  | { op: 'random_resized_crop'; size: Size; scale?: [number, number]; ratio?: [number, number] }
  /** Rotation by up to ±`degrees`, translation by up to `translate` of the size, scaling within `scale`. */
  | { op: 'random_affine'; degrees: number; translate?: number; scale?: [number, number]; fill?: number }
  /** Brightness and contrast factors drawn from [1 - x, 1 + x]. */
  | { op: 'color_jitter'; brightness?: number; contrast?: number }
  | { op: 'to_rgb' }
  | { op: 'normalize'; mean: number[] | 'imagenet'; std: number[] | 'imagenet' };

export const imagenetMean = [0.485, 0.456, 0.406];
export const imagenetStd = [0.229, 0.224, 0.225];

const randomOps = new Set(['random_resized_crop', 'random_affine', 'color_jitter']);

/** Applies the steps in order. `random` is needed only by random steps. */
export function applyTransforms(image: FloatImage, steps: readonly TransformSpec[], random?: Random): FloatImage {
  let current = image;
  for (const step of steps) current = applyTransform(current, step, random);
  return current;
}

export function applyTransform(image: FloatImage, step: TransformSpec, random?: Random): FloatImage {
  if (randomOps.has(step.op) && random === undefined) throw new Error(`Transform '${step.op}' needs a random generator.`);
  switch (step.op) {
    case 'resize':
      return resize(image, step.size);
    case 'center_crop': {
      const [height, width] = pair(step.size);
      return cropImage(image, Math.round((image.height - height) / 2), Math.round((image.width - width) / 2), height, width);
    }
    case 'random_resized_crop':
      return randomResizedCrop(image, step, random as Random);
    case 'random_affine':
      return randomAffine(image, step, random as Random);
    case 'color_jitter':
      return colorJitter(image, step, random as Random);
    case 'to_rgb':
      return toRgb(image);
    case 'normalize':
      return normalize(image, step.mean === 'imagenet' ? imagenetMean : step.mean, step.std === 'imagenet' ? imagenetStd : step.std);
  }
}

function pair(size: Size): [number, number] {
  return typeof size === 'number' ? [size, size] : size;
}

function resize(image: FloatImage, size: Size): FloatImage {
  if (typeof size !== 'number') return resizeImage(image, size[0], size[1]);
  const shorter = Math.min(image.height, image.width);
  // Truncation of the longer side matches torchvision's Resize(int).
  const height = image.height === shorter ? size : Math.floor((size * image.height) / shorter);
  const width = image.width === shorter ? size : Math.floor((size * image.width) / shorter);
  return resizeImage(image, height, width);
}

function randomResizedCrop(image: FloatImage, step: Extract<TransformSpec, { op: 'random_resized_crop' }>, random: Random): FloatImage {
  const [scaleLow, scaleHigh] = step.scale ?? [0.08, 1];
  const [ratioLow, ratioHigh] = step.ratio ?? [3 / 4, 4 / 3];
  const area = image.height * image.width;
  const [outHeight, outWidth] = pair(step.size);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * random.uniform(scaleLow, scaleHigh);
    const ratio = Math.exp(random.uniform(Math.log(ratioLow), Math.log(ratioHigh)));
    const width = Math.round(Math.sqrt(target * ratio));
    const height = Math.round(Math.sqrt(target / ratio));
    if (width > 0 && height > 0 && width <= image.width && height <= image.height) {
      const top = random.int(0, image.height - height);
      const left = random.int(0, image.width - width);
      return resizeImage(cropImage(image, top, left, height, width), outHeight, outWidth);
    }
  }
  // Fallback: the largest centred crop whose ratio lies in the range.
  const imageRatio = image.width / image.height;
  let width = image.width;
  let height = image.height;
  if (imageRatio < ratioLow) height = Math.round(width / ratioLow);
  else if (imageRatio > ratioHigh) width = Math.round(height * ratioHigh);
  const top = Math.floor((image.height - height) / 2);
  const left = Math.floor((image.width - width) / 2);
  return resizeImage(cropImage(image, top, left, height, width), outHeight, outWidth);
}

function randomAffine(image: FloatImage, step: Extract<TransformSpec, { op: 'random_affine' }>, random: Random): FloatImage {
  const angle = (random.uniform(-step.degrees, step.degrees) * Math.PI) / 180;
  const translate = step.translate ?? 0;
  const tx = translate > 0 ? Math.round(random.uniform(-translate * image.width, translate * image.width)) : 0;
  const ty = translate > 0 ? Math.round(random.uniform(-translate * image.height, translate * image.height)) : 0;
  const scale = step.scale !== undefined ? random.uniform(step.scale[0], step.scale[1]) : 1;
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  // Forward map: p' = s·R·(p - c) + c + t; sampling needs its inverse p = R⁻¹·(p' - c - t)/s + c.
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const a = cos;
  const b = sin;
  const d = -sin;
  const e = cos;
  const ox = -cx - tx;
  const oy = -cy - ty;
  return warpAffine(image, [a, b, a * ox + b * oy + cx, d, e, d * ox + e * oy + cy], step.fill ?? 0);
}

function colorJitter(image: FloatImage, step: Extract<TransformSpec, { op: 'color_jitter' }>, random: Random): FloatImage {
  const data = Float32Array.from(image.data);
  const order = random.next() < 0.5 ? ['brightness', 'contrast'] : ['contrast', 'brightness'];
  for (const kind of order) {
    const amount = kind === 'brightness' ? step.brightness ?? 0 : step.contrast ?? 0;
    if (amount <= 0) continue;
    const factor = random.uniform(Math.max(0, 1 - amount), 1 + amount);
    if (kind === 'brightness') {
      for (let i = 0; i < data.length; i++) data[i] = clamp01((data[i] as number) * factor);
    } else {
      const mean = grayMean({ ...image, data });
      for (let i = 0; i < data.length; i++) data[i] = clamp01(factor * (data[i] as number) + (1 - factor) * mean);
    }
  }
  return { ...image, data };
}

function grayMean(image: FloatImage): number {
  const count = image.height * image.width;
  let sum = 0;
  if (image.channels >= 3) {
    for (let i = 0; i < count; i++) sum += 0.299 * (image.data[i] as number) + 0.587 * (image.data[count + i] as number) + 0.114 * (image.data[2 * count + i] as number);
  } else {
    for (let i = 0; i < count; i++) sum += image.data[i] as number;
  }
  return sum / count;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

function toRgb(image: FloatImage): FloatImage {
  if (image.channels === 3) return image;
  const count = image.height * image.width;
  const data = new Float32Array(count * 3);
  for (let c = 0; c < 3; c++) data.set(image.data.subarray(0, count), c * count);
  return { ...image, data, channels: 3 };
}

function normalize(image: FloatImage, mean: number[], std: number[]): FloatImage {
  if (mean.length !== image.channels && mean.length !== 1) {
    throw new DataError({ code: 'TIER5030', message: `'normalize' has ${mean.length} mean values but the image has ${image.channels} channels; add 'to_rgb' before it or give ${image.channels} values.` });
  }
  const count = image.height * image.width;
  const data = new Float32Array(image.data.length);
  for (let c = 0; c < image.channels; c++) {
    const m = (mean.length === 1 ? mean[0] : mean[c]) as number;
    const s = (std.length === 1 ? std[0] : std[c]) as number;
    for (let i = c * count; i < (c + 1) * count; i++) data[i] = ((image.data[i] as number) - m) / s;
  }
  return { ...image, data };
}

/**
 * Checks option ranges and returns the output shape [channels, height, width] when it does not
 * depend on the input size, or undefined when it does (no final crop or exact resize).
 */
export function validateTransforms(steps: readonly TransformSpec[], inputChannels: number): { issues: DataIssue[]; shape?: [number, number, number] } {
  const issues: DataIssue[] = [];
  const bad = (message: string): void => void issues.push({ code: 'TIER5030', severity: 'error', message });
  let channels = inputChannels;
  let fixed: [number, number] | undefined;
  for (const step of steps) {
    if ('size' in step && !pair(step.size).every((n) => Number.isInteger(n) && n > 0)) {
      bad(`'${step.op}' size must be a positive integer, but it is ${JSON.stringify(step.size)}.`);
    }
    switch (step.op) {
      case 'resize':
        fixed = typeof step.size === 'number' ? undefined : pair(step.size);
        break;
      case 'center_crop':
      case 'random_resized_crop':
        fixed = pair(step.size);
        if (step.op === 'random_resized_crop') {
          const [s0, s1] = step.scale ?? [0.08, 1];
          const [r0, r1] = step.ratio ?? [3 / 4, 4 / 3];
          if (!(s0 > 0 && s0 <= s1 && s1 <= 1)) bad(`'random_resized_crop' scale must satisfy 0 < low <= high <= 1, but it is ${s0}..${s1}.`);
          if (!(r0 > 0 && r0 <= r1)) bad(`'random_resized_crop' ratio must satisfy 0 < low <= high, but it is ${r0}..${r1}.`);
        }
        break;
      case 'random_affine': {
        if (!(step.degrees >= 0 && step.degrees <= 180)) bad(`'random_affine' degrees must be in [0, 180], but it is ${step.degrees}.`);
        const translate = step.translate ?? 0;
        if (!(translate >= 0 && translate <= 1)) bad(`'random_affine' translate must be in [0, 1], but it is ${translate}.`);
        const [low, high] = step.scale ?? [1, 1];
        if (!(low > 0 && low <= high)) bad(`'random_affine' scale must satisfy 0 < low <= high, but it is ${low}..${high}.`);
        break;
      }
      case 'color_jitter':
        for (const [name, value] of [['brightness', step.brightness ?? 0], ['contrast', step.contrast ?? 0]] as const) {
          if (!(value >= 0)) bad(`'color_jitter' ${name} must be non-negative, but it is ${value}.`);
        }
        break;
      case 'to_rgb':
        channels = 3;
        break;
      case 'normalize': {
        const mean = step.mean === 'imagenet' ? imagenetMean : step.mean;
        const std = step.std === 'imagenet' ? imagenetStd : step.std;
        if (mean.length !== 1 && mean.length !== channels) bad(`'normalize' has ${mean.length} mean values but the image has ${channels} channels at that point; add 'to_rgb' first or give ${channels} values.`);
        if (std.length !== mean.length) bad(`'normalize' has ${mean.length} mean values but ${std.length} std values.`);
        if (std.some((s) => !(s > 0))) bad(`'normalize' std values must be positive, but they are [${std.join(', ')}].`);
        break;
      }
    }
  }
  return fixed !== undefined ? { issues, shape: [channels, fixed[0], fixed[1]] } : { issues };
}

/** The deterministic preprocessing that inference must repeat, in a JSON-serializable form for ONNX metadata. */
export interface PreprocessMetadata {
  steps: Array<Record<string, unknown>>;
  /** Channels read from the file before the steps (1 for x-rays). */
  input_channels: number;
  /** [channels, height, width] of the model input. */
  output_shape: [number, number, number] | null;
  mean: number[] | null;
  std: number[] | null;
}

/** Describes a test-time pipeline for ONNX `metadata_props`; throws on random steps, which have no place at test time. */
export function describePreprocess(steps: readonly TransformSpec[], inputChannels: number): PreprocessMetadata {
  const random = steps.find((step) => randomOps.has(step.op));
  if (random !== undefined) throw new DataError({ code: 'TIER5030', message: `The test-time pipeline contains random step '${random.op}'; only resize, center_crop, to_rgb and normalize are deterministic.` });
  const normalizeStep = steps.find((step): step is Extract<TransformSpec, { op: 'normalize' }> => step.op === 'normalize');
  const { shape } = validateTransforms(steps, inputChannels);
  return {
    steps: steps.map((step) => ({ ...step })),
    input_channels: inputChannels,
    output_shape: shape ?? null,
    mean: normalizeStep ? (normalizeStep.mean === 'imagenet' ? imagenetMean : normalizeStep.mean) : null,
    std: normalizeStep ? (normalizeStep.std === 'imagenet' ? imagenetStd : normalizeStep.std) : null,
  };
}
