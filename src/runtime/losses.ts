// Reference forms of the two TIER loss families on tfjs tensors, used by tests and by code
// that trains without a spec: symmetric InfoNCE through log-softmax, and the entropy
// −Σ (p+ε)·ln(p+ε) of a masked softmax. A mask removes positions from both the softmax
// and the mean; a row with every position masked is an error, never a NaN.
import * as tf from '@tensorflow/tfjs-core';
import { TrainingError } from './errors.js';

/**
 * ½·[CE(logits, diag) + CE(logitsᵀ, diag)] for square logits [n, n]. With n = 1 the loss is
 * exactly 0 because there are no negatives, and `single` is true so the caller can warn.
 */
export function infoNce(logits: tf.Tensor2D): { loss: tf.Scalar; single: boolean } {
  const n = logits.shape[0];
  const loss = tf.tidy(() => {
    const eye = tf.eye(n);
    const rows = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), eye), 1)));
    const cols = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.transpose(logits)), eye), 1)));
    return tf.mul(tf.add(rows, cols), 0.5) as tf.Scalar;
  });
  return { loss, single: n === 1 };
}

/**
 * Mean over rows of the entropy of softmax(scores) along the last axis, with ε added inside
 * the logarithm as TIER's reference code does. `mask` (1 keeps, 0 removes) has the scores'
 * shape; masked positions leave the softmax, and rows listed in `rowMask` with 0 leave the mean.
 */
export function softmaxEntropy(scores: tf.Tensor, eps: number, mask?: tf.Tensor, rowMask?: tf.Tensor): tf.Scalar {
  if (mask) {
    const emptyRows = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.sum(mask, -1), 0), 'float32')).dataSync()[0]!);
    if (emptyRows > 0) throw new TrainingError('TIER6011', `${emptyRows} row(s) of the entropy's softmax have every position masked.`);
  }
  return tf.tidy(() => {
    const masked = mask ? tf.where(tf.greater(mask, 0), scores, tf.fill(scores.shape, -Infinity)) : scores;
    const p = tf.softmax(masked);
    const shifted = tf.add(p, eps);
    let terms = tf.mul(shifted, tf.log(shifted));
    // where(), not a product: a masked position's 0·ln 0 is NaN when ε = 0.
    if (mask) terms = tf.where(tf.greater(mask, 0), terms, tf.zerosLike(terms));
    const entropy = tf.neg(tf.sum(terms, -1));
    if (!rowMask) return tf.mean(entropy) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(entropy, rowMask)), tf.sum(rowMask)) as tf.Scalar;
  });
}
