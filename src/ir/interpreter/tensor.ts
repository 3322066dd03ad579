// Dense row-major tensors in float64 (f32 values) or int32 (i32 and bool values), with the
// index arithmetic the reference interpreter's kernels share: sizes, strides and numpy
// broadcasting.

export type TensorData = Float64Array | Int32Array;

export interface Tensor {
  shape: number[];
  data: TensorData;
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides: the distance in elements between neighbours along each axis. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

export function floatTensor(shape: number[], data?: ArrayLike<number>): Tensor {
  const result = new Float64Array(sizeOf(shape));
  if (data) result.set(data);
  return { shape, data: result };
}

export function intTensor(shape: number[], data?: ArrayLike<number>): Tensor {
  const result = new Int32Array(sizeOf(shape));
  if (data) result.set(data);
  return { shape, data: result };
}

/** Creates a zero tensor of the same storage kind as `like`. */
export function emptyLike(like: TensorData, shape: number[]): Tensor {
  return like instanceof Int32Array ? intTensor(shape) : floatTensor(shape);
}

/** Computes the numpy broadcast of several shapes: right-aligned, and a size-1 axis stretches. */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const result = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const axis = rank - shape.length + i;
      const dim = shape[i]!;
      const current = result[axis]!;
      if (dim === current || dim === 1) continue;
      if (current !== 1) {
        throw new Error(`shapes [${shapes.map((s) => s.join(', ')).join('] and [')}] do not broadcast`);
      }
      result[axis] = dim;
    }
  }
  return result;
}

/**
 * For each flat index of `outShape`, the flat index into a tensor of shape `shape` that
 * broadcasts to it. Returned as a table so inner loops stay simple.
 */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const size = sizeOf(outShape);
  const table = new Int32Array(size);
  const rank = outShape.length;
  const offset = rank - shape.length;
  const inStrides = stridesOf(shape);
  // Stride along each output axis: 0 where the input is broadcast along it.
  const strides = outShape.map((_, axis) => {
    const inAxis = axis - offset;
    if (inAxis < 0 || shape[inAxis] === 1) return 0;
    return inStrides[inAxis]!;
  });
  const counter = new Array<number>(rank).fill(0);
  let position = 0;
  for (let flat = 0; flat < size; flat++) {
    table[flat] = position;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      position += strides[axis]!;
      if (counter[axis]! < outShape[axis]!) break;
      position -= strides[axis]! * counter[axis]!;
      counter[axis] = 0;
    }
  }
  return table;
}
