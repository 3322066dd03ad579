// Checks the wasm backend's kernels on the native addon against tfjs's cpu backend. The
// cases cover values and gradients of every transpose form, batch broadcasting, fused bias
// and relu, and attention with and without a causal mask. A short training run is compared
// with XNNPACK's per-step losses.
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { trainModule } from '../../../src/backends/tfjs/index.js';
import { attention, layerNorm, linear, linearTransposed, matmul, quickGelu } from '../../../src/runtime/kernels/index.js';
import { nativeMatmulActive } from '../../../src/runtime/kernels/native-matmul.js';
import { selectBackend, syntheticDataSource } from '../../../src/runtime/index.js';
import { loadNativeKernels } from '../../../src/runtime/native.js';

const native = loadNativeKernels();
const compilerWorks = (() => {
  try {
    execFileSync(process.env['CC'] ?? 'cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('native addon availability', () => {
  it('is built wherever a C compiler works', () => {
    // Only a machine without a compiler may run the wasm tests on XNNPACK alone.
    if (compilerWorks) expect(native.kernels, native.reason).toBeDefined();
    else expect(native.reason).toMatch(/\S/);
  });
});

/** Runs `f` on the cpu backend and on wasm, returning both results as plain arrays. */
async function onBothBackends(f: () => tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  await selectBackend({ force: 'cpu' });
  const cpu = tf.tidy(f).map((t) => t.dataSync() as Float32Array);
  await selectBackend({ force: 'wasm' });
  expect(nativeMatmulActive()).toBe(true);
  const wasm = tf.tidy(f).map((t) => t.dataSync() as Float32Array);
  return { cpu, wasm };
}

function expectClose(got: Float32Array[], want: Float32Array[], tolerance = 2e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((values, i) => {
    const reference = want[i]!;
    expect(values.length).toBe(reference.length);
    let worst = 0;
    for (let j = 0; j < values.length; j++) worst = Math.max(worst, Math.abs(values[j]! - reference[j]!) / (1 + Math.abs(reference[j]!)));
    expect(worst).toBeLessThan(tolerance);
  });
}

describe.skipIf(native.kernels === undefined)('wasm kernels on the native addon', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'wasm' });
  });

  afterAll(async () => {
    await selectBackend({ force: 'wasm' });
  });

  it('BatchMatMul matches cpu in every form', async () => {
    const shapes: Array<[number[], number[], boolean, boolean]> = [
      [[7, 5], [5, 9], false, false],
      [[5, 7], [5, 9], true, false],
      [[7, 5], [9, 5], false, true],
      [[5, 7], [9, 5], true, true],
      [[3, 17, 6], [3, 6, 16], false, false],
      [[1, 17, 6], [4, 6, 16], false, false],
      [[4, 6, 17], [1, 16, 6], true, true],
      [[2, 3, 65, 32], [2, 3, 65, 32], false, true],
    ];
    const run = () => shapes.flatMap(([sa, sb, ta, tb], i) => {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 10 + i);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 20 + i);
      return [tf.matMul(a, b, ta, tb)];
    });
    const { cpu, wasm } = await onBothBackends(run);
    expectClose(wasm, cpu);
  });

  it('fused products add the bias and apply relu', async () => {
    const run = () => {
      const a = tf.randomNormal([33, 12], 0, 1, 'float32', 1);
      const b = tf.randomNormal([12, 19], 0, 1, 'float32', 2);
      const bias = tf.randomNormal([19], 0, 1, 'float32', 3);
      const one = tf.scalar(0.5).reshape([1]) as tf.Tensor1D;
      return [
        tf.fused.matMul({ a, b, bias, activation: 'relu' }),
        tf.fused.matMul({ a, b: tf.transpose(b), transposeB: true, bias }),
        tf.fused.matMul({ a, b, bias: one }),
        // An activation the addon lacks falls back to XNNPACK.
        tf.fused.matMul({ a, b, bias, activation: 'elu' }),
      ];
    };
    const { cpu, wasm } = await onBothBackends(run);
    expectClose(wasm, cpu);
    // relu leaves no negative value and keeps some positive ones.
    expect(Math.min(...wasm[0]!)).toBe(0);
    expect(Math.max(...wasm[0]!)).toBeGreaterThan(0);
  });

  it('linear layers give the cpu backend gradients', async () => {
    const run = () => {
      const x = tf.randomNormal([4, 9, 8], 0, 1, 'float32', 4);
      const w = tf.randomNormal([8, 13], 0, 1, 'float32', 5);
      const wt = tf.randomNormal([13, 8], 0, 1, 'float32', 6);
      const b = tf.randomNormal([13], 0, 1, 'float32', 7);
      const r = tf.randomNormal([4, 9, 13], 0, 1, 'float32', 8);
      const loss = (x: tf.Tensor, w: tf.Tensor, wt: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.add(
        linear(x, w as tf.Tensor2D, b as tf.Tensor1D, 'relu'), linearTransposed(x, wt as tf.Tensor2D, b as tf.Tensor1D)), r));
      const grads = tf.grads(loss)([x, w, wt, b]);
      const batched = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(matmul(p, q), tf.range(0, 4 * 9 * 9).reshape([4, 9, 9]))))(
        [x, tf.randomNormal([4, 8, 9], 0, 1, 'float32', 9)]);
      return [loss(x, w, wt, b), ...grads, ...batched];
    };
    const { cpu, wasm } = await onBothBackends(run);
    expectClose(wasm, cpu, 5e-5);
  });

  it('attention values and gradients match cpu', async () => {
    const [batch, tokens, heads, depth] = [3, 11, 2, 4];
    const width = heads * depth;
    const run = () => {
      const qkv = tf.randomNormal([batch, tokens, 3 * width], 0, 1, 'float32', 30);
      const r = tf.randomNormal([batch, tokens, width], 0, 1, 'float32', 31);
      const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([tokens, tokens]), -1, 0)), -1e9));
      const out: tf.Tensor[] = [];
      for (const mask of [undefined, causal]) {
        // Blocks in a non-trivial order: k first, then v, then q.
        const attrs = { heads, blocks: [2, 0, 1] as [number, number, number], scale: 1 / Math.sqrt(depth) };
        const loss = (x: tf.Tensor) => tf.sum(tf.mul(attention(x, mask, attrs), r));
        out.push(attention(qkv, mask, attrs), tf.grad(loss)(qkv));
      }
      return out;
    };
    const { cpu, wasm } = await onBothBackends(run);
    expectClose(wasm, cpu, 5e-5);
  });

  it('layer norm and QuickGELU match cpu', async () => {
    const run = () => {
      const x = tf.add(tf.mul(tf.randomNormal([5, 7, 24], 0, 1, 'float32', 40), 3), 2);
      const gamma = tf.randomNormal([24], 1, 0.2, 'float32', 41);
      const beta = tf.randomNormal([24], 0, 0.2, 'float32', 42);
      const r = tf.randomNormal([5, 7, 24], 0, 1, 'float32', 43);
      const norm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(x, g, b, 2, 1e-5), r));
      const gelu = (x: tf.Tensor) => tf.sum(tf.mul(quickGelu(x, 1.702), r));
      return [layerNorm(x, gamma, beta, 2, 1e-5), ...tf.grads(norm)([x, gamma, beta]), quickGelu(x, 1.702), tf.grad(gelu)(x)];
    };
    const { cpu, wasm } = await onBothBackends(run);
    expectClose(wasm, cpu, 5e-5);
  });

  it('binary ops equal stock wasm bits', async () => {
    const pairs: Array<[number[], number[]]> = [
      [[32, 32, 1], [32, 32, 64]], [[5, 7], [5, 7]], [[7], [3, 5, 7]], [[3, 1, 7], [1, 5, 1]], [[], [4, 3]], [[2, 3, 4, 5, 6, 1], [6, 7]],
    ];
    const run = () => pairs.flatMap(([sa, sb], i) => {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 50 + i);
      // Divisors away from 0 keep the quotients finite; a 0 would give the same Infinity on both sides.
      const b = tf.add(tf.abs(tf.randomNormal(sb, 0, 1, 'float32', 60 + i)), 0.5);
      return [tf.add(a, b), tf.sub(b, a), tf.mul(a, b), tf.div(a, b)];
    });
    await selectBackend({ force: 'wasm' });
    const native = tf.tidy(run).map((t) => Array.from(t.dataSync()));
    process.env['TIERC_NATIVE'] = '0';
    let stock: number[][];
    try {
      await selectBackend({ force: 'wasm' });
      stock = tf.tidy(run).map((t) => Array.from(t.dataSync()));
    } finally {
      delete process.env['TIERC_NATIVE'];
      await selectBackend({ force: 'wasm' });
    }
    expect(native).toEqual(stock);
  });

  it('training losses match XNNPACK', async () => {
    const module = clipTierModule({ image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: 'quick_gelu' });
    const data = () => syntheticDataSource({ batchSize: 4, channels: 1, imageSize: 8, tokens: 6, vocab: 20, seed: 3 });
    const losses = async (): Promise<number[]> => {
      const seen: number[] = [];
      await trainModule(module, { steps: 4, seed: 0, backend: 'wasm', optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.1 } }, data(), {
        onStep: (m) => seen.push(m.loss),
      });
      return seen;
    };
    const withNative = await losses();
    expect(nativeMatmulActive()).toBe(true);
    process.env['TIERC_NATIVE'] = '0';
    let stock: number[];
    try {
      stock = await losses();
      expect(nativeMatmulActive()).toBe(false);
    } finally {
      delete process.env['TIERC_NATIVE'];
    }
    expect(withNative).toHaveLength(4);
    withNative.forEach((loss, i) => expect(Math.abs(loss - stock[i]!)).toBeLessThan(1e-4));
    // The run learns something: the last loss differs from the first.
    expect(withNative[3]).not.toBe(withNative[0]);
  });
});
