// Row lookups. The gradient of `gather` needs UnsortedSegmentSum, which the wasm backend
// lacks, so the 'one_hot' form computes the table gradient as one_hot(ids)ᵀ × dy, a plain
// matmul. The 'scatter' form adds each row of dy into its table row on the CPU side. For
// peer_small's [1024, 128] dy and 1000 rows on wasm, that takes well under a millisecond,
// while the one-hot product with its transposes took about 20. Forward values are the same
// in every form (a gather copies rows exactly).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';

export type EmbeddingForm = 'gather' | 'one_hot' | 'scatter';

/**
 * one_hot(ids, n) as float32. It is built as int32 and then cast, because the wasm backend's
 * OneHot kernel (tfjs-backend-wasm 4.22.0) writes integer bits into a float32 output.
 */
export function oneHotFloat(ids: tf.Tensor, n: number): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(ids, 'int32'), n), 'float32');
}

/** table[n, d] looked up at ids i32[...] → [..., d]. */
export function embedding(table: tf.Tensor2D, ids: tf.Tensor, form: EmbeddingForm): tf.Tensor {
  if (form === 'gather') return tf.gather(table, ids);
  const [n, d] = table.shape;
  const flatIds = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const f = customOp(([t], save) => {
    save([flatIds]);
    return {
      value: tf.gather(t as tf.Tensor2D, flatIds),
      gradFunc: (dy, saved) => {
        if (form === 'scatter') return scatterRows(saved[0]!, dy, n, d);
        const hot = oneHotFloat(saved[0]!, n) as tf.Tensor2D;
        return tf.matMul(tf.transpose(hot), dy as tf.Tensor2D);
      },
    };
  });
  return tf.reshape(f(table), [...ids.shape, d]);
}

/**
 * Sums the rows of dy [m, d] into a [n, d] table gradient by ids [m]. It reads both tensors
 * synchronously, which the cpu and wasm backends do without waiting.
 */
function scatterRows(ids: tf.Tensor, dy: tf.Tensor, n: number, d: number): tf.Tensor {
  const rows = ids.dataSync();
  const values = dy.dataSync();
  const table = new Float32Array(n * d);
  for (let row = 0; row < rows.length; row++) {
    const target = rows[row]! * d;
    const source = row * d;
    for (let j = 0; j < d; j++) table[target + j]! += values[source + j]!;
  }
  return tf.tensor2d(table, [n, d]);
}
