// The emitted train.js: it carries the spec's training setup as an escaped literal, imports only
// tierc/runtime and its model, gives identical bytes when generated twice, and matches the
// golden file of the tiny pipeline spec (the spec folder replaced by <SPEC_DIR>). Regenerate the
// golden file with UPDATE_GOLDEN=1 and review the diff.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileTfjs, emitTfjs } from '../../../src/backends/tfjs/index.js';
import { compile } from '../../../src/compile.js';
import { nodeHost } from '../../../src/driver/index.js';
import { IrBuilder } from '../../../src/ir/index.js';
import { TRAINING_SETUP_VERSION, type TrainingSetup } from '../../../src/pipeline/setup.js';
import { createKernelContext, selectBackend, type CompiledModel } from '../../../src/runtime/index.js';

const NASTY = 'a"b\'c`d${e}\nf*/g\u2028h\\i';
const golden = join(import.meta.dirname, '..', '..', 'golden', 'tfjs', 'tiny.train.js');

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

function smallModule() {
  const b = new IrBuilder('small');
  b.symbol('batch');
  const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'd', size: 3 }] });
  const w = b.scope('comp', () => b.param({ name: 'w', shape: [3, 2], init: { kind: 'ones' } }));
  const y = b.scope('comp', () => b.matmul(x, w, { name: 'mm' }));
  b.output('out', y);
  b.loss('total', b.reduceMean(y, [0, 1]));
  return b.finish();
}

/** Builds a setup whose names and paths contain quotes, backticks, `${`, a newline, a comment end and U+2028. */
function nastySetup(): TrainingSetup {
  const root = `/data ${NASTY}`;
  const span = { file: `spec ${NASTY}.tier`, start: { offset: 0, line: 1, column: 1 }, end: { offset: 1, line: 1, column: 2 } };
  return {
    version: TRAINING_SETUP_VERSION,
    model: 'small',
    specFile: `spec ${NASTY}.tier`,
    data: { name: `data ${NASTY}`, manifest: `${root}/manifest.csv`, image: { column: NASTY, root }, text: { column: NASTY }, onMissingFile: 'fail', span },
    preprocess: { name: undefined, image: [], imageSize: 8, channels: 1, text: { tokenizer: `${root}/vocab.txt`, maxLen: 8, padding: 'longest' }, span },
    train: {
      name: undefined, model: 'small', data: { name: `data ${NASTY}`, split: NASTY }, preprocess: undefined, batch: 2, duration: { unit: 'steps', value: 1 },
      optimizer: { kind: 'adam', lr: 1e-3, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0 }, schedule: { kind: 'constant' }, augment: [], freeze: [],
      checkpoint: { every: { unit: 'steps', value: 1 }, keep: { count: 1, mode: 'last' } }, seed: 0, eval: [], span,
    },
    evals: [],
    evalData: [],
    dataRoot: root,
  };
}

describe('emitted train.js', () => {
  it('keeps hostile setup strings exact', async () => {
    const setup = nastySetup();
    const { files } = await emitTfjs(smallModule(), { specFile: 'small.tier', setup });
    const dir = tempDir('setup');
    for (const file of files) writeFileSync(join(dir, file.path), file.text);
    const train = files.find((file) => file.path === 'train.js')!.text;
    expect(train).not.toContain('\u2028');
    expect(train).not.toContain('`');
    expect([...train.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1])).toEqual(['tierc/runtime', './model.js']);
    // --help prints the data folder from the literal, so the round trip shows the escaping held.
    const help = execFileSync(process.execPath, [join(dir, 'train.js'), '--help'], { encoding: 'utf8' });
    expect(help).toContain(`of data 'data ${NASTY}' in '${setup.dataRoot}'.`);
    expect(help).toContain(`on split '${NASTY}'`);
  });

  it('gives identical bytes when generated twice', async () => {
    const first = await emitTfjs(smallModule(), { specFile: 'small.tier', setup: nastySetup() });
    const second = await emitTfjs(smallModule(), { specFile: 'small.tier', setup: nastySetup() });
    expect(second.files).toEqual(first.files);
  });

  it('skips zero-weight losses like the in-memory model', async () => {
    const b = new IrBuilder('zero');
    b.symbol('batch');
    const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'd', size: 3 }] });
    const w = b.scope('comp', () => b.param({ name: 'w', shape: [3, 2], init: { kind: 'ones' } }));
    const y = b.scope('comp', () => b.matmul(x, w, { name: 'mm' }));
    b.loss('kept', b.reduceMean(y, [0, 1]));
    b.loss('dropped', b.reduceMean(b.exp(y), [0, 1]), 0);
    const module = b.finish();
    const dir = tempDir('zero');
    for (const file of (await emitTfjs(module, { specFile: 'zero.tier' })).files) writeFileSync(join(dir, file.path), file.text);
    const printed = (await import(join(dir, 'model.js'))) as CompiledModel;
    const inMemory = compileTfjs(module, { specFile: 'zero.tier' });
    expect(typeof printed.forwardTraining).toBe('function');

    await selectBackend({ force: 'cpu' });
    const ctx = createKernelContext({ training: true, embeddingForm: 'gather' });
    const params = { 'comp.w': tf.tensor([1, 2, 3, 4, 5, 6], [3, 2]) };
    const inputs = { image: tf.tensor([0.5, -1, 2, 1, 0, -0.5], [2, 3]) };
    const fromPrinted = printed.forwardTraining!(ctx, params, inputs);
    const fromMemory = inMemory.forwardTraining!(ctx, params, inputs);
    expect(Object.keys(fromPrinted)).toEqual(['kept']);
    expect(Object.keys(fromMemory)).toEqual(['kept']);
    // y = x·w = [[7.5, 9], [-1.5, -1]], so the mean is 14 / 4.
    expect(fromPrinted.kept!.dataSync()[0]).toBeCloseTo(3.5, 6);
    expect(fromMemory.kept!.dataSync()[0]).toBeCloseTo(3.5, 6);
  });

  it('matches the golden file of the tiny spec', async () => {
    const dir = tempDir('golden');
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    // The text encoder reads its vocabulary size from this file; the data need not exist to compile.
    mkdirSync(join(dir, 'phantom'));
    writeFileSync(join(dir, 'phantom', 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...Array.from({ length: 27 }, (_, i) => `w${i}`)].join('\n') + '\n');
    const result = await compile({ entry: 'tiny.tier', host: nodeHost(dir), cwd: dir }, { target: 'tfjs' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const text = result.artifacts.find((artifact) => artifact.path === 'tiny/train.js')!.text!.split(dir).join('<SPEC_DIR>');
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(golden)) {
      mkdirSync(join(golden, '..'), { recursive: true });
      writeFileSync(golden, text);
    }
    expect(text).toBe(readFileSync(golden, 'utf8'));
    expect(text).toContain('manifest: "<SPEC_DIR>/phantom/manifest.csv"');
    expect(text).toContain('dataRoot: "<SPEC_DIR>/phantom"');
  });
});
