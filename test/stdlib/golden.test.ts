// Golden IR listings of every standard block at toy sizes, so a change to what a block
// emits shows up as a reviewed diff. Regenerate with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IrBuilder, printModule, verifyModule } from '../../src/ir/index.js';
import type { ValueId } from '../../src/ir/index.js';
import { STDLIB_BLOCKS, expandBlock } from '../../src/stdlib/index.js';

const goldenDir = join(import.meta.dirname, '..', 'golden', 'stdlib');
const update = process.env.UPDATE_GOLDEN === '1';
const tinyTower = { width: 8, layers: 1, heads: 2, mlp_width: 16 };

interface Case {
  block: string;
  options: Record<string, unknown>;
  /** Declares the inputs and returns the block's input ports. */
  inputs(b: IrBuilder): Record<string, ValueId>;
}

const f32 = (b: IrBuilder, name: string, axes: [string, number | string][]) =>
  b.input(name, 'scalar', { dtype: 'f32', axes: axes.map(([axis, size]) => ({ name: axis, size })) });

function sequence(b: IrBuilder, width: number): ValueId {
  b.symbol('batch');
  b.symbol('token', 6);
  return f32(b, 'x', [['batch', 'batch'], ['token', 'token'], ['dim', width]]);
}

function tokenIds(b: IrBuilder): Record<string, ValueId> {
  b.symbol('batch');
  b.symbol('token', 6);
  return { token_ids: b.input('token_ids', 'token_ids', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] }) };
}

function image(b: IrBuilder, channels: number, size: number): Record<string, ValueId> {
  b.symbol('batch');
  return { image: b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'channel', size: channels }, { name: 'height', size }, { name: 'width', size }] }) };
}

function maskedSequence(b: IrBuilder): Record<string, ValueId> {
  const x = sequence(b, 4);
  return { x, mask: f32(b, 'mask', [['batch', 'batch'], ['token', 'token']]) };
}

const cases: Record<string, Case> = {
  linear: { block: 'linear', options: { in: 4, out: 3 }, inputs: (b) => ({ x: sequence(b, 4) }) },
  conv1x1: { block: 'conv1x1', options: { out: 2, bias: false }, inputs: (b) => ({ x: sequence(b, 4) }) },
  batchnorm: { block: 'batchnorm', options: {}, inputs: (b) => ({ x: sequence(b, 4) }) },
  layernorm: { block: 'layernorm', options: { eps: 1e-12 }, inputs: (b) => ({ x: sequence(b, 4) }) },
  mlp: { block: 'mlp', options: { hidden: 8, out: 2, act: 'quick_gelu' }, inputs: (b) => ({ x: sequence(b, 4) }) },
  normalize: { block: 'normalize', options: { over: 'dim' }, inputs: (b) => ({ x: sequence(b, 4) }) },
  mean: { block: 'mean', options: { over: ['batch', 'token'] }, inputs: maskedSequence },
  softmax: { block: 'softmax', options: { over: 'dim' }, inputs: maskedSequence },
  entropy: {
    block: 'entropy',
    options: { over: 'dim' },
    inputs: (b) => {
      const { x, mask } = maskedSequence(b);
      return { p: x!, mask: mask! };
    },
  },
  infonce: {
    block: 'infonce',
    options: {},
    inputs: (b) => {
      b.symbol('batch');
      const scale = f32(b, 'scale', []);
      return { a: f32(b, 'a', [['batch', 'batch'], ['dim', 4]]), b: f32(b, 'b', [['batch', 'batch'], ['dim', 4]]), scale };
    },
  },
  vit: { block: 'vit', options: { image: 8, patch: 4, channels: 1, ...tinyTower }, inputs: (b) => image(b, 1, 8) },
  clip_text: { block: 'clip_text', options: { vocab: 10, max_len: 6, ...tinyTower }, inputs: tokenIds },
  bert: { block: 'bert', options: { vocab: 10, max_len: 6, ...tinyTower, dropout: 0, attention_dropout: 0 }, inputs: tokenIds },
  resnet50: { block: 'resnet50', options: { output: 'layer1', channels: 1 }, inputs: (b) => image(b, 1, 16) },
};

describe('golden stdlib IR', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`${name} listing`, () => {
      const b = new IrBuilder(name);
      const inputs = c.inputs(b);
      const outputs = b.scope('block', () => expandBlock(b, STDLIB_BLOCKS[c.block]!, c.options, inputs), { component: 'block' });
      for (const [port, value] of Object.entries(outputs)) b.output(port, value);
      const module = b.finish();
      expect(verifyModule(module)).toEqual([]);

      const text = printModule(module);
      const file = join(goldenDir, `${name}.ir.txt`);
      if (update) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1 to create it`).toBe(true);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
