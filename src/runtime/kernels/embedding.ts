// Row lookups. The gradient of `gather` needs UnsortedSegmentSum, which the wasm backend
// lacks, so the 'one_hot' form computes the table gradient as one_hot(ids)ᵀ × dy, a plain
// matmul. Forward values are the same in both forms (a gather copies rows exactly).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';

export type EmbeddingForm = 'gather' | 'one_hot';

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
        const hot = oneHotFloat(saved[0]!, n) as tf.Tensor2D;
        return tf.matMul(tf.transpose(hot), dy as tf.Tensor2D);
      },
    };
  });
  return tf.reshape(f(table), [...ids.shape, d]);
}
