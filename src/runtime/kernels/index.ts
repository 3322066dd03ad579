// The kernel table: one function per lowered operation, called the same way by the emitted
// program (`k.linear(ctx, x, w, b, { activation: "relu" })`) and by the in-memory evaluator,
// so both run the very same tfjs operations in the same order. Every kernel takes the
// context first, then its tensor operands, then one attribute object.
import * as tf from '@tensorflow/tfjs-core';
import { geluExact, geluTanh, quickGelu } from './activations.js';
import { attention, type AttentionAttrs } from './attention.js';
import { conv2d, maxPool2d, type Conv2dAttrs } from './conv.js';
import { resolveSize, type KernelContext } from './context.js';
import { embedding, oneHotFloat } from './embedding.js';
import { linear, linearTransposed, matmul } from './matmul.js';
import { batchNorm, layerNorm } from './norm.js';

export { createKernelContext, resolveSize, type KernelContext } from './context.js';
export { linear, linearTransposed, rowContraction, matmul, matmul2d, batchedMatmul } from './matmul.js';
export { layerNorm, batchNorm } from './norm.js';
export { geluExact, geluTanh, quickGelu } from './activations.js';
export { attention, channelProduct, plainAttention, type AttentionAttrs } from './attention.js';
export { embedding, oneHotFloat, type EmbeddingForm } from './embedding.js';
export { conv2d, maxPool2d, convForm, type Conv2dAttrs } from './conv.js';

type T = tf.Tensor;
type DType = 'f32' | 'i32' | 'bool';
const TF_DTYPE = { f32: 'float32', i32: 'int32', bool: 'bool' } as const;
type NoAttrs = Record<string, never>;

function normalizeAxes(axes: number[]): number[] {
  return [...axes];
}

export const kernels = {
  constant: (_ctx: KernelContext, a: { values: number[]; shape: number[]; dtype?: DType }): T =>
    tf.tensor(a.values, a.shape, TF_DTYPE[a.dtype ?? 'f32']),

  neg: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.neg(x),
  exp: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.exp(x),
  log: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.log(x),
  sqrt: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.sqrt(x),
  reciprocal: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.reciprocal(x),
  abs: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.abs(x),
  tanh: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.tanh(x),
  sigmoid: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.sigmoid(x),
  erf: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.erf(x),
  relu: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.relu(x),
  gelu: (_ctx: KernelContext, x: T, a: { approximate: 'none' | 'tanh' }): T => (a.approximate === 'tanh' ? geluTanh(x) : geluExact(x)),
  quickGelu: (_ctx: KernelContext, x: T, a: { alpha: number }): T => quickGelu(x, a.alpha),

  add: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.add(x, y),
  sub: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.sub(x, y),
  mul: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.mul(x, y),
  div: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.div(x, y),
  pow: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.pow(x, y),
  maximum: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.maximum(x, y),
  minimum: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.minimum(x, y),
  greater: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.greater(x, y),
  equal: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => tf.equal(x, y),
  where: (_ctx: KernelContext, c: T, x: T, y: T, _a: NoAttrs): T => {
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(tf.broadcast_util.assertAndGetBroadcastShape(c.shape, x.shape), y.shape);
    return tf.where(expandTo(c, shape), expandTo(x, shape), expandTo(y, shape));
  },
  cast: (_ctx: KernelContext, x: T, a: { to: DType }): T => tf.cast(x, TF_DTYPE[a.to]),
  clip: (_ctx: KernelContext, x: T, a: { min?: number; max?: number }): T => {
    let out = x;
    if (a.min !== undefined) out = tf.maximum(out, a.min);
    if (a.max !== undefined) out = tf.minimum(out, a.max);
    return out;
  },

  matmul: (_ctx: KernelContext, x: T, y: T, _a: NoAttrs): T => matmul(x, y),
  linear: (_ctx: KernelContext, x: T, w: T, a: { activation: 'linear' | 'relu' }): T => linear(x, w as tf.Tensor2D, undefined, a.activation),
  linearBias: (_ctx: KernelContext, x: T, w: T, b: T, a: { activation: 'linear' | 'relu' }): T =>
    linear(x, w as tf.Tensor2D, tf.reshape(b, [-1]) as tf.Tensor1D, a.activation),
  linearTransposed: (_ctx: KernelContext, ...rest: unknown[]): T => {
    const [x, w, b] = rest.slice(0, -1) as [T, T, T | undefined];
    return linearTransposed(x, w as tf.Tensor2D, b ? (tf.reshape(b, [-1]) as tf.Tensor1D) : undefined);
  },
  attention: (_ctx: KernelContext, ...rest: unknown[]): T => {
    const a = rest[rest.length - 1] as AttentionAttrs;
    const [qkv, mask] = rest.slice(0, -1) as [T, T | undefined];
    return attention(qkv, mask, a);
  },
  reduceSum: (_ctx: KernelContext, x: T, a: { axes: number[]; keepDims: boolean }): T => tf.sum(x, normalizeAxes(a.axes), a.keepDims),
  reduceMean: (_ctx: KernelContext, x: T, a: { axes: number[]; keepDims: boolean }): T => tf.mean(x, normalizeAxes(a.axes), a.keepDims),
  reduceMax: (_ctx: KernelContext, x: T, a: { axes: number[]; keepDims: boolean }): T => tf.max(x, normalizeAxes(a.axes), a.keepDims),
  softmax: (_ctx: KernelContext, x: T, a: { axis: number }): T => softmaxAlong(x, a.axis, false),
  logSoftmax: (_ctx: KernelContext, x: T, a: { axis: number }): T => softmaxAlong(x, a.axis, true),

  reshape: (ctx: KernelContext, x: T, a: { shape: (number | string)[] }): T => tf.reshape(x, a.shape.map((s) => resolveSize(s, ctx.sizes))),
  transpose: (_ctx: KernelContext, x: T, a: { perm: number[] }): T => tf.transpose(x, a.perm),
  unsqueeze: (_ctx: KernelContext, x: T, a: { axes: number[] }): T => {
    const shape = [...x.shape];
    for (const axis of [...a.axes].sort((p, q) => p - q)) shape.splice(axis, 0, 1);
    return tf.reshape(x, shape);
  },
  concat: (_ctx: KernelContext, ...rest: unknown[]): T => {
    const a = rest[rest.length - 1] as { axis: number };
    return tf.concat(rest.slice(0, -1) as T[], a.axis);
  },
  slice: (_ctx: KernelContext, x: T, a: { axis: number; start: number; end: number }): T => {
    const begin = x.shape.map((_, i) => (i === a.axis ? a.start : 0));
    const size = x.shape.map((s, i) => (i === a.axis ? a.end - a.start : s));
    return tf.slice(x, begin, size);
  },
  gather: (ctx: KernelContext, table: T, ids: T, _a: NoAttrs): T => embedding(table as tf.Tensor2D, ids, ctx.embeddingForm),
  oneHot: (_ctx: KernelContext, ids: T, like: T, a: { axis: number }): T => oneHotFloat(ids, like.shape[a.axis]!),
  rangeLike: (_ctx: KernelContext, x: T, a: { axis: number }): T => tf.range(0, x.shape[a.axis]!, 1, 'int32'),
  eyeLike: (_ctx: KernelContext, x: T, _a: NoAttrs): T => tf.eye(x.shape[0]!, x.shape[1]!),

  conv2d: (_ctx: KernelContext, ...rest: unknown[]): T => {
    const a = rest[rest.length - 1] as Conv2dAttrs;
    const [x, w, b] = rest.slice(0, -1) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D | undefined];
    return conv2d(x, w, b, a);
  },
  maxPool2d: (_ctx: KernelContext, x: T, a: { kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number] }): T =>
    maxPool2d(x as tf.Tensor4D, a.kernel, a.strides, a.pads),
  batchNorm: (ctx: KernelContext, x: T, scale: T, bias: T, mean: T, variance: T, a: { eps: number; momentum: number; meanName: string; varName: string }): T => {
    const result = batchNorm(x, scale, bias, mean, variance, a.eps, a.momentum, ctx.training);
    if (result.update) {
      ctx.bufferUpdates.get(a.meanName)?.dispose();
      ctx.bufferUpdates.get(a.varName)?.dispose();
      ctx.bufferUpdates.set(a.meanName, tf.keep(result.update.mean));
      ctx.bufferUpdates.set(a.varName, tf.keep(result.update.variance));
    }
    return result.value;
  },
  layerNorm: (_ctx: KernelContext, ...rest: unknown[]): T => {
    const a = rest[rest.length - 1] as { axis: number; eps: number };
    const [x, scale, bias] = rest.slice(0, -1) as [T, T, T | undefined];
    return layerNorm(x, scale, bias, a.axis, a.eps);
  },
  dropout: (ctx: KernelContext, x: T, a: { rate: number }): T => {
    if (!ctx.training || a.rate === 0) return x;
    ctx.dropoutCalls += 1;
    return tf.dropout(x, a.rate, undefined, ctx.dropoutSeed * 1000 + ctx.dropoutCalls);
  },
};

export type KernelName = keyof typeof kernels;

/**
 * Broadcasts `x` to `shape` as a product with ones, which keeps every value (−0, ±∞ and NaN
 * included). tf.broadcastTo runs the Tile kernel instead, which took about 10 ms for a
 * [32, 32, 64] mask in peer_small's loss (tfjs-backend-wasm 4.22.0, scripts/profile-train.mjs).
 */
function expandTo(x: T, shape: number[]): T {
  if (x.shape.length === shape.length && x.shape.every((size, i) => size === shape[i])) return x;
  // Bool and int32 operands need no gradient. The wasm backend broadcasts int32 products and
  // tiles at tens of nanoseconds per element, so a bool mask goes through float32, whose
  // products run on the native kernels where they are built; 0 and 1 convert exactly.
  if (x.dtype === 'bool') return tf.cast(tf.mul(tf.cast(x, 'float32'), tf.ones(shape)), 'bool');
  if (x.dtype !== 'float32') return tf.broadcastTo(x, shape);
  return tf.mul(x, tf.ones(shape, x.dtype));
}

/** Softmax along any axis: tfjs's softmax works on the last axis only. */
function softmaxAlong(x: T, axis: number, log: boolean): T {
  const last = x.rank - 1;
  if (axis === last) return log ? tf.logSoftmax(x) : tf.softmax(x);
  const perm = x.shape.map((_, i) => i);
  perm[axis] = last;
  perm[last] = axis;
  const moved = tf.transpose(x, perm);
  return tf.transpose(log ? tf.logSoftmax(moved) : tf.softmax(moved), perm);
}
