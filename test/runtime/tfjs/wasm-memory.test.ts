// Tests the wasm heap limit. The estimate before the first step rejects a model whose weights,
// gradients and optimizer state cannot fit in 4 GiB, without allocating them. A wasm fault from
// a full heap during a step becomes the same diagnostic with the step number. The models here
// are hand-written, so their parameter counts are exact.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import type { Param } from '../../../src/ir/types.js';
import { syntheticDataSource, TrainingError } from '../../../src/runtime/index.js';
import { estimateTrainingMemory, WASM_HEAP_MAX_BYTES } from '../../../src/runtime/memory.js';
import type { CompiledModel, ModelInfo } from '../../../src/runtime/model.js';
import { trainCompiled, type TrainOptions } from '../../../src/runtime/trainer.js';

const DATA = { batchSize: 2, channels: 1, imageSize: 4, tokens: 4, vocab: 10, seed: 0 };

function param(name: string, shape: number[]): Param {
  return { name, dtype: 'f32', shape, axisNames: shape.map((_, i) => `a${i}`), role: 'weight', trainable: true, init: { kind: 'zeros' }, component: 'head' };
}

function info(params: Param[], activationBytes?: number[]): ModelInfo {
  const model: ModelInfo = {
    name: 'huge', specFile: 'huge.tier', specHash: '0'.repeat(16), tiercVersion: '0.0.0', symbols: [], inputs: [], params,
    losses: [{ name: 'square', weight: { kind: 'constant', value: 1 } }], clamps: [], sizeBindings: [], outputs: [], generalConvs: [],
  };
  if (activationBytes !== undefined) model.activationBytes = activationBytes;
  return model;
}

/** Builds a model whose loss is the sum of its squared parameters; `fault` may throw at a given forward call. */
function squareModel(params: Param[], fault?: (call: number) => void): CompiledModel {
  let calls = 0;
  return {
    MODEL: info(params),
    forward(_ctx, p) {
      fault?.(++calls);
      const total = params.reduce((sum: tf.Tensor, q) => tf.add(sum, tf.sum(tf.square(p[q.name]!))), tf.scalar(0));
      return { losses: { square: total }, outputs: {} };
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<TrainingError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrainingError) return error;
    throw error;
  }
  throw new Error('training did not fail');
}

describe('wasm memory estimate', () => {
  it('counts weights, gradients, optimizer slots and activations', () => {
    const frozen = { ...param('frozen', [10, 10]), trainable: false };
    const model = info([param('w', [3, 5]), frozen], [0, 100, 7]);
    // 115 values in all, 15 trainable; activations 100·3 + 7·3² bytes at batch 3.
    expect(estimateTrainingMemory(model, { kind: 'adam' }, 3)).toEqual({ weights: 460, gradients: 60, optimizer: 120, activations: 363, total: 1003 });
    expect(estimateTrainingMemory(model, { kind: 'sgd', momentum: 0.9 }, 1).optimizer).toBe(60);
    expect(estimateTrainingMemory(model, { kind: 'sgd', momentum: 0 }, 1).optimizer).toBe(0);
    expect(estimateTrainingMemory(info([param('w', [3, 5])]), { kind: 'adam' }, 8).activations).toBe(0);
  });

  it('rejects a model too large for the heap before allocating it', async () => {
    // 32768² values: 4 GiB of weights, 4 of gradients and 8 of Adam moments.
    const model = squareModel([param('big', [32768, 32768])]);
    const options: TrainOptions = {
      steps: 1, seed: 0, backend: 'wasm', optimizer: { kind: 'adam', lr: 1e-3 }, batchSize: 2,
      initialWeights: () => {
        throw new Error('the weights were allocated');
      },
    };
    const error = await rejection(trainCompiled(model, options, syntheticDataSource(DATA)));
    expect(error.diagnostic.code).toBe('TIER6021');
    expect(error.diagnostic.severity).toBe('error');
    expect(error.message).toContain("Training model 'huge' of 'huge.tier' on the wasm backend needs an estimated 16.00 GiB");
    expect(error.message).toContain('weights 4.00, gradients 4.00, Adam moments 8.00 GiB');
    expect(error.message).toContain('more than the 4 GiB that the wasm heap can hold');
    expect(error.message).toContain("freeze an encoder with 'freeze:'");
    expect(error.message).toContain('@tensorflow/tfjs-node');
  });

  it('lets a model under the limit allocate its weights', async () => {
    // 16384² values with plain SGD: 1 GiB of weights and 1 GiB of gradients, under the limit.
    const model = squareModel([param('big', [16384, 16384])]);
    expect(estimateTrainingMemory(model.MODEL, { kind: 'sgd' }, 2).total).toBeLessThan(WASM_HEAP_MAX_BYTES);
    const options: TrainOptions = {
      steps: 1, seed: 0, backend: 'wasm', optimizer: { kind: 'sgd', lr: 1e-3 }, batchSize: 2,
      initialWeights: () => {
        throw new Error('the weights were allocated');
      },
    };
    await expect(trainCompiled(model, options, syntheticDataSource(DATA))).rejects.toThrow('the weights were allocated');
  });

  it('skips the check on the cpu backend', async () => {
    const model = squareModel([param('big', [32768, 32768])]);
    const options: TrainOptions = {
      steps: 1, seed: 0, backend: 'cpu', optimizer: { kind: 'adam', lr: 1e-3 },
      initialWeights: () => {
        throw new Error('the weights were allocated');
      },
    };
    await expect(trainCompiled(model, options, syntheticDataSource(DATA))).rejects.toThrow('the weights were allocated');
  });
});

describe('wasm heap fault during a step', () => {
  const weights = () => new Map([['w', new Float32Array([1, 2, 3, 4])]]);

  it('becomes TIER6021 with the step number', async () => {
    const backend = () => tf.backend() as unknown as { disposeData(id: object, force?: boolean): boolean };
    let restore: (() => void) | undefined;
    // The second step faults, and from then on every call into the wasm module faults too, as
    // after a real out-of-bounds access, including the trainer's cleanup.
    const model = squareModel([param('w', [2, 2])], (call) => {
      if (call !== 2) return;
      const original = backend().disposeData;
      backend().disposeData = () => {
        throw new WebAssembly.RuntimeError('memory access out of bounds');
      };
      restore = () => void (backend().disposeData = original);
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    });
    const steps: number[] = [];
    let error: TrainingError;
    try {
      error = await rejection(trainCompiled(model, { steps: 3, seed: 0, backend: 'wasm', optimizer: { kind: 'sgd', lr: 0.1 }, initialWeights: weights() }, syntheticDataSource(DATA), {
        onStep: (m) => steps.push(m.step),
      }));
    } finally {
      restore?.();
    }
    expect(steps).toEqual([1]);
    expect(error.diagnostic.code).toBe('TIER6021');
    expect(error.message).toContain("Training model 'huge' of 'huge.tier' ran out of the 4 GiB wasm heap at step 2 (memory access out of bounds)");
    expect(error.message).toContain('@tensorflow/tfjs-node-gpu');
  });

  it.each(['Aborted(OOM)', 'Aborted(Cannot enlarge memory arrays to size 4294967296 bytes)', 'Aborted(). Build with -sASSERTIONS for more info.'])('recognizes %s', async (message) => {
    const model = squareModel([param('w', [2, 2])], () => {
      throw new WebAssembly.RuntimeError(message);
    });
    const error = await rejection(trainCompiled(model, { steps: 1, seed: 0, backend: 'wasm', optimizer: { kind: 'sgd', lr: 0.1 }, initialWeights: weights() }, syntheticDataSource(DATA)));
    expect(error.diagnostic.code).toBe('TIER6021');
    expect(error.message).toContain(`at step 1 (${message.replace(' Build with -sASSERTIONS for more info.', '')})`);
  });

  it('passes other errors through', async () => {
    const model = squareModel([param('w', [2, 2])], () => {
      throw new RangeError('some other failure');
    });
    await expect(trainCompiled(model, { steps: 1, seed: 0, backend: 'wasm', optimizer: { kind: 'sgd', lr: 0.1 }, initialWeights: weights() }, syntheticDataSource(DATA))).rejects.toThrow(RangeError);
  });
});

describe('wasm memory check from the command line', () => {
  // A 40-million-row token table of width 8: 320M values, so weights, gradients and Adam moments
  // take an estimated 4.77 GiB. Neither command allocates them before the check.
  function hugeSpec(): { dir: string; spec: string } {
    mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'test', '.tmp', 'wasm-memory-'));
    const small = readFileSync(join(process.cwd(), 'test', 'fixtures', 'specs', 'small-clip.tier'), 'utf8');
    writeFileSync(join(dir, 'huge.tier'), small.replace('vocab: 20,', 'vocab: 40000000,'));
    return { dir, spec: join(dir, 'huge.tier') };
  }
  const expected = "error TIER6021: Training model 'm' of '";

  it('stops tierc train with exit code 1', async () => {
    const { dir, spec } = hugeSpec();
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (text: string) => void err.push(text), cwd: dir, env: {}, isTTY: false };
    const code = await run(['train', spec, '--backend', 'wasm', '--steps', '1', '--out', join(dir, 'run')], io);
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(err.join('')).toContain(expected);
    expect(err.join('')).toContain('needs an estimated 4.77 GiB (weights 1.19, gradients 1.19, Adam moments 2.38');
  });

  it('stops the emitted train.js with exit code 1', async () => {
    const { dir, spec } = hugeSpec();
    const io = { stdout: () => undefined, stderr: () => undefined, cwd: dir, env: {}, isTTY: false };
    expect(await run(['compile', spec, '--target', 'tfjs', '-o', join(dir, 'build')], io)).toBe(0);
    const failed = await promisify(execFile)(process.execPath, [join(dir, 'build', 'm', 'train.js'), '--backend', 'wasm', '--steps', '1'], { cwd: dir, encoding: 'utf8' })
      .then(() => undefined, (error: { code?: number; stderr?: string }) => error);
    rmSync(dir, { recursive: true, force: true });
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(expected);
    expect(failed?.stderr).toContain('needs an estimated 4.77 GiB');
    expect(failed?.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
