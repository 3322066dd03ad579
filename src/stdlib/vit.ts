// The `vit` block: a Vision Transformer image encoder in open_clip's VisionTransformer
// layout, so open_clip checkpoints load by parameter name.
//
// Parameters: `conv1.weight` [width, channels, patch, patch] (no bias), `class_embedding`
// [width], `positional_embedding` [1 + patches, width], `ln_pre`, then
// `transformer.resblocks.{i}.{ln_1, attn.in_proj_weight, attn.in_proj_bias, attn.out_proj,
// ln_2, mlp.c_fc, mlp.c_proj}` and `ln_post`. open_clip's final `proj` is left to a
// projection head. The final layer norm applies to every token before `cls` and `patches`
// are split off.
import { maybeDropout } from './activations.js';
import { defineBlock, requireInput } from './block.js';
import { layerNormLayer } from './layers.js';
import { BlockError, ENCODER_OPTIONS } from './options.js';
import type { EncoderOptions } from './options.js';
import { checkHeads, preNormStack, stackOptionSpecs } from './transformer.js';
import type { StackOptions } from './transformer.js';

export interface VitOptions extends EncoderOptions, StackOptions {
  image: number;
  patch: number;
  channels: number;
  ln_pre: boolean;
}

function layerTargets(layers: number, prefix: (i: number) => string): Record<string, string> {
  const targets: Record<string, string> = {};
  for (let i = 0; i < layers; i++) targets[`layers[${i}]`] = prefix(i);
  return targets;
}

export const vit = defineBlock<VitOptions>({
  name: 'vit',
  doc: 'Vision Transformer: patch embedding (a convolution with stride = patch), class token, learned positions, pre-norm blocks and a final layer norm.',
  options: {
    image: { type: 'int', default: 224, min: 1, doc: 'input height and width in pixels' },
    patch: { type: 'int', default: 16, min: 1, doc: 'patch height and width in pixels' },
    channels: { type: 'int', default: 3, min: 1, doc: 'input channels' },
    ...stackOptionSpecs({ width: 768, layers: 12, heads: 12 }),
    ln_pre: { type: 'bool', default: true, doc: 'layer norm after adding positions, as CLIP' },
    ...ENCODER_OPTIONS,
  },
  inputs: [{ name: 'image', type: 'f32[batch, channels, image, image]', doc: 'normalized images' }],
  outputs: [
    { name: 'cls', type: 'f32[batch, width]', doc: 'the class token after the final layer norm' },
    { name: 'patches', type: 'f32[batch, patch, width]', doc: 'the patch tokens, class token excluded' },
    { name: 'tokens', type: 'f32[batch, 1 + patch, width]', doc: 'all tokens' },
  ],
  freezeTargets: (o) => ({
    embeddings: ['conv1', 'class_embedding', 'positional_embedding', ...(o.ln_pre ? ['ln_pre'] : [])],
    ...layerTargets(o.layers, (i) => `transformer.resblocks.${i}`),
    ln_post: 'ln_post',
  }),
  expand(b, o, inputs) {
    const image = requireInput('vit', inputs, 'image');
    if (o.image % o.patch !== 0) throw new BlockError('vit', `Image size ${o.image} of 'vit' is not a multiple of patch size ${o.patch}.`, 'patch');
    checkHeads('vit', o.width, o.heads);
    const grid = o.image / o.patch;
    const count = grid * grid;

    const weight = b.param({ name: 'conv1.weight', shape: [o.width, o.channels, o.patch, o.patch], axisNames: ['out', 'in', 'kh', 'kw'], init: { kind: 'torch_default', fanIn: o.channels * o.patch * o.patch, role: 'weight' } });
    const map = b.conv2d(image, weight, { strides: [o.patch, o.patch] }, undefined, { name: 'conv1' });
    const batch = b.typeOf(map).axes[0]!;
    const flat = b.reshape(map, [batch.size, o.width, count], { name: 'conv1.flatten', axisNames: [batch.name, 'width', 'patch'] });
    const patches = b.transpose(flat, [0, 2, 1], { name: 'conv1.tokens' });

    // Broadcast the class embedding to the batch without an expand op: 0·(first token) + cls.
    const classEmbedding = b.param({ name: 'class_embedding', shape: [o.width], axisNames: ['width'], init: { kind: 'normal', mean: 0, std: 0.02 } });
    const zeros = b.mul(b.slice(patches, 1, 0, 1, { name: 'cls.like' }), b.scalar(0), { name: 'cls.zeros' });
    const cls = b.add(zeros, classEmbedding, { name: 'cls.broadcast' });
    const joined = b.concat([cls, patches], 1, { name: 'tokens', axisNames: [batch.name, 'token', 'width'] });
    const positions = b.param({ name: 'positional_embedding', shape: [count + 1, o.width], axisNames: ['token', 'width'], init: { kind: 'normal', mean: 0, std: 0.01 } });
    let x = maybeDropout(b, b.add(joined, positions, { name: 'positions' }), o.dropout);
    if (o.ln_pre) x = layerNormLayer(b, x, { name: 'ln_pre', width: o.width, eps: 1e-5 });

    x = preNormStack(b, x, o);
    const tokens = layerNormLayer(b, x, { name: 'ln_post', width: o.width, eps: 1e-5 });

    const first = b.slice(tokens, 1, 0, 1, { name: 'cls' });
    return {
      cls: b.reshape(first, [batch.size, o.width], { name: 'cls', axisNames: [batch.name, 'width'] }),
      patches: b.slice(tokens, 1, 1, count + 1, { name: 'patches', axisNames: [batch.name, 'patch', 'width'] }),
      tokens,
    };
  },
});
