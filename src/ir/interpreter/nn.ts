// Neural-network kernels of the reference interpreter: NCHW convolution and max pooling,
// batch norm (running statistics in inference, batch statistics in training) and layer norm.
import { floatTensor, sizeOf, type Tensor } from './tensor.js';

export interface Conv2dAttrs {
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  groups: number;
}

/** Output size of a sliding window along one axis. Pads are [top, left, bottom, right]. */
function windowCount(size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((size + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** x [n, c, h, w] ⊛ weight [out, c/groups, kh, kw] (+ bias [out]) → [n, out, oh, ow]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | undefined, attrs: Conv2dAttrs): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [outChannels, groupChannels, kh, kw] = weight.shape as [number, number, number, number];
  const [sh, sw] = attrs.strides;
  const [top, left, bottom, right] = attrs.pads;
  const [dh, dw] = attrs.dilations;
  const oh = windowCount(h, kh, sh, top, bottom, dh);
  const ow = windowCount(w, kw, sw, left, right, dw);
  const outPerGroup = outChannels / attrs.groups;
  if (groupChannels * attrs.groups !== c) {
    throw new Error(`conv2d weight expects ${groupChannels * attrs.groups} input channels, got ${c}`);
  }

  const out = floatTensor([n, outChannels, oh, ow]);
  // im2col: gather each group's input windows into columns [groupChannels·kh·kw, oh·ow] (zeros
  // where a window covers padding), then every output plane is a weighted sum of whole rows.
  const pixels = oh * ow;
  // Monomorphic locals: V8 keeps the inner loops on one array kind.
  const input = x.data as Float64Array;
  const kernel = Float64Array.from(weight.data);
  const output = out.data as Float64Array;
  const windowSize = groupChannels * kh * kw;
  const columns = new Float64Array(windowSize * pixels);
  for (let b = 0; b < n; b++) {
    for (let group = 0; group < attrs.groups; group++) {
      columns.fill(0);
      for (let ci = 0; ci < groupChannels; ci++) {
        const channelBase = (b * c + group * groupChannels + ci) * h;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const rowBase = ((ci * kh + ky) * kw + kx) * pixels;
            const shift = kx * dw - left;
            // Output columns whose input column xOut·sw + shift lies inside [0, w).
            const xStart = Math.max(0, Math.ceil(-shift / sw));
            const xEnd = Math.min(ow, Math.floor((w - 1 - shift) / sw) + 1);
            for (let y = 0; y < oh; y++) {
              const row = y * sh - top + ky * dh;
              if (row < 0 || row >= h) continue;
              const inRow = (channelBase + row) * w + shift;
              for (let xOut = xStart; xOut < xEnd; xOut++) columns[rowBase + y * ow + xOut] = input[inRow + xOut * sw]!;
            }
          }
        }
      }

      for (let o = group * outPerGroup; o < (group + 1) * outPerGroup; o++) {
        const plane = (b * outChannels + o) * pixels;
        if (bias) output.fill(bias.data[o]!, plane, plane + pixels);
        for (let k = 0; k < windowSize; k++) {
          const weightValue = kernel[o * windowSize + k]!;
          const rowBase = k * pixels;
          for (let p = 0; p < pixels; p++) output[plane + p]! += weightValue * columns[rowBase + p]!;
        }
      }
    }
  }
  return out;
}

/** Max pooling; padded positions never win (they count as −∞). */
export function maxPool2d(x: Tensor, kernel: [number, number], strides: [number, number], pads: [number, number, number, number]): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [kh, kw] = kernel;
  const [top, left, bottom, right] = pads;
  const oh = windowCount(h, kh, strides[0], top, bottom, 1);
  const ow = windowCount(w, kw, strides[1], left, right, 1);
  const out = floatTensor([n, c, oh, ow]);
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xOut = 0; xOut < ow; xOut++) {
        let max = -Infinity;
        for (let ky = 0; ky < kh; ky++) {
          const row = y * strides[0] - top + ky;
          if (row < 0 || row >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const column = xOut * strides[1] - left + kx;
            if (column < 0 || column >= w) continue;
            max = Math.max(max, x.data[(plane * h + row) * w + column]!);
          }
        }
        out.data[(plane * oh + y) * ow + xOut] = max;
      }
    }
  }
  return out;
}

/**
 * Batch norm over axis 1. Inference uses the running mean and variance; training uses the
 * mean and biased variance over every axis but 1, as PyTorch normalizes.
 */
export function batchNorm(x: Tensor, scale: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor, eps: number, training: boolean): Tensor {
  const channels = x.shape[1]!;
  const inner = sizeOf(x.shape.slice(2));
  const outer = x.shape[0]!;
  let mean = runningMean.data;
  let variance = runningVar.data;
  if (training) {
    const count = outer * inner;
    const batchMean = new Float64Array(channels);
    const batchVariance = new Float64Array(channels);
    for (let ch = 0; ch < channels; ch++) {
      let sum = 0;
      for (let b = 0; b < outer; b++) for (let i = 0; i < inner; i++) sum += x.data[(b * channels + ch) * inner + i]!;
      batchMean[ch] = sum / count;
      let squares = 0;
      for (let b = 0; b < outer; b++) {
        for (let i = 0; i < inner; i++) squares += (x.data[(b * channels + ch) * inner + i]! - batchMean[ch]!) ** 2;
      }
      batchVariance[ch] = squares / count;
    }
    mean = batchMean;
    variance = batchVariance;
  }
  const out = floatTensor(x.shape.slice());
  for (let b = 0; b < outer; b++) {
    for (let ch = 0; ch < channels; ch++) {
      const factor = scale.data[ch]! / Math.sqrt(variance[ch]! + eps);
      for (let i = 0; i < inner; i++) {
        const at = (b * channels + ch) * inner + i;
        out.data[at] = (x.data[at]! - mean[ch]!) * factor + bias.data[ch]!;
      }
    }
  }
  return out;
}

/** Layer norm over the axes from `axis` to the end, with biased variance. */
export function layerNorm(x: Tensor, scale: Tensor, bias: Tensor | undefined, axis: number, eps: number): Tensor {
  const width = sizeOf(x.shape.slice(axis));
  const rows = x.data.length / width;
  const out = floatTensor(x.shape.slice());
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let sum = 0;
    for (let i = 0; i < width; i++) sum += x.data[base + i]!;
    const mean = sum / width;
    let squares = 0;
    for (let i = 0; i < width; i++) squares += (x.data[base + i]! - mean) ** 2;
    const deviation = Math.sqrt(squares / width + eps);
    for (let i = 0; i < width; i++) {
      out.data[base + i] = ((x.data[base + i]! - mean) / deviation) * scale.data[i]! + (bias ? bias.data[i]! : 0);
    }
  }
  return out;
}
