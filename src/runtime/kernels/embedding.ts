// Row lookups. The gradient of `gather` needs UnsortedSegmentSum, which the wasm backend
// lacks, so the 'one_hot' form computes the table gradient as one_hot(ids)ᵀ × dy, a plain
// matmul. Forward values are the same in both forms (a gather copies rows exactly).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';

export type EmbeddingForm = 'gather' | 'one_hot';

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
        const hot = tf.oneHot(saved[0] as tf.Tensor1D, n, 1, 0, 'float32');
        return tf.matMul(tf.transpose(hot), dy as tf.Tensor2D);
      },
    };
  });
  return tf.reshape(f(table), [...ids.shape, d]);
}
