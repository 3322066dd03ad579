// Parameterized layers (linear, conv, layer norm, batch norm) as builder helpers that the
// larger blocks reuse, and the `linear`, `conv1x1`, `layernorm` and `batchnorm` blocks.
//
// Weights keep PyTorch's layouts so checkpoints load without reshaping: Linear weight
// [out, in], Conv2d weight [out, in, kh, kw]. A linear layer therefore emits a transpose of
// its weight followed by a plain matmul, which backends may fold.
import type { Initializer, IrBuilder, ValueId } from '../ir/index.js';
import { defineBlock, requireInput } from './block.js';
import { BlockError } from './options.js';

export interface LinearInit {
  weight: Initializer;
  bias: Initializer;
}

/** PyTorch's default Linear/Conv initialization for a layer with `fanIn` inputs per output. */
export function torchInit(fanIn: number): LinearInit {
  return { weight: { kind: 'torch_default', fanIn, role: 'weight' }, bias: { kind: 'torch_default', fanIn, role: 'bias' } };
}

/** Normal(0, std) weights and zero biases, as BERT and CLIP initialize transformer layers. */
export function normalInit(std: number): LinearInit {
  return { weight: { kind: 'normal', mean: 0, std }, bias: { kind: 'zeros' } };
}

/** Size of the last axis, which must be concrete. */
export function lastSize(b: IrBuilder, x: ValueId, block: string): number {
  const axes = b.typeOf(x).axes;
  const size = axes[axes.length - 1]?.size;
  if (typeof size !== 'number') throw new BlockError(block, `'${block}' needs a concrete last axis, got size '${String(size)}'.`);
  return size;
}

/** y = x · Wᵀ + b for a weight [out, in] and bias [out] already created. The result keeps the axis names of `x`. */
export function applyLinear(b: IrBuilder, x: ValueId, weight: ValueId, bias: ValueId | undefined, name = ''): ValueId {
  const axisNames = b.typeOf(x).axes.map((a) => a.name);
  const wt = b.transpose(weight, [1, 0], { name: name ? `${name}.t` : undefined });
  if (bias === undefined) return b.matmul(x, wt, { name: name || undefined, axisNames });
  const product = b.matmul(x, wt, { name: name || undefined });
  return b.add(product, bias, { name: name ? `${name}.bias` : undefined, axisNames });
}

export interface LinearLayer {
  /** Local parameter prefix: `fc1` gives `fc1.weight` and `fc1.bias`; '' gives `weight` and `bias`. */
  name: string;
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  init?: LinearInit;
}

/** Creates a Linear layer's parameters and applies it to the last axis of `x`. */
export function linearLayer(b: IrBuilder, x: ValueId, layer: LinearLayer): ValueId {
  const init = layer.init ?? torchInit(layer.inFeatures);
  const prefix = layer.name ? `${layer.name}.` : '';
  const weight = b.param({ name: `${prefix}weight`, shape: [layer.outFeatures, layer.inFeatures], axisNames: ['out', 'in'], init: init.weight });
  const bias = layer.bias === false ? undefined : b.param({ name: `${prefix}bias`, shape: [layer.outFeatures], axisNames: ['out'], role: 'no_decay', init: init.bias });
  return applyLinear(b, x, weight, bias, layer.name);
}

export interface LayerNormLayer {
  name: string;
  width: number;
  eps: number;
  bias?: boolean;
}

/** Creates a LayerNorm's `weight` (ones) and `bias` (zeros) and normalizes the last axis. */
export function layerNormLayer(b: IrBuilder, x: ValueId, layer: LayerNormLayer): ValueId {
  const prefix = layer.name ? `${layer.name}.` : '';
  const scale = b.param({ name: `${prefix}weight`, shape: [layer.width], axisNames: ['width'], role: 'no_decay', init: { kind: 'ones' } });
  const bias = layer.bias === false ? undefined : b.param({ name: `${prefix}bias`, shape: [layer.width], axisNames: ['width'], role: 'no_decay', init: { kind: 'zeros' } });
  return b.layerNorm(x, scale, bias, { axis: b.typeOf(x).axes.length - 1, eps: layer.eps }, { name: layer.name || undefined });
}

export interface BatchNormLayer {
  name: string;
  channels: number;
  eps?: number;
  momentum?: number;
  /** Initial scale; ones unless given. */
  scaleInit?: Initializer;
}

/**
 * Creates a BatchNorm's `weight`, `bias`, `running_mean` and `running_var` (buffers) and
 * normalizes axis 1 of `x`. PyTorch's `num_batches_tracked` counter has no parameter here.
 */
export function batchNormLayer(b: IrBuilder, x: ValueId, layer: BatchNormLayer): ValueId {
  const prefix = layer.name ? `${layer.name}.` : '';
  const shape = [layer.channels];
  const axisNames = ['channel'];
  const scale = b.param({ name: `${prefix}weight`, shape, axisNames, role: 'no_decay', init: layer.scaleInit ?? { kind: 'ones' } });
  const bias = b.param({ name: `${prefix}bias`, shape, axisNames, role: 'no_decay', init: { kind: 'zeros' } });
  const mean = b.param({ name: `${prefix}running_mean`, shape, axisNames, role: 'buffer', init: { kind: 'zeros' } });
  const variance = b.param({ name: `${prefix}running_var`, shape, axisNames, role: 'buffer', init: { kind: 'ones' } });
  return b.batchNorm(x, scale, bias, mean, variance, { eps: layer.eps ?? 1e-5, momentum: layer.momentum ?? 0.1 }, { name: layer.name || undefined });
}

export interface Conv2dLayer {
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  padding?: number;
  bias?: boolean;
  init?: LinearInit;
}

/** Creates a Conv2d's `weight` [out, in, k, k] (and `bias`) and applies it to an NCHW input. */
export function conv2dLayer(b: IrBuilder, x: ValueId, layer: Conv2dLayer): ValueId {
  const prefix = layer.name ? `${layer.name}.` : '';
  const k = layer.kernel;
  const init = layer.init ?? torchInit(layer.inChannels * k * k);
  const weight = b.param({ name: `${prefix}weight`, shape: [layer.outChannels, layer.inChannels, k, k], axisNames: ['out', 'in', 'kh', 'kw'], init: init.weight });
  const bias = layer.bias ? b.param({ name: `${prefix}bias`, shape: [layer.outChannels], axisNames: ['out'], role: 'no_decay', init: init.bias }) : undefined;
  const s = layer.stride ?? 1;
  const p = layer.padding ?? 0;
  return b.conv2d(x, weight, { strides: [s, s], pads: [p, p, p, p] }, bias, { name: layer.name || undefined });
}

/** Moves the last axis of a rank-3 value to position 1 ([batch, seq, channel] → [batch, channel, seq]) or back. */
function swapLastTwo(b: IrBuilder, x: ValueId): ValueId {
  return b.transpose(x, [0, 2, 1]);
}

export const linear = defineBlock<{ in: number | null; out: number; bias: boolean }>({
  name: 'linear',
  doc: 'Affine map of the last axis, as torch.nn.Linear: parameters `weight` [out, in] and `bias` [out].',
  options: {
    in: { type: 'int', default: null, min: 1, doc: 'input width; defaults to the size of the last axis' },
    out: { type: 'int', min: 1, doc: 'output width' },
    bias: { type: 'bool', default: true, doc: 'add a learned bias' },
  },
  inputs: [{ name: 'x', type: 'f32[..., in]', doc: 'values to project' }],
  outputs: [{ name: 'y', type: 'f32[..., out]', doc: 'projected values' }],
  expand(b, o, inputs) {
    const x = requireInput('linear', inputs, 'x');
    const width = checkWidth(b, x, o.in, 'linear');
    return { y: linearLayer(b, x, { name: '', inFeatures: width, outFeatures: o.out, bias: o.bias }) };
  },
});

/** Returns the input width, checking it against the declared one when given. */
function checkWidth(b: IrBuilder, x: ValueId, declared: number | null, block: string, axis?: number): number {
  const axes = b.typeOf(x).axes;
  const size = axes[axis ?? axes.length - 1]?.size;
  if (typeof size !== 'number') throw new BlockError(block, `'${block}' needs a concrete channel axis, got size '${String(size)}'.`);
  if (declared !== null && declared !== size) {
    throw new BlockError(block, `'${block}' expects input width ${declared}, but its input has ${size}.`, 'in');
  }
  return size;
}

export const conv1x1 = defineBlock<{ in: number | null; out: number; bias: boolean }>({
  name: 'conv1x1',
  doc: 'A 1×1 convolution, as torch.nn.Conv2d(in, out, 1): `weight` [out, in, 1, 1]. On an NCHW input it convolves; on [batch, seq, channel] it maps the last axis with the same weight.',
  options: {
    in: { type: 'int', default: null, min: 1, doc: 'input channels; defaults to the channel axis size' },
    out: { type: 'int', min: 1, doc: 'output channels' },
    bias: { type: 'bool', default: true, doc: 'add a learned bias' },
  },
  inputs: [{ name: 'x', type: 'f32[batch, channel, height, width] or f32[batch, seq, channel]', doc: 'feature map or sequence' }],
  outputs: [{ name: 'y', type: 'same layout, out channels', doc: 'projected features' }],
  expand(b, o, inputs) {
    const x = requireInput('conv1x1', inputs, 'x');
    const rank = b.typeOf(x).axes.length;
    if (rank === 4) {
      const width = checkWidth(b, x, o.in, 'conv1x1', 1);
      return { y: conv2dLayer(b, x, { name: '', inChannels: width, outChannels: o.out, kernel: 1, bias: o.bias }) };
    }
    const width = checkWidth(b, x, o.in, 'conv1x1');
    const init = torchInit(width);
    const weight = b.param({ name: 'weight', shape: [o.out, width, 1, 1], axisNames: ['out', 'in', 'kh', 'kw'], init: init.weight });
    const bias = o.bias ? b.param({ name: 'bias', shape: [o.out], axisNames: ['out'], role: 'no_decay', init: init.bias }) : undefined;
    const matrix = b.reshape(weight, [o.out, width], { axisNames: ['out', 'in'] });
    return { y: applyLinear(b, x, matrix, bias) };
  },
});

export const layernorm = defineBlock<{ eps: number; bias: boolean }>({
  name: 'layernorm',
  doc: 'Layer normalization of the last axis, as torch.nn.LayerNorm(width): `weight` (ones) and `bias` (zeros).',
  options: {
    eps: { type: 'number', default: 1e-5, min: 0, doc: 'added to the variance' },
    bias: { type: 'bool', default: true, doc: 'learn a shift as well as a scale' },
  },
  inputs: [{ name: 'x', type: 'f32[..., width]', doc: 'values to normalize' }],
  outputs: [{ name: 'y', type: 'f32[..., width]', doc: 'normalized values' }],
  expand(b, o, inputs) {
    const x = requireInput('layernorm', inputs, 'x');
    return { y: layerNormLayer(b, x, { name: '', width: lastSize(b, x, 'layernorm'), eps: o.eps, bias: o.bias }) };
  },
});

export const batchnorm = defineBlock<{ eps: number; momentum: number }>({
  name: 'batchnorm',
  doc: 'Batch normalization per channel, as torch.nn.BatchNorm1d/2d. The channel axis is 1 for [batch, channel] and NCHW inputs and the last axis for [batch, seq, channel].',
  options: {
    eps: { type: 'number', default: 1e-5, min: 0, doc: 'added to the variance' },
    momentum: { type: 'number', default: 0.1, min: 0, below: 1, doc: 'weight of the new batch in the running statistics' },
  },
  inputs: [{ name: 'x', type: 'f32[batch, channel], f32[batch, seq, channel] or f32[batch, channel, height, width]', doc: 'values to normalize' }],
  outputs: [{ name: 'y', type: 'same as x', doc: 'normalized values' }],
  expand(b, o, inputs) {
    const x = requireInput('batchnorm', inputs, 'x');
    const rank = b.typeOf(x).axes.length;
    const layer = { name: '', eps: o.eps, momentum: o.momentum };
    if (rank === 3) {
      const channels = checkWidth(b, x, null, 'batchnorm');
      return { y: swapLastTwo(b, batchNormLayer(b, swapLastTwo(b, x), { ...layer, channels })) };
    }
    return { y: batchNormLayer(b, x, { ...layer, channels: checkWidth(b, x, null, 'batchnorm', 1) }) };
  },
});
