// Layer norm and batch norm with closed-form backward passes: one pass of a few fused
// reductions in place of the dozen small ops tfjs's autograd records for moments().
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';
import { nativeMatmulActive } from './native-matmul.js';
import { nativeLayerNorm, nativeLayerNormGrad } from './native-rows.js';

/** Layer norm over the axes from `axis` to the end, biased variance, as PyTorch computes it. */
export function layerNorm(x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor | undefined, axis: number, eps: number): tf.Tensor {
  const width = x.shape.slice(axis).reduce((a, b) => a * b, 1);
  const rows = tf.reshape(x, [-1, width]) as tf.Tensor2D;
  const g = tf.reshape(scale, [width]);
  const b = bias ? tf.reshape(bias, [width]) : tf.zeros([width]);
  if (nativeMatmulActive() && x.dtype === 'float32') {
    // One pass forward and one backward on the native addon, with the same saved tensors.
    const native = customOp(([xr, gr, br], save) => {
      const [y, xhat, rstd] = nativeLayerNorm(xr as tf.Tensor2D, gr as tf.Tensor1D, br as tf.Tensor1D, eps);
      save([xhat, rstd, gr!]);
      return {
        value: y,
        gradFunc: (dy, saved) => nativeLayerNormGrad(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor1D, saved[2] as tf.Tensor1D),
      };
    });
    return tf.reshape(native(rows, g, b), x.shape);
  }
  const f = customOp(([xr, gr, br], save) => {
    const mean = tf.mean(xr!, 1, true);
    const centered = tf.sub(xr!, mean);
    const variance = tf.mean(tf.square(centered), 1, true);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(centered, rstd);
    save([xhat, rstd, gr!]);
    return {
      value: tf.add(tf.mul(xhat, gr!), br!),
      gradFunc: (dy, saved) => {
        const [xh, rs, gs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const dxhat = tf.mul(dy, gs);
        const meanD = tf.mean(dxhat, 1, true);
        const meanDX = tf.mean(tf.mul(dxhat, xh), 1, true);
        const dx = tf.mul(tf.sub(tf.sub(dxhat, meanD), tf.mul(xh, meanDX)), rs);
        return [dx, tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
      },
    };
  });
  const out = tf.reshape(f(rows, g, b), x.shape);
  return out;
}

export interface BatchNormUpdate {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * Batch norm over axis 1 of an [N, C, ...] input. In training mode it normalizes with the
 * batch's mean and biased variance and returns the new running statistics (PyTorch's rule:
 * running ← (1 − momentum)·running + momentum·batch, with the unbiased variance).
 */
export function batchNorm(
  x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor, runningMean: tf.Tensor, runningVar: tf.Tensor,
  eps: number, momentum: number, training: boolean,
): { value: tf.Tensor; update?: BatchNormUpdate } {
  const channels = x.shape[1]!;
  const shape = x.shape.map((size, i) => (i === 1 ? channels : 1));
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const reshapeC = (t: tf.Tensor) => tf.reshape(t, shape);
  if (!training) {
    const factor = tf.mul(reshapeC(scale), tf.rsqrt(tf.add(reshapeC(runningVar), eps)));
    return { value: tf.add(tf.mul(tf.sub(x, reshapeC(runningMean)), factor), reshapeC(bias)) };
  }
  const { mean, variance } = tf.moments(x, axes, true);
  const value = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), reshapeC(scale)), reshapeC(bias));
  const count = x.size / channels;
  const update = tf.tidy(() => {
    const batchMean = tf.reshape(mean, [channels]);
    const unbiased = tf.mul(tf.reshape(variance, [channels]), count / Math.max(count - 1, 1));
    return {
      mean: tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(batchMean, momentum)),
      variance: tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)),
    };
  });
  return { value, update };
}
