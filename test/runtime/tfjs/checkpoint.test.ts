import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Param } from '../../../src/ir/types.js';
import {
  decodeSafetensors, encodeSafetensors, learningRate, listCheckpoints, loadPretrained, lossWeight, Optimizer, saveCheckpoint,
  SafetensorsError, selectBackend, TrainingError,
} from '../../../src/runtime/index.js';

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

const sample = () => new Map([
  ['b', { dtype: 'F32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
  ['a', { dtype: 'I32' as const, shape: [2], data: Int32Array.from([7, -8]) }],
]);

function param(name: string, shape: number[]): Param {
  return { name, dtype: 'f32', shape, axisNames: shape.map((_, i) => `d${i}`), role: 'weight', trainable: true, init: { kind: 'zeros' }, component: 'x' };
}

describe('safetensors', () => {
  it('round-trips tensors and metadata', () => {
    const bytes = encodeSafetensors(sample(), { spec_hash: 'abc' });
    const parsed = decodeSafetensors(bytes, 'x.safetensors');
    expect(Array.from(parsed.tensors.get('b')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.tensors.get('b')!.shape).toEqual([2, 3]);
    expect(Array.from(parsed.tensors.get('a')!.data)).toEqual([7, -8]);
    expect(parsed.metadata).toEqual({ spec_hash: 'abc' });
    // The data section starts 8-byte aligned.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('rejects truncated and corrupt files', () => {
    const bytes = encodeSafetensors(sample());
    expect(() => decodeSafetensors(bytes.subarray(0, 5), 'short')).toThrow(/fewer than the 8-byte header length/);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4), 'cut')).toThrow(/truncated/);
    const corrupt = Uint8Array.from(bytes);
    corrupt[8] = 0x7b + 1;
    expect(() => decodeSafetensors(corrupt, 'bad')).toThrow(SafetensorsError);
    const header = (json: string) => {
      const text = Buffer.from(json);
      const out = new Uint8Array(8 + text.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      return out;
    };
    expect(() => decodeSafetensors(header('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'), 'f')).toThrow(/needs 12 bytes/);
    expect(() => decodeSafetensors(header('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}'), 'f')).toThrow(/overlap/);
    expect(() => decodeSafetensors(header('{"x":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}'), 'f')).toThrow(/unknown dtype/);
  });

  it('reports missing, unexpected and mis-shaped pretrained tensors', () => {
    const dir = tempDir('pretrained');
    const file = join(dir, 'w.safetensors');
    writeFileSync(file, encodeSafetensors(new Map([
      ['enc.w', { dtype: 'F32' as const, shape: [2, 2], data: new Float32Array(4).fill(0.5) }],
      ['enc.v', { dtype: 'F32' as const, shape: [3], data: new Float32Array(3) }],
      ['extra', { dtype: 'F32' as const, shape: [1], data: new Float32Array(1) }],
    ])));
    const result = loadPretrained(file, [param('w', [2, 2]), param('v', [4]), param('u', [1])], (p) => `enc.${p.name}`);
    expect(Array.from(result.weights.get('w')!)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual(['TIER6007', 'TIER6008', 'TIER6009']);
    writeFileSync(file, 'not safetensors');
    expect(() => loadPretrained(file, [])).toThrow(TrainingError);
  });
});

describe('checkpoint retention', () => {
  it('keeps the last N and the best K', () => {
    const dir = tempDir('retention');
    const losses = [5, 1, 4, 3, 6];
    losses.forEach((loss, i) => saveCheckpoint(dir, {
      step: i + 1, seed: 0, dataCursor: null, specHash: 'h', specFile: 's.tier', tiercVersion: '0', optimizerStep: i + 1, metrics: { loss },
    }, new Map([['w', new Float32Array([i])]]), new Map(), { keepLast: 2, keepBest: 1, metric: 'loss', mode: 'min' }));
    expect(listCheckpoints(dir).map((c) => c.step)).toEqual([2, 4, 5]);
    expect(JSON.parse(readFileSync(join(dir, 'step-00000002', 'state.json'), 'utf8')).metrics.loss).toBe(1);
  });
});

describe('optimizers and schedules', () => {
  it('AdamW takes the closed-form first step', async () => {
    await selectBackend({ force: 'cpu' });
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const bias = tf.variable(tf.tensor1d([3]));
    const opt = new Optimizer({ kind: 'adamw', lr: 0.1, weightDecay: 0.5 }, [{ name: 'w', variable: w, decay: true }, { name: 'b', variable: bias, decay: false }]);
    opt.apply(new Map([['w', tf.tensor2d([[0.2, 0.4]])], ['b', tf.tensor1d([-1])]]), 0.1);
    // First Adam step moves each weight by lr·sign(g); decoupled decay first scales by 1 − lr·wd.
    const got = Array.from(w.dataSync());
    expect(got[0]).toBeCloseTo(1 * (1 - 0.05) - 0.1, 5);
    expect(got[1]).toBeCloseTo(-2 * (1 - 0.05) - 0.1, 5);
    expect(bias.dataSync()[0]).toBeCloseTo(3 + 0.1, 5);
    opt.dispose();
  });

  it('SGD with momentum accumulates velocity', async () => {
    await selectBackend({ force: 'cpu' });
    const w = tf.variable(tf.scalar(1));
    const opt = new Optimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 }, [{ name: 'w', variable: w, decay: false }]);
    opt.apply(new Map([['w', tf.scalar(1)]]), 0.1);
    opt.apply(new Map([['w', tf.scalar(1)]]), 0.1);
    expect(w.dataSync()[0]).toBeCloseTo(1 - 0.1 - 0.1 * 1.9, 6);
    opt.dispose();
  });

  it('learning-rate schedules follow their formulas', () => {
    expect(learningRate(1, { kind: 'constant', warmupSteps: 4 }, 0, 10)).toBe(0.25);
    expect(learningRate(1, { kind: 'constant', warmupSteps: 4 }, 7, 10)).toBe(1);
    expect(learningRate(1, { kind: 'cosine' }, 5, 10)).toBeCloseTo(0.5, 10);
    expect(learningRate(1, { kind: 'linear', minLr: 0.2 }, 5, 10)).toBeCloseTo(0.6, 10);
    expect(lossWeight({ kind: 'warmup', from: 0, to: 0.4, steps: 4 }, 1)).toBeCloseTo(0.1, 10);
    expect(lossWeight({ kind: 'warmup', from: 0, to: 0.4, steps: 4 }, 9)).toBe(0.4);
  });
});
