// Image math shared by the transforms: separable resizing with a triangle (bilinear) filter
// that widens when shrinking, so downscaling averages instead of aliasing, and bilinear
// sampling at arbitrary points for affine warps. Images are planar float (channel, row, column).
import type { FloatImage } from './image.js';

interface AxisWeights {
  /** First input index of each output sample. */
  starts: Int32Array;
  /** Number of taps of each output sample. */
  counts: Int32Array;
  /** Normalized weights, `maxTaps` per output sample. */
  weights: Float32Array;
  maxTaps: number;
}

/** Computes filter taps mapping `inSize` samples onto `outSize` (pixel centres aligned, as PIL and torchvision do). */
function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support));
    const last = Math.min(inSize, Math.ceil(centre + support));
    let total = 0;
    let taps = 0;
    for (let i = first; i < last && taps < maxTaps; i++, taps++) {
      const weight = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
      weights[o * maxTaps + taps] = weight;
      total += weight;
    }
    for (let k = 0; k < taps; k++) weights[o * maxTaps + k] = (weights[o * maxTaps + k] as number) / (total > 0 ? total : 1);
    starts[o] = first;
    counts[o] = taps;
  }
  return { starts, counts, weights, maxTaps };
}

/** Resizes to exactly `height` × `width`. */
export function resizeImage(image: FloatImage, height: number, width: number): FloatImage {
  if (image.height === height && image.width === width) return image;
  const horizontal = axisWeights(image.width, width);
  const vertical = axisWeights(image.height, height);
  const temp = new Float32Array(image.channels * image.height * width);
  const out = new Float32Array(image.channels * height * width);
  for (let c = 0; c < image.channels; c++) {
    const source = c * image.height * image.width;
    const middle = c * image.height * width;
    for (let y = 0; y < image.height; y++) {
      const row = source + y * image.width;
      for (let x = 0; x < width; x++) {
        let sum = 0;
        const start = horizontal.starts[x] as number;
        const base = x * horizontal.maxTaps;
        for (let k = 0; k < (horizontal.counts[x] as number); k++) sum += (image.data[row + start + k] as number) * (horizontal.weights[base + k] as number);
        temp[middle + y * width + x] = sum;
      }
    }
    const target = c * height * width;
    for (let y = 0; y < height; y++) {
      const start = vertical.starts[y] as number;
      const base = y * vertical.maxTaps;
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < (vertical.counts[y] as number); k++) sum += (temp[middle + (start + k) * width + x] as number) * (vertical.weights[base + k] as number);
        out[target + y * width + x] = sum;
      }
    }
  }
  return { data: out, channels: image.channels, height, width };
}

/** Copies the region starting at (`top`, `left`) of size `height` × `width`; parts outside the image are 0. */
export function cropImage(image: FloatImage, top: number, left: number, height: number, width: number): FloatImage {
  const out = new Float32Array(image.channels * height * width);
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const sy = top + y;
      if (sy < 0 || sy >= image.height) continue;
      for (let x = 0; x < width; x++) {
        const sx = left + x;
        if (sx < 0 || sx >= image.width) continue;
        out[(c * height + y) * width + x] = image.data[(c * image.height + sy) * image.width + sx] as number;
      }
    }
  }
  return { data: out, channels: image.channels, height, width };
}

/**
 * Warps by an inverse affine map: output pixel centre (x, y) samples the input at
 * (a·x + b·y + c, d·x + e·y + f) bilinearly, with `fill` outside the image.
 */
export function warpAffine(image: FloatImage, inverse: [number, number, number, number, number, number], fill = 0): FloatImage {
  const { channels, height, width } = image;
  const [a, b, c, d, e, f] = inverse;
  const out = new Float32Array(channels * height * width);
  const plane = height * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < channels; ch++) {
        const base = ch * plane;
        const at = (yy: number, xx: number): number => (yy < 0 || yy >= height || xx < 0 || xx >= width ? fill : (image.data[base + yy * width + xx] as number));
        const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
        const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
        out[base + y * width + x] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { data: out, channels, height, width };
}
