// Gradient accumulation with a model split (the GradCache path) and a loss term whose weight
// is the constant 0. The term is neither computed nor reported, and the other terms keep the
// losses of one large batch. The run launches fewer kernels than with a nonzero weight.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileTfjs, emitTfjs, startingWeights } from '../../../src/backends/tfjs/index.js';
import type { IrModule } from '../../../src/ir/index.js';
import { loadSpecPlan } from '../../../src/pipeline/spec.js';
import { syntheticBatch, trainCompiled, type CompiledModel, type StepMetrics } from '../../../src/runtime/index.js';
import { listSource, rowsOf } from './batches.js';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 27 }, (_, i) => `w${i}`)];
const DATA = { batchSize: 4, channels: 1, imageSize: 32, tokens: 8, vocab: VOCAB.length, seed: 5 };

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

/** The tiny pipeline model with the entropy weight `lambda`, compiled from the fixture spec. */
function tinyModule(lambda: number): IrModule {
  const dir = tempDir('accumulate-zero');
  const spec = readFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), 'utf8').replace('model tiny(lambda_words: 0.1)', `model tiny(lambda_words: ${lambda})`);
  writeFileSync(join(dir, 'tiny.tier'), spec);
  mkdirSync(join(dir, 'phantom'));
  writeFileSync(join(dir, 'phantom', 'vocab.txt'), VOCAB.join('\n') + '\n');
  return loadSpecPlan('tiny.tier', { cwd: dir }).model.module;
}

const WHOLE = [syntheticBatch(DATA, 0), syntheticBatch(DATA, 1)];
const HALVES = WHOLE.flatMap((batch) => [rowsOf(batch, 0, 2), rowsOf(batch, 2, 2)]);

async function run(module: IrModule, model: CompiledModel, accumulate: number): Promise<StepMetrics[]> {
  const steps: StepMetrics[] = [];
  await trainCompiled(model, {
    steps: 2, seed: 1, optimizer: { kind: 'adam', lr: 1e-3 }, backend: 'cpu', accumulate, initialWeights: startingWeights(module, 1),
  }, listSource(accumulate === 1 ? WHOLE : HALVES), { onStep: (metrics) => steps.push(metrics) });
  return steps;
}

/** Kernels launched by two accumulated training steps. */
async function kernelCount(module: IrModule): Promise<number> {
  const model = compileTfjs(module);
  const profile = await tf.profile(async () => {
    await run(module, model, 2);
  });
  return profile.kernels.length;
}

describe('accumulation with a zero-weight term', () => {
  it('leaves the term out of the split loss', async () => {
    const module = tinyModule(0);
    const model = compileTfjs(module);
    expect(model.split).toBeDefined();
    const split = model.split!;
    const returned: string[][] = [];
    const loss = split.loss.bind(split);
    model.split = { ...split, loss: (ctx, params, cut) => {
      const losses = loss(ctx, params, cut);
      returned.push(Object.keys(losses));
      return losses;
    } };
    const steps = await run(module, model, 2);
    expect(returned).toEqual([['clip'], ['clip']]);
    expect(steps.map((step) => Object.keys(step.terms))).toEqual([['clip'], ['clip']]);
  });

  it('matches the losses of one large batch', async () => {
    const module = tinyModule(0);
    const big = await run(module, compileTfjs(module), 1);
    const small = await run(module, compileTfjs(module), 2);
    expect(small).toHaveLength(2);
    small.forEach((step, i) => {
      expect(step.loss).toBeCloseTo(big[i]!.loss, 5);
      expect(step.terms['clip']).toBeCloseTo(big[i]!.terms['clip']!, 5);
    });
  });

  it('emitted split gives the in-memory losses', async () => {
    const module = tinyModule(0);
    const dir = tempDir('accumulate-zero-program');
    for (const file of (await emitTfjs(module, { specFile: 'tiny.tier' })).files) writeFileSync(join(dir, file.path), file.text);
    const printed = (await import(join(dir, 'model.js'))) as CompiledModel;
    const fromPrinted = await run(module, printed, 2);
    const fromMemory = await run(module, compileTfjs(module), 2);
    expect(fromPrinted.map((step) => step.terms)).toEqual(fromMemory.map((step) => step.terms));
    expect(Object.keys(fromPrinted[0]!.terms)).toEqual(['clip']);
  });

  it('launches fewer kernels than a nonzero weight', async () => {
    const zero = await kernelCount(tinyModule(0));
    const weighted = await kernelCount(tinyModule(0.1));
    expect(zero).toBeLessThan(weighted);
  });
});
