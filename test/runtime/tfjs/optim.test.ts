import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Optimizer, selectBackend, type OptimizerOptions } from '../../../src/runtime/index.js';

const SHAPES: Record<string, number[]> = { w1: [3, 4], b1: [4], w2: [4, 2], scale: [] };
const DECAY: Record<string, boolean> = { w1: true, b1: false, w2: true, scale: false };

/** PyTorch's Adam/AdamW step written per parameter with the same float32 operations. */
function referenceStep(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, t: number, lr: number, options: OptimizerOptions, decay: boolean) {
  return tf.tidy(() => {
    const wd = decay ? (options.weightDecay ?? 0) : 0;
    const grad = options.kind === 'adam' && wd > 0 ? tf.add(g, tf.mul(p, wd)) : g;
    const m2 = tf.add(tf.mul(m, 0.9), tf.mul(grad, 1 - 0.9));
    const v2 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(grad), 1 - 0.999));
    const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(1 - 0.999 ** t)), 1e-8);
    const base = options.kind === 'adamw' && wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
    return { p: tf.sub(base, tf.mul(tf.div(m2, denom), lr / (1 - 0.9 ** t))), m: m2, v: v2 };
  });
}

describe.each(['cpu', 'wasm'] as const)('grouped Adam on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ force: backend });
  });

  it.each(['adam', 'adamw'] as const)('%s equals the per-parameter update bit for bit', (kind) => {
    const options: OptimizerOptions = { kind, lr: 0.01, weightDecay: 0.2 };
    const names = Object.keys(SHAPES);
    // tfjs draws unseeded values for seed 0, so seeds start at 1.
    const start = (name: string, seed: number) => tf.randomNormal(SHAPES[name]!, 0, 1, 'float32', seed + 1);
    const variables = names.map((name, i) => tf.variable(start(name, i)));
    const optimizer = new Optimizer(options, names.map((name, i) => ({ name, variable: variables[i]!, decay: DECAY[name]! })));
    let ref = names.map((name, i) => ({ p: start(name, i), m: tf.zeros(SHAPES[name]!), v: tf.zeros(SHAPES[name]!) }));
    for (let step = 1; step <= 3; step++) {
      // Step 2 has no gradient for b1: it keeps its value and moments.
      const grads = new Map(names.filter((name) => step !== 2 || name !== 'b1').map((name, i) => [name, tf.randomNormal(SHAPES[name]!, 0, 1, 'float32', 100 * step + i)]));
      optimizer.apply(grads, 0.01);
      ref = ref.map((state, i) => {
        const grad = grads.get(names[i]!);
        return grad === undefined ? state : referenceStep(state.p, grad, state.m, state.v, step, 0.01, options, DECAY[names[i]!]!);
      });
      names.forEach((name, i) => expect(Array.from(variables[i]!.dataSync()), `${name} at step ${step}`).toEqual(Array.from(ref[i]!.p.dataSync())));
    }
    optimizer.dispose();
  });

  it('saves and restores moments per parameter', async () => {
    const names = Object.keys(SHAPES);
    const variables = names.map((name, i) => tf.variable(tf.randomNormal(SHAPES[name]!, 0, 1, 'float32', i + 1)));
    const params = names.map((name, i) => ({ name, variable: variables[i]!, decay: DECAY[name]! }));
    const options: OptimizerOptions = { kind: 'adamw', lr: 0.01, weightDecay: 0.1 };
    const first = new Optimizer(options, params);
    first.apply(new Map(names.map((name, i) => [name, tf.fill(SHAPES[name]!, i + 1)])), 0.01);
    const state = await first.saveState();
    // After one step m = 0.1·g, so each slot contains 0.1·(i + 1) in every element.
    names.forEach((name, i) => {
      expect(state.slots.get(`m/${name}`)!.length).toBe(tf.util.sizeFromShape(SHAPES[name]!));
      expect(state.slots.get(`m/${name}`)![0]).toBeCloseTo(0.1 * (i + 1), 6);
    });
    const second = new Optimizer(options, params);
    second.loadState(state);
    const again = await second.saveState();
    expect([...again.slots.keys()].sort()).toEqual([...state.slots.keys()].sort());
    for (const [name, values] of state.slots) expect(Array.from(again.slots.get(name)!), name).toEqual(Array.from(values));
    expect(() => second.loadState({ step: 1, slots: new Map() })).toThrow("The optimizer state has no slot 'm/w1'.");
    first.dispose();
    second.dispose();
  });
});
