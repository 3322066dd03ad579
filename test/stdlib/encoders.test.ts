import { describe, expect, it } from 'vitest';
import { IrBuilder, countFlops, countParams, formatType, verifyModule } from '../../src/ir/index.js';
import { expandIn, imageInput, tokenInput } from './helpers.js';

function resnetModule(output = 'layer4') {
  const b = new IrBuilder('resnet');
  const image = imageInput(b, 3, 224);
  const out = expandIn(b, 'image', 'resnet50', { output }, { image });
  for (const [name, value] of Object.entries(out)) b.output(name, value);
  return { b, out, module: b.finish() };
}

function bertModule(options: Record<string, unknown> = {}) {
  const b = new IrBuilder('bert');
  const ids = tokenInput(b, 128);
  const out = expandIn(b, 'text', 'bert', options, { token_ids: ids });
  for (const [name, value] of Object.entries(out)) b.output(name, value);
  return { b, out, module: b.finish() };
}

describe('resnet50', () => {
  it('trunk has 23,508,032 parameters', () => {
    const { module } = resnetModule();
    const counts = countParams(module);
    expect(counts.total).toBe(23_508_032);
    expect(counts.trainable).toBe(23_508_032);
    // Running mean and variance: two per batch-norm channel.
    expect(counts.buffers).toBe(2 * 26_560);
    expect(counts.components['image']!.total).toBe(23_508_032);
  });

  it('module verifies', () => {
    expect(verifyModule(resnetModule().module)).toEqual([]);
  });

  it('outputs grid, feature map, pooled', () => {
    const { b, out } = resnetModule();
    expect(formatType(b.typeOf(out['grid']!))).toBe('f32[batch, 49, 2048]');
    expect(b.typeOf(out['grid']!).axes.map((a) => a.name)).toEqual(['batch', 'patch', 'channel']);
    expect(formatType(b.typeOf(out['feature_map']!))).toBe('f32[batch, 2048, 7, 7]');
    expect(formatType(b.typeOf(out['pooled']!))).toBe('f32[batch, 2048]');
  });

  it('stops at the requested stage', () => {
    const { b, out, module } = resnetModule('layer3');
    expect(formatType(b.typeOf(out['grid']!))).toBe('f32[batch, 196, 1024]');
    expect(module.params.some((p) => p.name.startsWith('image.layer4'))).toBe(false);
  });

  it('uses torchvision parameter names', () => {
    const names = resnetModule().module.params.map((p) => p.name);
    expect(names.slice(0, 5)).toEqual(['image.conv1.weight', 'image.bn1.weight', 'image.bn1.bias', 'image.bn1.running_mean', 'image.bn1.running_var']);
    expect(names).toContain('image.layer1.0.downsample.0.weight');
    expect(names).toContain('image.layer2.0.downsample.1.running_var');
    expect(names).toContain('image.layer4.2.conv3.weight');
    expect(names).not.toContain('image.layer1.1.downsample.0.weight');
  });

  it('puts the stride on the 3x3 conv', () => {
    const { module } = resnetModule();
    const conv = (name: string) => module.nodes.find((n) => n.op === 'conv2d' && n.name === name)!;
    expect((conv('image.layer2.0.conv1').attrs as { strides: number[] }).strides).toEqual([1, 1]);
    expect((conv('image.layer2.0.conv2').attrs as { strides: number[] }).strides).toEqual([2, 2]);
    expect((conv('image.layer2.0.downsample.0').attrs as { strides: number[] }).strides).toEqual([2, 2]);
  });

  it('conv FLOPs match the layer arithmetic', () => {
    // Independent sum over torchvision's layer table: 2·in·k·k·out·h·w per convolution.
    let expected = 2 * 3 * 49 * 64 * 112 * 112;
    let inChannels = 64;
    let size = 56;
    for (const [blocks, width, stride] of [[3, 64, 1], [4, 128, 2], [6, 256, 2], [3, 512, 2]] as const) {
      for (let j = 0; j < blocks; j++) {
        const s = j === 0 ? stride : 1;
        const outSize = size / s;
        expected += 2 * inChannels * width * size * size;
        expected += 2 * width * 9 * width * outSize * outSize;
        expected += 2 * width * width * 4 * outSize * outSize;
        if (j === 0) expected += 2 * inChannels * width * 4 * outSize * outSize;
        inChannels = width * 4;
        size = outSize;
      }
    }
    const flops = countFlops(resnetModule().module, { batch: 1 });
    expect(flops.byOp.conv2d).toBe(expected);
    // About 4.09 G multiply-adds, the figure usually quoted for ResNet-50 at 224×224.
    expect(expected / 2 / 1e9).toBeCloseTo(4.09, 2);
  });
});

describe('bert', () => {
  it('base without pooler has 108,891,648 parameters', () => {
    expect(countParams(bertModule().module).total).toBe(108_891_648);
  });

  it('pooler adds 590,592 parameters', () => {
    expect(countParams(bertModule({ pooler: true }).module).total).toBe(108_891_648 + 768 * 768 + 768);
  });

  it('module verifies', () => {
    expect(verifyModule(bertModule().module)).toEqual([]);
  });

  it('outputs tokens, cls and padding', () => {
    const { b, out } = bertModule();
    expect(formatType(b.typeOf(out['tokens']!))).toBe('f32[batch, token, 768]');
    expect(formatType(b.typeOf(out['cls']!))).toBe('f32[batch, 768]');
    expect(formatType(b.typeOf(out['padding']!))).toBe('f32[batch, token]');
  });

  it('uses Hugging Face parameter names', () => {
    const names = bertModule().module.params.map((p) => p.name);
    for (const name of [
      'text.embeddings.word_embeddings.weight',
      'text.embeddings.position_embeddings.weight',
      'text.embeddings.token_type_embeddings.weight',
      'text.embeddings.LayerNorm.weight',
      'text.encoder.layer.0.attention.self.query.weight',
      'text.encoder.layer.0.attention.self.value.bias',
      'text.encoder.layer.0.attention.output.dense.weight',
      'text.encoder.layer.0.attention.output.LayerNorm.bias',
      'text.encoder.layer.11.intermediate.dense.weight',
      'text.encoder.layer.11.output.dense.bias',
      'text.encoder.layer.11.output.LayerNorm.weight',
    ]) expect(names).toContain(name);
    expect(names.length).toBe(5 + 12 * 16);
  });

  it('freezes embeddings and layers 0 to 7', () => {
    const { module } = bertModule({ freeze: ['embeddings', 'layers[0..7]'], init: 'weights/cxr-bert.safetensors' });
    const frozen = module.params.filter((p) => !p.trainable).map((p) => p.name);
    expect(frozen).toContain('text.embeddings.word_embeddings.weight');
    expect(frozen).toContain('text.encoder.layer.7.output.LayerNorm.bias');
    expect(frozen).not.toContain('text.encoder.layer.8.output.LayerNorm.bias');
    const counts = countParams(module);
    const embeddings = 30522 * 768 + 512 * 768 + 2 * 768 + 2 * 768;
    const layer = (108_891_648 - embeddings) / 12;
    expect(counts.trainable).toBe(4 * layer);
    expect(module.params[0]!.pretrained).toEqual({ file: 'weights/cxr-bert.safetensors', tensor: 'embeddings.word_embeddings.weight' });
  });

  it('matmul FLOPs match the layer arithmetic', () => {
    const tokens = 128;
    const perLayer = 2 * tokens * (4 * 768 * 768 + 2 * 768 * 3072) + 2 * 2 * 12 * tokens * tokens * 64;
    const flops = countFlops(bertModule({ dropout: 0, attention_dropout: 0 }).module, { batch: 1, token: tokens });
    expect(flops.byOp.matmul).toBe(12 * perLayer);
  });

  it('rejects a token bound above max_len', () => {
    const b = new IrBuilder('long');
    const ids = tokenInput(b, 600);
    expect(() => expandIn(b, 'text', 'bert', {}, { token_ids: ids })).toThrow("Token axis 'token' may hold 600 positions, but 'bert' has 512 position embeddings.");
  });
});
