import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchedMatmul, conv2d, embedding, oneHotFloat, geluExact, geluTanh, infoNce, layerNorm, linear, quickGelu, selectBackend, softmaxEntropy, TrainingError } from '../../../src/runtime/index.js';
import { compareForms } from './forms.js';

beforeAll(async () => {
  await selectBackend({ force: 'cpu' });
});

describe('tfjs kernels', () => {
  it('linear with bias matches matMul autograd', () => {
    const x = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 1);
    const w = tf.randomNormal([6, 4], 0, 1, 'float32', 2);
    const b = tf.randomNormal([4], 0, 1, 'float32', 3);
    compareForms([x, w, b], (x, w, b) => linear(x!, w as tf.Tensor2D, b as tf.Tensor1D, 'relu'), (x, w, b) => tf.relu(tf.add(tf.matMul(tf.reshape(x!, [-1, 6]), w!), b!)).reshape([2, 5, 4]));
  });

  it('batched matmul matches matMul autograd', () => {
    const a = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 4);
    const b = tf.randomNormal([2, 3, 4, 6], 0, 1, 'float32', 5);
    compareForms([a, b], (a, b) => batchedMatmul(a!, b!), (a, b) => tf.matMul(a!, b!));
  });

  it('layer norm matches the composed form', () => {
    const x = tf.randomNormal([3, 4, 8], 0, 2, 'float32', 6);
    const g = tf.randomNormal([8], 1, 0.1, 'float32', 8);
    const b = tf.randomNormal([8], 0, 0.1, 'float32', 9);
    compareForms([x, g, b], (x, g, b) => layerNorm(x!, g!, b, 2, 1e-5), (x, g, b) => {
      const { mean, variance } = tf.moments(x!, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-5))), g!), b!);
    });
  });

  it('activations match their definitions', () => {
    const x = tf.linspace(-6, 6, 97);
    compareForms([x], (x) => quickGelu(x!, 1.702), (x) => tf.mul(x!, tf.sigmoid(tf.mul(x!, 1.702))));
    compareForms([x], (x) => geluExact(x!), (x) => tf.mul(tf.mul(x!, 0.5), tf.add(1, tf.erf(tf.div(x!, Math.SQRT2)))));
    compareForms([x], (x) => geluTanh(x!), (x) => tf.mul(tf.mul(x!, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x!, tf.mul(tf.pow(x!, 3), 0.044715)), Math.sqrt(2 / Math.PI))))));
  });

  it('one-hot embedding equals gather in values and gradients', () => {
    const table = tf.randomNormal([7, 3], 0, 1, 'float32', 10);
    const ids = tf.tensor2d([[1, 4, 4], [6, 0, 1]], [2, 3], 'int32');
    compareForms([table], (t) => embedding(t as tf.Tensor2D, ids, 'one_hot'), (t) => tf.gather(t!, ids), 0);
  });

  it('patch, 1x1 and 3x3 convolutions equal tf.conv2d', () => {
    const x = tf.randomNormal([2, 3, 8, 8], 0, 1, 'float32', 11);
    const attrs = { strides: [4, 4] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number], dilations: [1, 1] as [number, number], groups: 1 };
    const reference = (x: tf.Tensor, w: tf.Tensor, strides: [number, number]) =>
      tf.transpose(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, strides, 'valid'), [0, 3, 1, 2]);
    const w = tf.randomNormal([5, 3, 4, 4], 0, 1, 'float32', 12);
    compareForms([x, w], (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, undefined, attrs), (x, w) => reference(x!, w!, [4, 4]));
    const w3 = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 19);
    const padded = { ...attrs, strides: [2, 1] as [number, number], pads: [1, 0, 1, 2] as [number, number, number, number] };
    const paddedReference = (x: tf.Tensor, w: tf.Tensor) => tf.transpose(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D,
      tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, [2, 1], [[0, 0], [1, 1], [0, 2], [0, 0]]), [0, 3, 1, 2]);
    compareForms([x, w3], (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, undefined, padded), (x, w) => paddedReference(x!, w!));
    const w1 = tf.randomNormal([5, 3, 1, 1], 0, 1, 'float32', 13);
    compareForms([x, w1], (x, w) => conv2d(x as tf.Tensor4D, w as tf.Tensor4D, undefined, { ...attrs, strides: [1, 1] }), (x, w) => reference(x!, w!, [1, 1]));
  });
});

describe('loss numerics', () => {
  it('entropy of a uniform softmax over 49 patches', () => {
    const eps = 1e-7;
    const value = tf.tidy(() => softmaxEntropy(tf.zeros([2, 3, 49]), eps).dataSync()[0]!);
    const p = 1 / 49;
    // −Σ (p+ε)·ln(p+ε) = −(1 + 49ε)·ln(1/49 + ε) = ln 49 + 1.42e-5 = 3.891835: ε raises it slightly above ln 49 = 3.891820.
    const exact = -49 * (p + eps) * Math.log(p + eps);
    expect(exact - Math.log(49)).toBeCloseTo(1.42e-5, 7);
    expect(value).toBeCloseTo(exact, 5);
  });

  it('masked positions leave the softmax', () => {
    const mask = tf.tensor2d([[1, 1, 0, 0]]);
    const value = tf.tidy(() => softmaxEntropy(tf.zeros([1, 4]), 0, mask).dataSync()[0]!);
    expect(value).toBeCloseTo(Math.log(2), 6);
  });

  it('a fully masked row is an error', () => {
    const mask = tf.tensor2d([[1, 1], [0, 0]]);
    expect(() => softmaxEntropy(tf.zeros([2, 2]), 1e-7, mask)).toThrow(TrainingError);
  });

  it('InfoNCE of a batch of one is zero', () => {
    const { loss, single } = infoNce(tf.tensor2d([[3.5]]));
    expect(Math.abs(loss.dataSync()[0]!)).toBe(0);
    expect(single).toBe(true);
  });

  it('InfoNCE of uniform logits is ln n', () => {
    const { loss } = infoNce(tf.zeros([5, 5]) as tf.Tensor2D);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(5), 6);
  });
});

describe('wasm batched matmul', () => {
  it('depthwise matmul and one-hot forms', async () => {
    await selectBackend({ force: 'wasm' });
    try {
      const a = tf.randomNormal([6, 5, 4], 0, 1, 'float32', 14);
      const b = tf.randomNormal([6, 4, 3], 0, 1, 'float32', 15);
      compareForms([a, b], (a, b) => batchedMatmul(a!, b!), (a, b) => tf.matMul(a!, b!));
      const table = tf.randomNormal([7, 3], 0, 1, 'float32', 18);
      const ids = tf.tensor2d([[1, 4, 4], [6, 0, 1]], [2, 3], 'int32');
      compareForms([table], (t) => embedding(t as tf.Tensor2D, ids, 'one_hot'), (t) => tf.matMul(tf.reshape(tf.tensor(Array.from(ids.dataSync(), (i) => Array.from({ length: 7 }, (_, j) => (i === j ? 1 : 0))).flat(), [6, 7]), [6, 7]), t!).reshape([2, 3, 3]), 0);
      expect(Array.from(oneHotFloat(tf.tensor1d([0, 2], 'int32'), 3).dataSync())).toEqual([1, 0, 0, 0, 0, 1]);
      const x = tf.randomNormal([2, 3, 6, 6], 0, 1, 'float32', 20);
      const w = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 21);
      const conv = { strides: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], dilations: [1, 1] as [number, number], groups: 1 };
      tf.tidy(() => {
        // wasm has no filter gradient kernel, so the reference gradient comes from finite differences of the sum.
        const loss = (wv: tf.Tensor) => tf.sum(tf.square(conv2d(x as tf.Tensor4D, wv as tf.Tensor4D, undefined, conv)));
        const grad = tf.grad(loss)(w).dataSync();
        const base = w.dataSync();
        for (const at of [0, 17, 50, 107]) {
          const bumped = Float32Array.from(base);
          bumped[at]! += 1e-2;
          const up = loss(tf.tensor(bumped, w.shape)).dataSync()[0]!;
          bumped[at]! -= 2e-2;
          const down = loss(tf.tensor(bumped, w.shape)).dataSync()[0]!;
          // The loss is quadratic in w, so the central difference is exact up to float32 rounding of the sums.
          const estimate = (up - down) / 2e-2;
          expect(Math.abs(grad[at]! - estimate)).toBeLessThan(0.01 * Math.max(1, Math.abs(estimate)));
        }
      });
      const q = tf.randomNormal([2, 3, 7, 4], 0, 1, 'float32', 16);
      const kt = tf.randomNormal([2, 3, 4, 7], 0, 1, 'float32', 17);
      compareForms([q, kt], (a, b) => batchedMatmul(a!, b!), (a, b) => tf.matMul(a!, b!));
    } finally {
      await selectBackend({ force: 'cpu' });
    }
  });
});
