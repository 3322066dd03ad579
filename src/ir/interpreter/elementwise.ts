// Elementwise kernels of the reference interpreter: unary maps, broadcasting binary ops,
// comparisons, `where`, `cast` and `clip`.
import type { DType } from '../types.js';
import { erf, geluExact, geluTanh } from './special.js';
import { broadcastIndex, broadcastShapes, emptyLike, floatTensor, intTensor, sizeOf, type Tensor } from './tensor.js';

export type UnaryKind = 'neg' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'abs' | 'tanh' | 'sigmoid' | 'erf' | 'relu' | 'gelu' | 'gelu_tanh';
export type BinaryKind = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

const unaryFunctions: Record<UnaryKind, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  reciprocal: (x) => 1 / x,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  erf,
  relu: (x) => (x > 0 ? x : 0),
  gelu: geluExact,
  gelu_tanh: geluTanh,
};

const binaryFunctions: Record<BinaryKind, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  minimum: Math.min,
};

export function unary(kind: UnaryKind, x: Tensor): Tensor {
  const f = unaryFunctions[kind];
  const out = emptyLike(x.data, x.shape.slice());
  for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]!);
  return out;
}

/** Applies a broadcasting binary op; integer tensors give an integer result, truncating division toward zero. */
export function binary(kind: BinaryKind, a: Tensor, b: Tensor): Tensor {
  const f = binaryFunctions[kind];
  const shape = broadcastShapes([a.shape, b.shape]);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const isInt = a.data instanceof Int32Array && b.data instanceof Int32Array;
  const out = isInt ? intTensor(shape) : floatTensor(shape);
  for (let i = 0; i < out.data.length; i++) {
    const value = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
    out.data[i] = isInt ? Math.trunc(value) : value;
  }
  return out;
}

/** `greater` or `equal`, producing a bool tensor stored as 0/1 integers. */
export function compare(kind: 'greater' | 'equal', a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes([a.shape, b.shape]);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const out = intTensor(shape);
  for (let i = 0; i < out.data.length; i++) {
    const x = a.data[ia[i]!]!;
    const y = b.data[ib[i]!]!;
    out.data[i] = (kind === 'greater' ? x > y : x === y) ? 1 : 0;
  }
  return out;
}

export function where(condition: Tensor, then: Tensor, otherwise: Tensor): Tensor {
  const shape = broadcastShapes([condition.shape, then.shape, otherwise.shape]);
  const ic = broadcastIndex(condition.shape, shape);
  const it = broadcastIndex(then.shape, shape);
  const io = broadcastIndex(otherwise.shape, shape);
  const out = emptyLike(then.data, shape);
  for (let i = 0; i < sizeOf(shape); i++) {
    out.data[i] = condition.data[ic[i]!] ? then.data[it[i]!]! : otherwise.data[io[i]!]!;
  }
  return out;
}

/** Converts between dtypes: float to int truncates toward zero, anything to bool tests for non-zero. */
export function cast(x: Tensor, to: DType): Tensor {
  const shape = x.shape.slice();
  if (to === 'f32') return floatTensor(shape, x.data);
  const out = intTensor(shape);
  for (let i = 0; i < x.data.length; i++) {
    const value = x.data[i]!;
    if (to === 'bool') out.data[i] = value !== 0 ? 1 : 0;
    else out.data[i] = Math.trunc(value);
  }
  return out;
}

export function clip(x: Tensor, min: number | undefined, max: number | undefined): Tensor {
  const low = min ?? -Infinity;
  const high = max ?? Infinity;
  const out = emptyLike(x.data, x.shape.slice());
  for (let i = 0; i < x.data.length; i++) out.data[i] = Math.min(Math.max(x.data[i]!, low), high);
  return out;
}
