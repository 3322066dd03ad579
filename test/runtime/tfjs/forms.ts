// Helpers shared by the kernel tests: compare a fast kernel form with the plain tfjs form
// in values and in gradients.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Compares values and gradients (of sum(f · r) for a fixed random r) of two forms. */
export function compareForms(inputs: tf.Tensor[], fast: (...xs: tf.Tensor[]) => tf.Tensor, plain: (...xs: tf.Tensor[]) => tf.Tensor, tolerance = 1e-4): void {
  tf.tidy(() => {
    const probe = tf.randomNormal(fast(...inputs).shape, 0, 1, 'float32', 7);
    const loss = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), probe));
    expect(maxDiff(fast(...inputs), plain(...inputs))).toBeLessThanOrEqual(tolerance);
    const gotGrads = tf.grads(loss(fast))(inputs);
    const wantGrads = tf.grads(loss(plain))(inputs);
    gotGrads.forEach((g, i) => expect(maxDiff(g, wantGrads[i]!), `gradient ${i}`).toBeLessThanOrEqual(tolerance));
  });
}
