// Parameter-free blocks over named axes: normalize, mean, softmax and entropy, each with
// an optional mask where the language allows one.
//
// A mask is f32 (1 keeps a position, 0 drops it) or bool. When it has fewer axes than the
// value it masks, its axes are matched to the value's axes by name and size-1 axes are
// inserted for the rest, so a [batch, token] padding mask applies to [batch, token, patch].
import type { IrBuilder, ValueId } from '../ir/index.js';
import { defineBlock, requireInput } from './block.js';
import { BlockError, resolveAxis } from './options.js';
import type { AxisRef } from './options.js';

/** Additive stand-in for -inf: exp underflows to exactly 0 in f32, and no inf or NaN appears. */
export const MASK_VALUE = -1e9;

/** Returns `mask` as f32 with the rank of `x`, aligning its axes to `x`'s by name. */
export function alignMask(b: IrBuilder, mask: ValueId, x: ValueId, block: string): ValueId {
  const maskType = b.typeOf(mask);
  let m = maskType.dtype === 'f32' ? mask : b.cast(mask, 'f32', { name: 'mask' });
  const xAxes = b.typeOf(x).axes;
  if (maskType.axes.length === xAxes.length) return m;
  if (maskType.axes.length > xAxes.length) {
    throw new BlockError(block, `The mask of '${block}' has ${maskType.axes.length} axes, more than the ${xAxes.length} of the value it masks.`, 'mask');
  }
  const positions: number[] = [];
  let from = 0;
  for (const axis of maskType.axes) {
    const found = xAxes.findIndex((a, i) => i >= from && a.name === axis.name && a.name !== '');
    if (found < 0) {
      const names = xAxes.map((a) => a.name).join(', ');
      throw new BlockError(block, `Mask axis '${axis.name}' of '${block}' matches no axis of the masked value, whose axes are [${names}].`, 'mask');
    }
    positions.push(found);
    from = found + 1;
  }
  const missing = xAxes.map((_, i) => i).filter((i) => !positions.includes(i));
  m = b.unsqueeze(m, missing, { name: 'mask.align' });
  return m;
}

/** x / max(‖x‖₂, eps) along one axis, as torch.nn.functional.normalize. */
export function normalizeValue(b: IrBuilder, x: ValueId, axis: number, eps: number): ValueId {
  const squares = b.mul(x, x, { name: 'normalize.square' });
  const norm = b.sqrt(b.reduceSum(squares, [axis], true, { name: 'normalize.sum' }), { name: 'normalize.norm' });
  const clamped = b.maximum(norm, b.scalar(eps), { name: 'normalize.clamp' });
  return b.div(x, clamped, { name: 'normalize' });
}

/**
 * Mean over `axes`; with a mask, Σ(x·m)/Σm. Axes along which the mask has size 1 are
 * averaged plainly first, which gives the same value because the mask is constant along them.
 * A fully masked slice divides 0 by 0 and gives NaN.
 */
export function meanValue(b: IrBuilder, x: ValueId, axes: number[], mask: ValueId | undefined, block = 'mean'): ValueId {
  if (mask === undefined) return b.reduceMean(x, axes, false, { name: 'mean' });
  const m = alignMask(b, mask, x, block);
  const maskAxes = b.typeOf(m).axes;
  const broadcastAxes = axes.filter((a) => maskAxes[a]!.size === 1);
  const maskedAxes = axes.filter((a) => maskAxes[a]!.size !== 1);
  const base = broadcastAxes.length > 0 ? b.reduceMean(x, broadcastAxes, true, { name: 'mean.unmasked' }) : x;
  if (maskedAxes.length === 0) return b.reduceMean(base, axes, false, { name: 'mean' });
  const total = b.reduceSum(b.mul(base, m, { name: 'mean.masked' }), axes, false, { name: 'mean.sum' });
  const count = b.reduceSum(m, maskedAxes, true, { name: 'mean.count' });
  // Drop the kept size-1 axes of the count so it lines up with `total`.
  const countAxes = b.typeOf(count).axes;
  const keptCount = b.reshape(count, countAxes.filter((_, i) => !axes.includes(i)).map((a) => a.size), { name: 'mean.count' });
  return b.div(total, keptCount, { name: 'mean' });
}

/**
 * Softmax along `axis`. Masked positions are replaced by MASK_VALUE before the softmax, so
 * they get probability 0; a fully masked row gets the uniform distribution 1/n, never NaN.
 */
export function softmaxValue(b: IrBuilder, x: ValueId, axis: number, mask: ValueId | undefined, block = 'softmax'): ValueId {
  if (mask === undefined) return b.softmax(x, axis, { name: 'softmax' });
  const keep = b.greater(alignMask(b, mask, x, block), b.scalar(0.5), { name: 'mask.keep' });
  const masked = b.where(keep, x, b.scalar(MASK_VALUE), { name: 'softmax.masked' });
  return b.softmax(masked, axis, { name: 'softmax' });
}

/**
 * −Σ (p+eps)·ln(p+eps) along `axis`, which the result drops. Masked positions add nothing:
 * they are replaced by 1 before the logarithm, so a probability of exactly 0 there gives
 * neither NaN nor an infinite gradient.
 */
export function entropyValue(b: IrBuilder, p: ValueId, axis: number, eps: number, mask: ValueId | undefined, block = 'entropy'): ValueId {
  let shifted = eps > 0 ? b.add(p, b.scalar(eps), { name: 'entropy.shift' }) : p;
  if (mask !== undefined) {
    const keep = b.greater(alignMask(b, mask, p, block), b.scalar(0.5), { name: 'mask.keep' });
    shifted = b.where(keep, shifted, b.scalar(1), { name: 'entropy.masked' });
  }
  const terms = b.mul(shifted, b.log(shifted, { name: 'entropy.log' }), { name: 'entropy.terms' });
  return b.neg(b.reduceSum(terms, [axis], false, { name: 'entropy.sum' }), { name: 'entropy' });
}

function axesOf(b: IrBuilder, x: ValueId, refs: AxisRef | AxisRef[] | null, block: string): number[] {
  const axes = b.typeOf(x).axes;
  if (refs === null) return axes.map((_, i) => i);
  return (Array.isArray(refs) ? refs : [refs]).map((r) => resolveAxis(axes, r, block));
}

const maskPort = { name: 'mask', type: 'f32 or bool, axes a subset of x by name', optional: true, doc: '1 keeps a position, 0 drops it' } as const;

export const normalize = defineBlock<{ over: AxisRef; eps: number }>({
  name: 'normalize',
  doc: 'x / max(‖x‖₂, eps) along one axis, as torch.nn.functional.normalize.',
  options: {
    over: { type: 'axis', default: null, doc: 'axis to normalize; defaults to the last' },
    eps: { type: 'number', default: 1e-12, min: 0, doc: 'lower bound on the norm' },
  },
  inputs: [{ name: 'x', type: 'f32[...]', doc: 'vectors' }],
  outputs: [{ name: 'y', type: 'same as x', doc: 'unit vectors' }],
  expand(b, o, inputs) {
    const x = requireInput('normalize', inputs, 'x');
    const axes = b.typeOf(x).axes;
    const axis = o.over === null ? axes.length - 1 : resolveAxis(axes, o.over, 'normalize');
    return { y: normalizeValue(b, x, axis, o.eps) };
  },
});

export const mean = defineBlock<{ over: AxisRef | AxisRef[] | null }>({
  name: 'mean',
  doc: 'Mean over axes; with a mask, the mean of the kept positions (a fully masked slice gives NaN).',
  options: { over: { type: 'axes', default: null, doc: 'axes to average; defaults to all' } },
  inputs: [{ name: 'x', type: 'f32[...]', doc: 'values' }, maskPort],
  outputs: [{ name: 'y', type: 'x without the averaged axes', doc: 'means' }],
  expand(b, o, inputs) {
    const x = requireInput('mean', inputs, 'x');
    return { y: meanValue(b, x, axesOf(b, x, o.over, 'mean'), inputs['mask']) };
  },
});

export const softmax = defineBlock<{ over: AxisRef }>({
  name: 'softmax',
  doc: 'Softmax along one axis. Masked positions get probability 0 (they are set to -1e9 first); a fully masked row gets the uniform distribution.',
  options: { over: { type: 'axis', doc: 'axis that sums to 1' } },
  inputs: [{ name: 'x', type: 'f32[...]', doc: 'scores' }, maskPort],
  outputs: [{ name: 'y', type: 'same as x', doc: 'probabilities' }],
  expand(b, o, inputs) {
    const x = requireInput('softmax', inputs, 'x');
    return { y: softmaxValue(b, x, resolveAxis(b.typeOf(x).axes, o.over, 'softmax'), inputs['mask']) };
  },
});

/** Returns the axis of the softmax that produced `p`, or undefined when `p` is not a softmax result. */
function softmaxAxis(b: IrBuilder, p: ValueId): number | undefined {
  const node = b.producer(p);
  if (node.op === 'softmax') return (node.attrs as { axis: number }).axis;
  return undefined;
}

export const entropy = defineBlock<{ over: AxisRef | null; eps: number }>({
  name: 'entropy',
  doc: '−Σ (p+eps)·ln(p+eps) along the axis p was normalized over; the result drops that axis. Masked positions add nothing.',
  options: {
    over: { type: 'axis', default: null, doc: 'the axis p sums to 1 along; defaults to the axis of the softmax that produced p' },
    eps: { type: 'number', default: 1e-7, min: 0, doc: 'added to p inside the sum and the logarithm' },
  },
  inputs: [{ name: 'p', type: 'f32[...]', doc: 'probabilities' }, maskPort],
  outputs: [{ name: 'y', type: 'p without the summed axis', doc: 'entropies in nats' }],
  expand(b, o, inputs) {
    const p = requireInput('entropy', inputs, 'p');
    const axis = o.over === null ? softmaxAxis(b, p) : resolveAxis(b.typeOf(p).axes, o.over, 'entropy');
    if (axis === undefined) {
      throw new BlockError('entropy', "'entropy' needs option 'over' because its input does not come straight from a softmax.", 'over');
    }
    return { y: entropyValue(b, p, axis, o.eps, inputs['mask']) };
  },
});
