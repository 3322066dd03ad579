import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { trainModule } from '../../../src/backends/tfjs/index.js';
import type { IrModule } from '../../../src/ir/index.js';
import { attention, channelProduct, createKernelContext, embedding, kernels, linearTransposed, rowContraction } from '../../../src/runtime/kernels/index.js';
import { installWasmOverrides, uninstallWasmOverrides } from '../../../src/runtime/kernels/wasm-overrides.js';
import { selectBackend, syntheticDataSource } from '../../../src/runtime/index.js';
import { compareForms } from './forms.js';

const TINY = { image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: 'quick_gelu' } as const;
const DATA = { batchSize: 4, channels: 1, imageSize: 8, tokens: 6, vocab: 20, seed: 3 };
const OPTIMIZER = { kind: 'adamw', lr: 1e-3, weightDecay: 0.1 } as const;

function withZeroWeights(module: IrModule, names: string[]): IrModule {
  return { ...module, losses: module.losses.map((l) => (names.includes(l.name) ? { ...l, weight: { kind: 'constant' as const, value: 0 } } : l)) };
}

describe.each(['cpu', 'wasm'] as const)('fast kernel forms on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ force: backend });
  });

  it('linearTransposed matches x·wᵀ + b', () => {
    // n < k and n > k take the two branches of rowContraction for the weight gradient.
    for (const [n, k] of [[3, 7], [9, 4]] as const) {
      const x = tf.randomNormal([2, 5, k], 0, 1, 'float32', 1);
      const w = tf.randomNormal([n, k], 0, 1, 'float32', 2);
      const b = tf.randomNormal([n], 0, 1, 'float32', 3);
      const plain = (x: tf.Tensor, w: tf.Tensor) => tf.reshape(tf.matMul(tf.reshape(x, [-1, k]), tf.transpose(w)), [2, 5, n]);
      compareForms([x, w, b], (x, w, b) => linearTransposed(x!, w as tf.Tensor2D, b as tf.Tensor1D), (x, w, b) => tf.add(plain(x!, w!), b!));
      compareForms([x, w], (x, w) => linearTransposed(x!, w as tf.Tensor2D), (x, w) => plain(x!, w!));
    }
  });

  it('scatter embedding equals one-hot rows', () => {
    const table = tf.randomNormal([7, 3], 0, 1, 'float32', 10);
    const ids = tf.tensor2d([[1, 4, 4], [6, 0, 1]], [2, 3], 'int32');
    // The table gradient of sum(lookup · r) is one_hot(ids)ᵀ · r, exact in either form.
    compareForms([table], (t) => embedding(t as tf.Tensor2D, ids, 'scatter'), (t) => embedding(t as tf.Tensor2D, ids, 'one_hot'), 1e-6);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(embedding(t as tf.Tensor2D, ids, 'scatter')))(table);
    // Row 4 and row 1 are looked up twice, rows 2, 3 and 5 never.
    expect(Array.from(grad.dataSync())).toEqual([1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1]);
  });

  it('where broadcasts like tf.where', () => {
    const ctx = createKernelContext();
    const condition = tf.tensor3d([[[true]], [[false]]], [2, 1, 1], 'bool');
    const x = tf.tensor3d([[[1, -0, Infinity]]], [1, 1, 3]);
    const y = tf.scalar(-Infinity);
    const got = kernels.where(ctx, condition, x, y, {});
    expect(got.shape).toEqual([2, 1, 3]);
    expect(Array.from(got.dataSync())).toEqual([1, -0, Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Object.is(got.dataSync()[1], -0)).toBe(true);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(kernels.where(ctx, condition, a, b, {})))([x, y]);
    expect(Array.from(grads[0]!.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(grads[1]!.dataSync())).toEqual([3]);
  });

  it('rowContraction computes aᵀ·b both ways', () => {
    const a = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const narrow = tf.tensor2d([[1], [0], [2]]);
    const wide = tf.tensor2d([[1, 0, 1], [0, 1, 0], [2, 0, 0]]);
    // aᵀ·narrow = [[1+10], [2+12]]; aᵀ·wide column j sums rows of a weighted by wide[:, j].
    expect(Array.from(rowContraction(a, narrow).dataSync())).toEqual([11, 14]);
    expect(Array.from(rowContraction(a, wide).dataSync())).toEqual([11, 3, 1, 14, 4, 2]);
    expect(rowContraction(a, wide).shape).toEqual([2, 3]);
  });
});

/** Attention written with tfjs's own ops only: the reference for values and gradients. */
function referenceAttention(qkv: tf.Tensor, mask: tf.Tensor | undefined, heads: number, blocks: number[], scale: number): tf.Tensor {
  const [b, t, packed] = qkv.shape as [number, number, number];
  const width = packed / 3;
  const split = (index: number) => tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, index * width], [b, t, width]), [b, t, heads, width / heads]), [0, 2, 1, 3]);
  let scores = tf.mul(tf.matMul(split(blocks[0]!), split(blocks[1]!), false, true), scale);
  if (mask) scores = tf.add(scores, mask);
  return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), split(blocks[2]!)), [0, 2, 1, 3]), [b, t, width]);
}

describe.each(['cpu', 'wasm'] as const)('fused attention on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ force: backend });
  });

  it('matches the composed form with and without a causal mask', () => {
    const qkv = tf.randomNormal([3, 5, 3 * 2 * 4], 0, 1, 'float32', 21);
    const causal = tf.tidy(() => tf.where(tf.greater(tf.range(0, 5).reshape([1, 5]), tf.range(0, 5).reshape([5, 1])), tf.fill([5, 5], -1e9), tf.zeros([5, 5])));
    for (const blocks of [[0, 1, 2], [2, 0, 1]] as [number, number, number][]) {
      for (const mask of [undefined, causal]) {
        const attrs = { heads: 2, blocks, scale: 0.5 };
        compareForms([qkv], (x) => attention(x!, mask, attrs), (x) => referenceAttention(x!, mask, 2, blocks, 0.5));
      }
    }
  });

  it('channelProduct sums over the middle axis per channel', () => {
    // a[i, k, c] = i + k + c, b[k, c, n] = 1: out[i, c, n] = Σₖ (i + k + c) = 2i + 1 + 2c for K = 2.
    const a = tf.tensor3d([[[0, 1], [1, 2]], [[1, 2], [2, 3]]]);
    const b = tf.ones([2, 2, 3]);
    expect(Array.from(channelProduct(a, b).dataSync())).toEqual([1, 1, 1, 3, 3, 3, 3, 3, 3, 5, 5, 5]);
  });
});

describe('wasm Identity override', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'wasm' });
    installWasmOverrides();
  });
  afterAll(async () => {
    await selectBackend({ force: 'cpu' });
  });

  it('clone shares the buffer and outlives its source', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    const wasm = tf.backend() as unknown as { refCount(dataId: object): number };
    expect(y.dataId).toBe(x.dataId);
    expect(wasm.refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
  });

  it('slice copies the same values as the cpu kernel', async () => {
    const shape = [3, 4, 5, 6];
    const values = Float32Array.from({ length: 360 }, (_, i) => i * 0.5 - 7);
    const cases: [number[], number[]][] = [
      [[1, 0, 0, 0], [1, 4, 5, 6]],
      [[0, 1, 2, 3], [3, 2, 3, 3]],
      [[2, 3, 4, 5], [1, 1, 1, 1]],
      [[0, 0, 0, 2], [3, 4, 5, 2]],
      [[0, 2, 0, 0], [3, 2, 5, 6]],
    ];
    const sliced = (backendValues: Float32Array) => cases.map(([begin, size]) => tf.tidy(() => Array.from(tf.slice(tf.tensor(backendValues, shape), begin, size).dataSync())));
    const onWasm = sliced(values);
    const ints = tf.tidy(() => Array.from(tf.slice(tf.tensor([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'), [0, 1], [2, 2]).dataSync()));
    await selectBackend({ force: 'cpu' });
    const onCpu = sliced(values);
    await selectBackend({ force: 'wasm' });
    expect(onWasm).toEqual(onCpu);
    expect(ints).toEqual([2, 3, 5, 6]);
  });

  it('gradients equal those with the copying kernel', () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 11);
    const w = tf.randomNormal([3, 6], 0, 1, 'float32', 12);
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(linearTransposed(x, w as tf.Tensor2D)), x.sum(1, true)));
    const shared = tf.grads(f)([x, w]).map((g) => Array.from(g.dataSync()));
    uninstallWasmOverrides();
    const copied = tf.grads(f)([x, w]).map((g) => Array.from(g.dataSync()));
    installWasmOverrides();
    expect(shared).toEqual(copied);
  });
});

describe('zero-weight loss terms', () => {
  it('launch no kernels and leave the metrics', async () => {
    const base = clipTierModule(TINY);
    const zeroed = withZeroWeights(base, ['words', 'regions']);
    const removed = { ...base, losses: base.losses.filter((l) => l.name === 'clip') };
    const run = async (module: IrModule) => {
      const terms: string[][] = [];
      const losses: number[] = [];
      const profile = await tf.profile(async () => {
        await trainModule(module, { steps: 2, seed: 1, optimizer: OPTIMIZER, backend: 'cpu' }, syntheticDataSource(DATA), {
          onStep: (m) => {
            terms.push(Object.keys(m.terms));
            losses.push(m.loss);
          },
        });
      });
      return { kernels: profile.kernels.length, terms, losses };
    };
    const withZero = await run(zeroed);
    const without = await run(removed);
    const full = await run(base);
    expect(withZero.kernels).toBe(without.kernels);
    expect(full.kernels).toBeGreaterThan(withZero.kernels);
    expect(withZero.terms).toEqual([['clip'], ['clip']]);
    expect(withZero.losses).toEqual(without.losses);
  });
});
