// Batched matrix product with numpy semantics for the reference interpreter.
import { broadcastIndex, broadcastShapes, emptyLike, sizeOf, type Tensor } from './tensor.js';

/**
 * [..., m, k] × [..., k, n] → [..., m, n], broadcasting the leading axes. A 1-D operand is
 * promoted to a matrix (a row on the left, a column on the right) and that axis is
 * dropped from the result, as numpy does.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const n = bShape[bShape.length - 1]!;
  if (bShape[bShape.length - 2] !== k) {
    throw new Error(`matmul operands [${a.shape.join(', ')}] and [${b.shape.join(', ')}] have different inner sizes`);
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);

  const batch = broadcastShapes([aBatch, bBatch]);
  const aIndex = broadcastIndex(aBatch, batch);
  const bIndex = broadcastIndex(bBatch, batch);
  const out = emptyLike(a.data, [...batch, m, n]);
  // Float64 copies keep the inner loop on one array kind, which V8 runs several times faster.
  const left = a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
  const right = b.data instanceof Float64Array ? b.data : Float64Array.from(b.data);
  const row = new Float64Array(n);
  for (let p = 0; p < sizeOf(batch); p++) {
    const aBase = aIndex[p]! * m * k;
    const bBase = bIndex[p]! * k * n;
    const outBase = p * m * n;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let t = 0; t < k; t++) {
        const scale = left[aBase + i * k + t]!;
        const bRow = bBase + t * n;
        for (let j = 0; j < n; j++) row[j]! += scale * right[bRow + j]!;
      }
      out.data.set(row, outBase + i * n);
    }
  }

  const shape = out.shape.slice();
  if (b.shape.length === 1) shape.splice(shape.length - 1, 1);
  if (a.shape.length === 1) shape.splice(shape.length - (b.shape.length === 1 ? 1 : 2), 1);
  return { shape, data: out.data };
}
