import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { trainModule } from '../../../src/backends/tfjs/index.js';
import type { IrModule } from '../../../src/ir/index.js';
import { linearTransposed, rowContraction } from '../../../src/runtime/kernels/index.js';
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
