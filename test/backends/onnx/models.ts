// Small models for the ONNX backend's tests, built with the IR builder: a ViT-style image
// tower with a BERT-style masked text tower (a tiny CLIP model with a similarity map), and
// a ResNet-style conv net with batch norm. Sizes are small enough for the reference
// interpreter to run in milliseconds.
import { IrBuilder } from '../../../src/ir/builder.js';
import { initializeParams } from '../../../src/ir/init.js';
import type { IrModule, ValueId } from '../../../src/ir/types.js';

const span = (line: number) => ({ file: 'tiny.tier', start: { offset: 0, line, column: 1 }, end: { offset: 1, line, column: 2 } });

function linear(b: IrBuilder, name: string, x: ValueId, inWidth: number, outWidth: number, bias = true): ValueId {
  return b.scope(name, () => {
    const weight = b.param({ name: 'weight', shape: [inWidth, outWidth], init: { kind: 'torch_default', fanIn: inWidth, role: 'weight' } });
    const product = b.matmul(x, weight, { name: 'matmul' });
    if (!bias) return product;
    const shift = b.param({ name: 'bias', shape: [outWidth], role: 'no_decay', init: { kind: 'torch_default', fanIn: inWidth, role: 'bias' } });
    return b.add(product, shift, { name: 'add' });
  });
}

function layerNorm(b: IrBuilder, name: string, x: ValueId, width: number, eps = 1e-5): ValueId {
  return b.scope(name, () => {
    const scale = b.param({ name: 'weight', shape: [width], role: 'no_decay', init: { kind: 'normal', mean: 1, std: 0.1 } });
    const shift = b.param({ name: 'bias', shape: [width], role: 'no_decay', init: { kind: 'normal', mean: 0, std: 0.1 } });
    const rank = b.typeOf(x).axes.length;
    return b.layerNorm(x, scale, shift, { axis: rank - 1, eps });
  });
}

/** Multi-head self-attention over x [batch, seq, width]; `bias` [batch, 1, 1, seq] is added to the scores. */
function attention(b: IrBuilder, name: string, x: ValueId, seq: string | number, width: number, heads: number, bias?: ValueId): ValueId {
  return b.scope(name, () => {
    const dh = width / heads;
    const split = (v: ValueId) => b.transpose(b.reshape(v, ['batch', seq, heads, dh]), [0, 2, 1, 3]);
    const q = split(linear(b, 'q', x, width, width));
    const k = split(linear(b, 'k', x, width, width));
    const v = split(linear(b, 'v', x, width, width));
    let scores = b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), b.scalar(1 / Math.sqrt(dh)), { name: 'scores' });
    if (bias !== undefined) scores = b.add(scores, bias, { name: 'masked' });
    const weights = b.dropout(b.softmax(scores, 3, { name: 'probs' }), 0.1);
    const mixed = b.transpose(b.matmul(weights, v), [0, 2, 1, 3]);
    return linear(b, 'out', b.reshape(mixed, ['batch', seq, width]), width, width);
  });
}

function block(b: IrBuilder, name: string, x: ValueId, seq: string | number, width: number, gelu: 'none' | 'tanh', bias?: ValueId): ValueId {
  return b.scope(name, () => {
    const attended = b.add(x, attention(b, 'attn', layerNorm(b, 'ln1', x, width), seq, width, 2, bias));
    const hidden = b.gelu(linear(b, 'fc1', layerNorm(b, 'ln2', attended, width), width, 2 * width), gelu);
    return b.add(attended, b.dropout(linear(b, 'fc2', hidden, 2 * width, width), 0.1));
  });
}

function l2normalize(b: IrBuilder, x: ValueId): ValueId {
  const rank = b.typeOf(x).axes.length;
  return b.div(x, b.sqrt(b.reduceSum(b.mul(x, x), [rank - 1], true)));
}

export const tiny = { image: 16, patch: 4, width: 16, embed: 8, vocab: 50, maxToken: 12 };

/** Builds a tiny CLIP model: ViT image tower, masked transformer text tower pooled at `pool_index`, and the token–patch similarity. */
export function tinyClip(): IrModule {
  const b = new IrBuilder('tiny_clip');
  b.symbol('batch');
  b.symbol('token', tiny.maxToken);
  const grid = tiny.image / tiny.patch;
  const patches = grid * grid;
  const { width, embed } = tiny;

  const image = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'channel', size: 1 }, { name: 'height', size: tiny.image }, { name: 'width', size: tiny.image }] });
  const tokens = b.input('tokens', 'token_ids', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] });
  const mask = b.input('attention_mask', 'attention_mask', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] });
  const pool = b.input('pool_index', 'pool_index', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }] });

  const patchEmbeddings = b.scope('image', () => {
    const kernel = b.param({ name: 'patch.weight', shape: [width, 1, tiny.patch, tiny.patch], init: { kind: 'kaiming_normal', fan: 'out', gain: Math.SQRT2 } });
    const conv = b.conv2d(image, kernel, { strides: [tiny.patch, tiny.patch] }, undefined, { name: 'patchify' });
    let x = b.transpose(b.reshape(conv, ['batch', width, patches]), [0, 2, 1]);
    const position = b.param({ name: 'position', shape: [patches, width], init: { kind: 'normal', mean: 0, std: 0.02 } });
    x = b.add(x, position);
    x = block(b, 'layers.0', x, patches, width, 'none');
    x = block(b, 'layers.1', x, patches, width, 'none');
    return linear(b, 'proj', layerNorm(b, 'ln_post', x, width), width, embed, false);
  }, { span: span(3) });

  const text = b.scope('text', () => {
    const table = b.param({ name: 'embed.weight', shape: [tiny.vocab, width], init: { kind: 'normal', mean: 0, std: 0.5 } });
    const positions = b.param({ name: 'position.weight', shape: [tiny.maxToken, width], init: { kind: 'normal', mean: 0, std: 0.1 } });
    let x = b.add(b.gather(table, tokens), b.gather(positions, b.rangeLike(tokens, 1)));
    const bias = b.unsqueeze(b.mul(b.sub(b.scalar(1), mask), b.scalar(-1e4)), [1, 2], { name: 'mask_bias' });
    x = block(b, 'layers.0', x, 'token', width, 'tanh', bias);
    x = layerNorm(b, 'ln_final', x, width, 1e-12);
    const tokenEmbeddings = linear(b, 'token_proj', x, width, embed);
    const selector = b.unsqueeze(b.oneHot(pool, tokens, 1), [1]);
    const pooled = b.reshape(b.matmul(selector, x), ['batch', width]);
    return { tokenEmbeddings, textEmbedding: linear(b, 'proj', pooled, width, embed) };
  }, { span: span(9) });

  const imageEmbedding = b.reduceMean(patchEmbeddings, [1], false, { name: 'image_embedding', span: span(14) });
  const similarity = b.matmul(l2normalize(b, text.tokenEmbeddings), b.transpose(l2normalize(b, patchEmbeddings), [0, 2, 1]), { name: 'similarity', span: span(15) });
  b.output('image_embedding', imageEmbedding);
  b.output('patch_embeddings', patchEmbeddings);
  b.output('text_embedding', text.textEmbedding);
  b.output('token_embeddings', text.tokenEmbeddings);
  b.output('similarity', similarity);
  return b.finish();
}

function convBn(b: IrBuilder, name: string, x: ValueId, inChannels: number, outChannels: number, bias: boolean): ValueId {
  return b.scope(name, () => {
    const weight = b.param({ name: 'conv.weight', shape: [outChannels, inChannels, 3, 3], init: { kind: 'kaiming_normal', fan: 'out', gain: Math.SQRT2 } });
    const shift = bias ? b.param({ name: 'conv.bias', shape: [outChannels], init: { kind: 'torch_default', fanIn: inChannels * 9, role: 'bias' } }) : undefined;
    const conv = b.conv2d(x, weight, { pads: [1, 1, 1, 1] }, shift);
    const scale = b.param({ name: 'bn.weight', shape: [outChannels], role: 'no_decay', init: { kind: 'normal', mean: 1, std: 0.2 } });
    const offset = b.param({ name: 'bn.bias', shape: [outChannels], role: 'no_decay', init: { kind: 'normal', mean: 0, std: 0.2 } });
    const mean = b.param({ name: 'bn.running_mean', shape: [outChannels], role: 'buffer', init: { kind: 'normal', mean: 0, std: 0.2 } });
    const variance = b.param({ name: 'bn.running_var', shape: [outChannels], role: 'buffer', init: { kind: 'uniform', low: 0.5, high: 2 } });
    return b.relu(b.batchNorm(conv, scale, offset, mean, variance, { eps: 1e-5 }));
  }, { span: span(20) });
}

/** Builds a ResNet-style conv net: conv/bn/relu, max pool, conv/bn/relu with a residual 1×1 path, 8×8 grid cells as patches. */
export function tinyConvNet(): IrModule {
  const b = new IrBuilder('tiny_convnet');
  b.symbol('batch');
  const image = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'channel', size: 1 }, { name: 'height', size: 16 }, { name: 'width', size: 16 }] });
  const stem = convBn(b, 'image.stem', image, 1, 4, false);
  const pooled = b.maxPool2d(stem, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  const body = convBn(b, 'image.layer1', pooled, 4, 8, true);
  const shortcut = b.scope('image.shortcut', () => {
    const weight = b.param({ name: 'weight', shape: [8, 4, 1, 1], init: { kind: 'kaiming_normal', fan: 'out', gain: 1 } });
    return b.conv2d(pooled, weight);
  });
  const features = b.relu(b.add(body, shortcut));
  const cells = b.transpose(b.reshape(features, ['batch', 8, 64]), [0, 2, 1]);
  const patchEmbeddings = linear(b, 'patch_proj', cells, 8, 6);
  b.output('patch_embeddings', patchEmbeddings);
  b.output('image_embedding', b.reduceMean(patchEmbeddings, [1]));
  return b.finish();
}

export function weightsFor(module: IrModule, seed = 1): Map<string, Float32Array> {
  return initializeParams(module, seed);
}

/** Deterministic inputs for a test model at a batch size and token length; token ids stay below 40. */
export function tinyInputs(module: IrModule, batch: number, tokens = 6): Record<string, { shape: number[]; data: number[] }> {
  const inputs: Record<string, { shape: number[]; data: number[] }> = {};
  for (const input of module.inputs) {
    if (input.role === 'image') {
      const shape = input.type.axes.map((axis) => (typeof axis.size === 'number' ? axis.size : batch));
      const size = shape.reduce((n, dim) => n * dim, 1);
      inputs[input.name] = { shape, data: Array.from({ length: size }, (_, i) => Math.sin(i * 0.37) * 1.5) };
    } else if (input.role === 'token_ids') {
      inputs[input.name] = { shape: [batch, tokens], data: Array.from({ length: batch * tokens }, (_, i) => (i * 7 + 3) % 40) };
    } else if (input.role === 'attention_mask') {
      const lengths = Array.from({ length: batch }, (_, row) => tokens - (row % 3));
      inputs[input.name] = { shape: [batch, tokens], data: Array.from({ length: batch * tokens }, (_, i) => (i % tokens < lengths[Math.floor(i / tokens)]! ? 1 : 0)) };
    } else if (input.role === 'pool_index') {
      inputs[input.name] = { shape: [batch], data: Array.from({ length: batch }, (_, row) => tokens - 1 - (row % 3)) };
    }
  }
  return inputs;
}
