import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { compileTfjs, emitTfjs, trainModule } from '../../../src/backends/tfjs/index.js';
import { initializeParams } from '../../../src/ir/init.js';
import { interpret } from '../../../src/ir/interpret.js';
import { bindInputs, bindSizes, createKernelContext, selectBackend, syntheticBatch, syntheticDataSource, TrainingError } from '../../../src/runtime/index.js';
import { listSource, rowsOf } from './batches.js';

const TINY = { image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: 'quick_gelu' } as const;
const DATA = { batchSize: 4, channels: 1, imageSize: 8, tokens: 6, vocab: 20, seed: 3 };
const OPTIMIZER = { kind: 'adamw', lr: 1e-3, weightDecay: 0.1 } as const;

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

async function losses(steps: number, extra: Record<string, unknown> = {}): Promise<number[]> {
  const out: number[] = [];
  await trainModule(clipTierModule(TINY), { steps, seed: 1, optimizer: OPTIMIZER, backend: 'cpu', ...extra }, syntheticDataSource(DATA), {
    onStep: (m) => out.push(m.loss),
  });
  return out;
}

describe('tfjs training', () => {
  it.each(['cpu', 'wasm'] as const)('forward matches the interpreter on %s', async (backend) => {
    await selectBackend({ force: backend });
    const module = clipTierModule(TINY);
    const model = compileTfjs(module);
    const weights = initializeParams(module, 5);
    const batch = syntheticBatch(DATA, 0);
    const expected = interpret(module, {
      inputs: { image: { shape: batch.imageShape, data: batch.images }, token_ids: { shape: batch.tokenShape, data: batch.tokenIds } },
      weights, mode: 'training', outputs: ['image_embedding', 'text_embedding', 'similarity'],
    });
    const ctx = createKernelContext({ training: true, embeddingForm: backend === 'wasm' ? 'one_hot' : 'gather' });
    const got = tf.tidy(() => {
      const params = Object.fromEntries(module.params.map((p) => [p.name, tf.tensor(weights.get(p.name)!, p.shape)]));
      const inputs = bindInputs(model.MODEL.inputs, batch);
      bindSizes(ctx, model.MODEL, inputs);
      const result = model.forward(ctx, params, inputs);
      return Object.fromEntries(Object.entries(result.outputs).map(([name, t]) => [name, Array.from(t.dataSync())]));
    });
    for (const name of ['image_embedding', 'text_embedding', 'similarity']) {
      const want = Array.from(expected[name]!.data);
      expect(got[name]!.length).toBe(want.length);
      const worst = Math.max(...want.map((v, i) => Math.abs(v - got[name]![i]!)));
      expect(worst, name).toBeLessThan(1e-4);
    }
  });

  it('resume continues with the same losses', async () => {
    const full = await losses(6);
    const dir = tempDir('resume');
    const checkpoint = { dir, every: 3 };
    const first = await losses(3, { checkpoint });
    const rest = await losses(6, { checkpoint, resume: true });
    expect(first).toEqual(full.slice(0, 3));
    expect(rest).toEqual(full.slice(3));
    expect(readdirSync(dir).sort()).toEqual(['step-00000003', 'step-00000006']);
  });

  it('keeps the live tensor count flat', async () => {
    await selectBackend({ force: 'cpu' });
    const counts: number[] = [];
    await trainModule(clipTierModule(TINY), { steps: 50, seed: 1, optimizer: OPTIMIZER, backend: 'cpu', clipGradNorm: 1 }, syntheticDataSource(DATA), {
      onStep: (m) => { if (m.step >= 5) counts.push(tf.memory().numTensors); },
    });
    expect(new Set(counts).size).toBe(1);
  });

  it('emitted program gives the in-memory losses', async () => {
    const dir = tempDir('program');
    const { files } = await emitTfjs(clipTierModule(TINY), { specFile: 'tiny.tier' });
    for (const file of files) writeFileSync(join(dir, file.path), file.text);
    for (const accumulate of [1, 2]) {
      const args = ['--steps', '3', '--batch', '4', '--seed', '1', '--lr', '0.001', '--backend', 'cpu', '--accumulate', String(accumulate)];
      const output = execFileSync(process.execPath, [join(dir, 'train.js'), ...args], { encoding: 'utf8' });
      const printed = output.trim().split('\n').map((line) => JSON.parse(line).loss as number);
      const expected: number[] = [];
      await trainModule(clipTierModule(TINY), { steps: 3, seed: 1, optimizer: { kind: 'adamw', lr: 0.001, weightDecay: 0.2 }, backend: 'cpu', accumulate },
        syntheticDataSource({ ...DATA, seed: 1 }), { onStep: (m) => expected.push(m.loss) });
      expect(printed, `accumulate ${accumulate}`).toEqual(expected);
    }
  });

  it('stops on a non-finite loss naming the term', async () => {
    const weights = initializeParams(clipTierModule(TINY), 1);
    weights.set('vision.conv1.weight', new Float32Array(weights.get('vision.conv1.weight')!.length).fill(Number.NaN));
    const error = await losses(2, { initialWeights: weights }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as TrainingError).diagnostic.code).toBe('TIER6002');
    expect((error as TrainingError).message).toMatch(/Loss term 'clip'/);
  });

  it('reports checkpoint write failures without partial files', async () => {
    const dir = tempDir('diskfull');
    const failing = { writeFile: (path: string, data: Uint8Array) => { writeFileSync(path, data.subarray(0, 10)); throw new Error('ENOSPC: no space left on device'); } };
    const error = await losses(1, { checkpoint: { dir, every: 1, writer: failing } }).catch((e: unknown) => e);
    expect((error as TrainingError).diagnostic.code).toBe('TIER6004');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects an unwritable checkpoint directory', async () => {
    const dir = tempDir('readonly');
    chmodSync(dir, 0o500);
    const error = await losses(1, { checkpoint: { dir: join(dir, 'sub'), every: 1 } }).catch((e: unknown) => e);
    chmodSync(dir, 0o700);
    // Root may write anywhere; then the run succeeds and there is nothing to check.
    if (error instanceof TrainingError) expect(error.diagnostic.code).toBe('TIER6003');
    else expect(existsSync(join(dir, 'sub'))).toBe(true);
  });

  it('rejects resuming from another spec', async () => {
    const dir = tempDir('otherspec');
    await losses(1, { checkpoint: { dir, every: 1 } });
    const other = clipTierModule({ ...TINY, mlp: 24 });
    const error = await trainModule(other, { steps: 2, seed: 1, optimizer: OPTIMIZER, backend: 'cpu', checkpoint: { dir, every: 1 }, resume: true }, syntheticDataSource(DATA)).catch((e: unknown) => e);
    expect((error as TrainingError).diagnostic.code).toBe('TIER6005');
    expect(JSON.parse(readFileSync(join(dir, 'step-00000001', 'state.json'), 'utf8')).step).toBe(1);
  });
});

describe('gradient accumulation', () => {
  it('matches one large batch for InfoNCE', async () => {
    const whole = [syntheticBatch(DATA, 0), syntheticBatch(DATA, 1)];
    const halves = whole.flatMap((b) => [rowsOf(b, 0, 2), rowsOf(b, 2, 2)]);
    const module = clipTierModule(TINY);
    const big: number[] = [];
    const small: number[] = [];
    const codes: string[] = [];
    const options = { steps: 2, seed: 1, optimizer: { kind: 'adam', lr: 1e-3 }, backend: 'cpu' } as const;
    const one = await trainModule(module, options, listSource(whole), { onStep: (m) => big.push(m.loss) });
    const two = await trainModule(module, { ...options, accumulate: 2 }, listSource(halves), {
      onStep: (m) => small.push(m.loss), onDiagnostic: (d) => codes.push(d.code),
    });
    expect(codes).toEqual([]);
    small.forEach((loss, i) => expect(loss).toBeCloseTo(big[i]!, 5));
    for (const [name, values] of one.weights) {
      const other = two.weights.get(name)!;
      const worst = Math.max(...Array.from(values, (v, i) => Math.abs(v - other[i]!)));
      expect(worst, name).toBeLessThan(1e-5);
    }
  });
});
