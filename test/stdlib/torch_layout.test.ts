// Parameter names, shapes and conv strides against PyTorch itself, recorded by
// fixtures/torch_names.py from torch 1.13 and torchvision 0.14.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../../src/ir/index.js';
import { STDLIB_BLOCKS, expandBlock, fusedSelfAttention, normalInit } from '../../src/stdlib/index.js';
import { imageInput } from './helpers.js';

interface TorchNames {
  resnet50: [string, number[]][];
  resnet50_conv_strides: Record<string, [number, number]>;
  multihead_attention: [string, number[]][];
}

const torch = JSON.parse(readFileSync(new URL('./fixtures/torch_names.json', import.meta.url), 'utf8')) as TorchNames;

describe('torchvision layout', () => {
  const b = new IrBuilder('resnet');
  const image = imageInput(b, 3, 224);
  expandBlock(b, STDLIB_BLOCKS['resnet50']!, {}, { image });
  const module = b.finish();

  it('resnet50 names and shapes in order', () => {
    expect(module.params.map((p) => [p.name, p.shape])).toEqual(torch.resnet50);
  });

  it('resnet50 conv strides', () => {
    const strides = Object.fromEntries(module.nodes.filter((n) => n.op === 'conv2d').map((n) => [n.name, (n.attrs as { strides: number[] }).strides]));
    expect(strides).toEqual(torch.resnet50_conv_strides);
  });
});

describe('MultiheadAttention layout', () => {
  it('fused attention names and shapes', () => {
    const b = new IrBuilder('attention');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: 2 }, { name: 'token', size: 3 }, { name: 'width', size: 16 }] });
    fusedSelfAttention(b, x, { width: 16, heads: 2, dropout: 0, init: normalInit(0.02) });
    expect(b.finish().params.map((p) => [p.name, p.shape])).toEqual(torch.multihead_attention);
  });
});
