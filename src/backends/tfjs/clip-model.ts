// A CLIP + TIER model built from standard blocks with configurable sizes: a ViT image tower,
// a causal CLIP text tower, bias-free projections, a learnable logit scale clamped at 100,
// symmetric InfoNCE and 0.1 × the two TIER entropy terms. At the default sizes it is the
// peer PyTorch benchmark's SMALL model; tests use it at tiny sizes. It is a fixture for
// benchmarks and tests, not a spec.
import { IrBuilder } from '../../ir/index.js';
import type { IrModule, ValueId } from '../../ir/index.js';
import { STDLIB_BLOCKS, applyLinear, entropyValue, expandBlock, infonceValue, learnableScale, meanValue, normalizeValue, softmaxValue } from '../../stdlib/index.js';

export interface ClipModelSizes {
  image: number;
  channels: number;
  patch: number;
  width: number;
  layers: number;
  heads: number;
  mlp: number;
  vocab: number;
  context: number;
  embed: number;
  act: 'quick_gelu' | 'gelu' | 'gelu_tanh' | 'relu';
}

/** The peer benchmark's SMALL configuration (1,752,065 parameters in PyTorch). */
export const PEER_SMALL: ClipModelSizes = { image: 64, channels: 1, patch: 8, width: 128, layers: 4, heads: 4, mlp: 512, vocab: 1000, context: 32, embed: 64, act: 'quick_gelu' };

export function clipTierModule(sizes: ClipModelSizes, name = 'clip_tier'): IrModule {
  const b = new IrBuilder(name);
  b.symbol('batch');
  b.symbol('token', sizes.context);
  const image = b.input('image', 'image', {
    dtype: 'f32',
    axes: [{ name: 'batch', size: 'batch' }, { name: 'channel', size: sizes.channels }, { name: 'height', size: sizes.image }, { name: 'width', size: sizes.image }],
  });
  const ids = b.input('token_ids', 'token_ids', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] });
  const tower = { width: sizes.width, layers: sizes.layers, heads: sizes.heads, mlp_width: sizes.mlp, act: sizes.act };
  const expand = (scope: string, block: string, options: Record<string, unknown>, inputs: Record<string, ValueId>) =>
    b.scope(scope, () => expandBlock(b, STDLIB_BLOCKS[block]!, options, inputs), { component: scope });
  const vision = expand('vision', 'vit', { image: sizes.image, patch: sizes.patch, channels: sizes.channels, ...tower }, { image });
  const text = expand('text', 'clip_text', { vocab: sizes.vocab, max_len: sizes.context, ...tower }, { token_ids: ids });
  const patches = (sizes.image / sizes.patch) ** 2;

  const projection = (scope: string) =>
    b.param({ name: `${scope}.weight`, shape: [sizes.embed, sizes.width], axisNames: ['out', 'in'], component: scope, init: { kind: 'torch_default', fanIn: sizes.width, role: 'weight' } });
  const visionProj = projection('vision_proj');
  const textProj = projection('text_proj');
  const unit = (x: ValueId) => normalizeValue(b, x, b.typeOf(x).axes.length - 1, 1e-12);

  const visionTokens = applyLinear(b, vision['tokens']!, visionProj, undefined, 'vision_proj');
  const img = unit(b.reshape(b.slice(visionTokens, 1, 0, 1), ['batch', sizes.embed], { name: 'image_embedding' }));
  const patchEmb = unit(b.slice(visionTokens, 1, 1, patches + 1, { name: 'patch_embeddings', axisNames: ['batch', 'patch', 'dim'] }));
  const txt = unit(applyLinear(b, text['pooled']!, textProj, undefined, 'text_proj'));
  const tokens = unit(applyLinear(b, text['tokens']!, textProj, undefined, 'text_proj'));
  b.output('image_embedding', img);
  b.output('text_embedding', txt);

  const scale = b.scope('loss', () => learnableScale(b, { init: 1 / 0.07, max: 100, clamp: 'step' }), { component: 'loss' });
  b.scope('loss', () => {
    b.loss('clip', infonceValue(b, img, txt, scale));
    const similarity = b.matmul(tokens, b.transpose(patchEmb, [0, 2, 1]), { name: 'similarity' });
    b.output('similarity', similarity);
    const padding = text['padding']!;
    const words = entropyValue(b, softmaxValue(b, similarity, 2, undefined), 2, 0, undefined);
    b.loss('words', meanValue(b, words, [0, 1], padding), 0.1);
    const regions = entropyValue(b, softmaxValue(b, similarity, 1, padding), 1, 0, padding);
    b.loss('regions', meanValue(b, regions, [0, 1], undefined), 0.1);
  });
  return b.finish();
}
