import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startingWeights, trainModule } from '../../../src/backends/tfjs/index.js';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { IrBuilder } from '../../../src/ir/index.js';
import type { IrModule } from '../../../src/ir/types.js';
import { initializeParams } from '../../../src/ir/init.js';
import { loadNativeKernels } from '../../../src/runtime/native.js';
import { run } from '../../../src/cli/run.js';
import { encodeSafetensors, syntheticBatch, syntheticDataSource, TrainingError, type Batch, type DataSource } from '../../../src/runtime/index.js';

/** image [batch, 2, 2, 2] → 1×1 conv → batch norm → relu → mean; a frozen bias and a clamped scalar. */
function batchNormModule(): IrModule {
  const b = new IrBuilder('bn');
  b.symbol('batch');
  const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'c', size: 2 }, { name: 'h', size: 2 }, { name: 'w', size: 2 }] });
  const w = b.param({ name: 'conv.weight', shape: [3, 2, 1, 1], init: { kind: 'normal', mean: 0, std: 1 } });
  const y = b.conv2d(x, w, {});
  const scale = b.param({ name: 'bn.weight', shape: [3], role: 'no_decay', init: { kind: 'ones' } });
  const shift = b.param({ name: 'bn.bias', shape: [3], role: 'no_decay', init: { kind: 'zeros' } });
  const mean = b.param({ name: 'bn.running_mean', shape: [3], role: 'buffer', init: { kind: 'zeros' } });
  const variance = b.param({ name: 'bn.running_var', shape: [3], role: 'buffer', init: { kind: 'ones' } });
  const frozen = b.param({ name: 'frozen', shape: [3], trainable: false, init: { kind: 'constant', value: 0.5 } });
  const gain = b.param({ name: 'gain', shape: [], role: 'no_decay', init: { kind: 'constant', value: 1 } });
  b.clamp(gain, undefined, 1.05);
  const normed = b.relu(b.batchNorm(y, scale, shift, mean, variance, { eps: 1e-5, momentum: 0.1 }));
  const moved = b.add(b.transpose(normed, [0, 2, 3, 1]), frozen);
  b.loss('mean', b.mul(b.neg(b.reduceMean(moved, [0, 1, 2, 3])), gain));
  return b.finish();
}

function fixedData(values: number[]): DataSource {
  const batch: Batch = { images: Float32Array.from(values), imageShape: [2, 2, 2, 2], tokenIds: new Int32Array(2), tokenShape: [2, 1] };
  let index = 0;
  return { next: async () => (index++, batch), cursor: () => index, seek: (c) => void (index = c as number) };
}

describe('training features', () => {
  it('updates batch norm buffers, keeps frozen params and clamps', async () => {
    const module = batchNormModule();
    const values = Array.from({ length: 16 }, (_, i) => (i % 5) - 2);
    const init = initializeParams(module, 2);
    const result = await trainModule(module, { steps: 1, seed: 2, optimizer: { kind: 'sgd', lr: 0.1 }, backend: 'cpu' }, fixedData(values));
    expect(Array.from(result.weights.get('frozen')!)).toEqual([0.5, 0.5, 0.5]);
    expect(result.weights.get('gain')![0]).toBeCloseTo(1.05, 6);
    // running ← 0.9·running + 0.1·(batch mean of the conv output per channel).
    const w = init.get('conv.weight')!;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let n = 0; n < 2; n++) for (let p = 0; p < 4; p++) sum += w[c * 2]! * values[n * 8 + p]! + w[c * 2 + 1]! * values[n * 8 + 4 + p]!;
      expect(result.weights.get('bn.running_mean')![c]).toBeCloseTo(0.1 * (sum / 8), 5);
    }
  });

  it('accumulation splits at batch norm exactly', async () => {
    const module = batchNormModule();
    const codes: string[] = [];
    const values = Array.from({ length: 16 }, (_, i) => (i % 7) - 3);
    const single = await trainModule(module, { steps: 1, seed: 2, optimizer: { kind: 'sgd', lr: 0.1 }, backend: 'cpu' }, fixedData(values));
    const twice = await trainModule(module, { steps: 1, seed: 2, optimizer: { kind: 'sgd', lr: 0.1 }, backend: 'cpu', accumulate: 2 }, fixedData(values), {
      onDiagnostic: (d) => codes.push(d.code),
    });
    // Batch norm mixes rows, so the loss part starts there and runs on both micro-batches at once.
    expect(codes).toEqual([]);
    // Two identical micro-batches give the single batch's statistics and gradient.
    const a = single.weights.get('conv.weight')!;
    const b = twice.weights.get('conv.weight')!;
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
  });

  it('seeds decide the run', async () => {
    const run = async (seed: number) => {
      const out: number[] = [];
      await trainModule(batchNormModule(), { steps: 2, seed, optimizer: { kind: 'adam', lr: 0.01 }, backend: 'cpu' },
        syntheticDataSource({ batchSize: 2, channels: 2, imageSize: 2, tokens: 1, vocab: 3, seed }), { onStep: (m) => out.push(m.loss) });
      return out;
    };
    expect(await run(4)).toEqual(await run(4));
    expect(await run(4)).not.toEqual(await run(5));
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('doctor reports the chosen backend as JSON', async () => {
    let stdout = '';
    const code = await run(['doctor', '--json'], { stdout: (t) => void (stdout += t), stderr: () => {}, cwd: process.cwd(), env: {}, isTTY: false });
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { chosen: string; probes: { name: string; status: string }[] };
    expect(report.chosen).toBe('wasm');
    expect(report.probes.find((p) => p.name === 'tensorflow')!.status).toBe('not-installed');
    expect(report.probes.find((p) => p.name === 'cpu')!.status).toBe('available');
  });
});

describe('starting weights and batches', () => {
  it('loads pretrained tensors named by parameters', async () => {
    mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), 'test', '.tmp', 'weights-'));
    const file = join(dir, 'conv.safetensors');
    writeFileSync(file, encodeSafetensors(new Map([['weight', { dtype: 'F32' as const, shape: [3, 2, 1, 1], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }]])));
    const module = batchNormModule();
    module.params.find((p) => p.name === 'conv.weight')!.pretrained = { file, tensor: 'weight' };
    const weights = startingWeights(module, 0);
    expect(Array.from(weights.get('conv.weight')!)).toEqual([1, 2, 3, 4, 5, 6]);
    module.params.find((p) => p.name === 'bn.weight')!.pretrained = { file, tensor: 'missing' };
    expect(() => startingWeights(module, 0)).toThrow(/has no tensor 'missing'/);
  });

  it('rejects a caption with no real token', async () => {
    const module = clipTierModule({ image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: 'quick_gelu' });
    module.inputs.push({ name: 'mask', role: 'attention_mask', type: { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] } });
    const batch = syntheticBatch({ batchSize: 2, channels: 1, imageSize: 8, tokens: 6, vocab: 20, seed: 0 }, 0);
    batch.attentionMask!.fill(0, 6, 12);
    const error = await trainModule(module, { steps: 1, seed: 0, optimizer: { kind: 'adam', lr: 1e-3 }, backend: 'cpu' }, fixedSource(batch)).catch((e: unknown) => e);
    expect((error as TrainingError).diagnostic.code).toBe('TIER6011');
    expect((error as TrainingError).message).toMatch(/Row 1 of input 'mask'/);
  });
});

function fixedSource(batch: Batch): DataSource {
  return { next: async () => batch, cursor: () => 0, seek: () => {} };
}

describe('wasm threads', () => {
  const script = [
    "import { clipTierModule, trainModule } from './dist/backends/tfjs/index.js';",
    "import { syntheticDataSource } from './dist/runtime/index.js';",
    'const sizes = { image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: "quick_gelu" };',
    'const threads = Number(process.argv[1]);',
    'const losses = []; let wasm = 0; let native = 0;',
    'await trainModule(clipTierModule(sizes), { steps: 2, seed: 1, optimizer: { kind: "adam", lr: 1e-3 }, backend: "wasm", wasmThreads: threads },',
    '  syntheticDataSource({ batchSize: 4, channels: 1, imageSize: 8, tokens: 6, vocab: 20, seed: 1 }),',
    '  { onStart: (i) => { wasm = i.backend.wasmThreads; native = i.backend.nativeMatmul?.used ? i.backend.nativeMatmul.threads : 0; }, onStep: (m) => losses.push(m.loss) });',
    'console.log(JSON.stringify({ wasm, native, losses }));',
    'process.exit(0);',
  ].join('\n');
  type Run = { wasm: number; native: number; losses: number[] };
  const runWith = (threads: number, env: NodeJS.ProcessEnv = {}) =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, String(threads)], { encoding: 'utf8', env: { ...process.env, ...env } })) as Run;

  it('threaded wasm build trains like one thread', async () => {
    // TIERC_NATIVE=0 keeps every kernel on wasm, so the threaded build itself runs.
    const one = runWith(1, { TIERC_NATIVE: '0' });
    const two = runWith(2, { TIERC_NATIVE: '0' });
    expect(one.wasm).toBe(1);
    expect(two.wasm).toBe(2);
    expect(two.native).toBe(0);
    two.losses.forEach((loss, i) => expect(loss).toBeCloseTo(one.losses[i]!, 5));
  });

  it.skipIf(loadNativeKernels().kernels === undefined)('native kernels give the same losses on 1 and 2 threads', async () => {
    const one = runWith(1);
    const two = runWith(2);
    expect(one.native).toBe(1);
    expect(two.native).toBe(2);
    // The addon's pool takes the threads; the wasm module runs its single-threaded build.
    expect(two.wasm).toBe(1);
    expect(two.losses).toEqual(one.losses);
  });
});
