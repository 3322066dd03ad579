// Small dense-array helpers for evaluation: a row-major tensor type with a shape, row access,
// dot products and L2 normalization. Evaluation sizes (thousands of images, 49–196 patches,
// widths up to 768) fit plain typed arrays, so no tensor library is needed here.
import { EvalError } from './errors.js';

/** A row-major float32 tensor, for example patch embeddings of shape [image, patch, dim]. */
export interface Tensor {
  data: Float32Array;
  shape: readonly number[];
}

export type Vector = ArrayLike<number>;

/** Returns the product of a shape's sizes. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Creates a tensor after checking that `data` has as many elements as `shape` declares. */
export function tensor(data: Float32Array, shape: readonly number[], what = 'tensor'): Tensor {
  for (const size of shape) {
    if (!Number.isInteger(size) || size < 0) {
      throw new EvalError({ code: 'TIER7024', message: `The shape [${shape.join(', ')}] of ${what} has a size that is not a non-negative integer.` });
    }
  }
  if (data.length !== shapeSize(shape)) {
    throw new EvalError({
      code: 'TIER7024',
      message: `The ${what} has ${data.length} values but its shape [${shape.join(', ')}] needs ${shapeSize(shape)}.`,
    });
  }
  return { data, shape: [...shape] };
}

/** Stacks equal-length rows into a tensor of shape [rows, width]. */
export function stackRows(rows: readonly Vector[], what = 'rows'): Tensor {
  const width = rows.length > 0 ? (rows[0] as Vector).length : 0;
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, index) => {
    if (row.length !== width) {
      throw new EvalError({ code: 'TIER7013', message: `Row ${index} of ${what} has width ${row.length}, but row 0 has width ${width}.` });
    }
    for (let j = 0; j < width; j++) data[index * width + j] = row[j] as number;
  });
  return { data, shape: [rows.length, width] };
}

/** Checks that `value` has rank `names.length` and returns its sizes; names appear in the message. */
export function expectRank(value: Tensor, names: readonly string[], what: string): number[] {
  if (value.shape.length !== names.length) {
    throw new EvalError({
      code: 'TIER7024',
      message: `The ${what} has shape [${value.shape.join(', ')}], but it must have shape [${names.join(', ')}].`,
    });
  }
  return [...value.shape];
}

/** Dot product in float64 of two equal-length vectors, each read from an offset. */
export function dot(a: Vector, b: Vector, aOffset = 0, bOffset = 0, length = a.length): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += (a[aOffset + i] as number) * (b[bOffset + i] as number);
  return sum;
}

/** Returns `vector / ‖vector‖₂` in float64; a zero or non-finite vector is an error naming `what`. */
export function normalized(vector: Vector, what: string): Float64Array {
  const result = Float64Array.from(vector as ArrayLike<number>);
  const norm = Math.sqrt(dot(result, result));
  if (!Number.isFinite(norm) || norm === 0) {
    throw new EvalError({
      code: 'TIER7014',
      message: `The embedding of ${what} has ${norm === 0 ? 'zero length' : 'non-finite values'} and cannot be normalized.`,
    });
  }
  for (let i = 0; i < result.length; i++) result[i] = (result[i] as number) / norm;
  return result;
}

/** Returns the element-wise mean of equal-length vectors. */
export function meanVector(vectors: readonly Vector[], what: string): Float64Array {
  if (vectors.length === 0) throw new EvalError({ code: 'TIER7010', message: `The set ${what} has no vectors to average.` });
  const width = (vectors[0] as Vector).length;
  const mean = new Float64Array(width);
  for (const [index, vector] of vectors.entries()) {
    if (vector.length !== width) {
      throw new EvalError({ code: 'TIER7013', message: `Embedding ${index} of ${what} has width ${vector.length}, but embedding 0 has width ${width}.` });
    }
    for (let j = 0; j < width; j++) mean[j] = (mean[j] as number) + (vector[j] as number) / vectors.length;
  }
  return mean;
}
