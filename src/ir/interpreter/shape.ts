// Data-movement kernels of the reference interpreter: reshape, transpose, unsqueeze,
// concat, slice, gather, one_hot, range_like and eye_like.
import { emptyLike, floatTensor, intTensor, sizeOf, stridesOf, type Tensor } from './tensor.js';

export function reshape(x: Tensor, shape: number[]): Tensor {
  if (sizeOf(shape) !== x.data.length) {
    throw new Error(`cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  return { shape, data: x.data };
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((axis) => x.shape[axis]!);
  const inStrides = stridesOf(x.shape);
  const strides = perm.map((axis) => inStrides[axis]!);
  const out = emptyLike(x.data, shape);
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let position = 0;
  for (let flat = 0; flat < out.data.length; flat++) {
    out.data[flat] = x.data[position]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]!++;
      position += strides[axis]!;
      if (counter[axis]! < shape[axis]!) break;
      position -= strides[axis]! * counter[axis]!;
      counter[axis] = 0;
    }
  }
  return out;
}

/** Inserts size-1 axes at the given positions of the output. */
export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.shape.length + axes.length;
  const inserted = new Set(axes);
  const shape: number[] = [];
  let next = 0;
  for (let axis = 0; axis < rank; axis++) shape.push(inserted.has(axis) ? 1 : x.shape[next++]!);
  return { shape, data: x.data };
}

export function concat(parts: readonly Tensor[], axis: number): Tensor {
  const first = parts[0]!;
  const shape = first.shape.slice();
  shape[axis] = parts.reduce((total, part) => total + part.shape[axis]!, 0);
  const out = emptyLike(first.data, shape);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  let offset = 0;
  for (const part of parts) {
    const chunk = part.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) {
      out.data.set(part.data.subarray(o * chunk, (o + 1) * chunk), o * shape[axis]! * inner + offset);
    }
    offset += chunk;
  }
  return out;
}

export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const shape = x.shape.slice();
  shape[axis] = end - start;
  const out = emptyLike(x.data, shape);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const size = x.shape[axis]!;
  for (let o = 0; o < outer; o++) {
    const from = (o * size + start) * inner;
    out.data.set(x.data.subarray(from, from + (end - start) * inner), o * (end - start) * inner);
  }
  return out;
}

/** Rows of `table` [n, ...rest] picked by integer ids: the result is [...ids, ...rest]. */
export function gather(table: Tensor, ids: Tensor): Tensor {
  const rows = table.shape[0]!;
  const rest = table.shape.slice(1);
  const width = sizeOf(rest);
  const out = emptyLike(table.data, [...ids.shape, ...rest]);
  for (let i = 0; i < ids.data.length; i++) {
    const id = ids.data[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= rows) {
      throw new Error(`gather index ${id} is outside the table's ${rows} rows`);
    }
    out.data.set(table.data.subarray(id * width, (id + 1) * width), i * width);
  }
  return out;
}

/** One-hot rows of length n; an index outside [0, n) gives a row of zeros. */
export function oneHot(indices: Tensor, n: number): Tensor {
  const out = floatTensor([...indices.shape, n]);
  for (let i = 0; i < indices.data.length; i++) {
    const index = indices.data[i]!;
    if (index >= 0 && index < n) out.data[i * n + index] = 1;
  }
  return out;
}

export function range(n: number): Tensor {
  const out = intTensor([n]);
  for (let i = 0; i < n; i++) out.data[i] = i;
  return out;
}

export function eyeLike(x: Tensor): Tensor {
  const [rows, columns] = x.shape as [number, number];
  const out = emptyLike(x.data, [rows, columns]);
  for (let i = 0; i < Math.min(rows, columns); i++) out.data[i * columns + i] = 1;
  return out;
}
