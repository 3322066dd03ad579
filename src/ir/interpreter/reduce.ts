// Reductions, softmax and log-softmax of the reference interpreter.
import { emptyLike, floatTensor, sizeOf, stridesOf, type Tensor } from './tensor.js';

export type ReduceKind = 'sum' | 'mean' | 'max';

/** Reduces `axes` of x; with keepDims the reduced axes stay as size 1. */
export function reduce(kind: ReduceKind, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const reduced = new Set(axes);
  const keptShape = x.shape.map((dim, axis) => (reduced.has(axis) ? 1 : dim));
  const outStrides = stridesOf(keptShape);
  const count = axes.reduce((n, axis) => n * x.shape[axis]!, 1);
  const accumulator = new Float64Array(sizeOf(keptShape)).fill(kind === 'max' ? -Infinity : 0);
  const inStrides = stridesOf(x.shape);
  for (let flat = 0; flat < x.data.length; flat++) {
    let target = 0;
    for (let axis = 0; axis < x.shape.length; axis++) {
      if (reduced.has(axis)) continue;
      const coordinate = Math.floor(flat / inStrides[axis]!) % x.shape[axis]!;
      target += coordinate * outStrides[axis]!;
    }
    const value = x.data[flat]!;
    accumulator[target] = kind === 'max' ? Math.max(accumulator[target]!, value) : accumulator[target]! + value;
  }
  if (kind === 'mean') for (let i = 0; i < accumulator.length; i++) accumulator[i]! /= count;
  const shape = keepDims ? keptShape : x.shape.filter((_, axis) => !reduced.has(axis));
  const out = emptyLike(x.data, shape);
  out.data.set(x.data instanceof Int32Array ? accumulator.map(Math.trunc) : accumulator);
  return out;
}

/** Softmax (or log-softmax) along one axis, shifted by the maximum for stability. */
export function softmax(x: Tensor, axis: number, log: boolean): Tensor {
  const out = floatTensor(x.shape.slice());
  const size = x.shape[axis]!;
  const stride = stridesOf(x.shape)[axis]!;
  const outer = sizeOf(x.shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let inner = 0; inner < stride; inner++) {
      const base = o * size * stride + inner;
      let max = -Infinity;
      for (let k = 0; k < size; k++) max = Math.max(max, x.data[base + k * stride]!);
      let sum = 0;
      for (let k = 0; k < size; k++) sum += Math.exp(x.data[base + k * stride]! - max);
      const logSum = Math.log(sum);
      for (let k = 0; k < size; k++) {
        const shifted = x.data[base + k * stride]! - max;
        out.data[base + k * stride] = log ? shifted - logSum : Math.exp(shifted) / sum;
      }
    }
  }
  return out;
}
