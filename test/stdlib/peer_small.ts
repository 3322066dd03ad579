// The peer reference model built from standard blocks, in its SMALL configuration (width
// 128, 4 layers, 4 heads, MLP 512, 64×64 grayscale, 8×8 patches) or its PAPER one.
// Both have a ViT image tower and a causal CLIP text tower with QuickGELU, and bias-free
// linear projections applied to every token. The loss is symmetric InfoNCE with a learnable
// logit scale (clamped at 100 in the forward pass) plus 0.1 × the two TIER entropy terms:
// token→patch averaged over real tokens, and patch→token with padding keys masked out.
import { IrBuilder } from '../../src/ir/index.js';
import type { IrModule, ValueId } from '../../src/ir/index.js';
import { applyLinear, entropyValue, infonceValue, learnableScale, meanValue, normalizeValue, softmaxValue } from '../../src/stdlib/index.js';
import { expandIn, imageInput, tokenInput } from './helpers.js';

/** The peer's Config fields (one width, depth, head count and MLP width for both towers). */
export interface PeerConfig {
  image: number;
  channels: number;
  patch: number;
  width: number;
  depth: number;
  heads: number;
  mlp: number;
  vocab: number;
  ctx: number;
  embed: number;
}

export const SMALL: PeerConfig = { image: 64, channels: 1, patch: 8, width: 128, depth: 4, heads: 4, mlp: 512, vocab: 1000, ctx: 32, embed: 64 };
export const PAPER: PeerConfig = { image: 224, channels: 3, patch: 16, width: 768, depth: 12, heads: 12, mlp: 3072, vocab: 49408, ctx: 77, embed: 512 };

export function peerSmallModule(c: PeerConfig = SMALL): IrModule {
  const b = new IrBuilder('peer_small');
  const image = imageInput(b, c.channels, c.image);
  const ids = tokenInput(b, c.ctx);
  const tower = { width: c.width, layers: c.depth, heads: c.heads, mlp_width: c.mlp, act: 'quick_gelu' };
  const vision = expandIn(b, 'vision', 'vit', { image: c.image, patch: c.patch, channels: c.channels, ...tower }, { image });
  const text = expandIn(b, 'text', 'clip_text', { vocab: c.vocab, max_len: c.ctx, ...tower }, { token_ids: ids });
  const patchCount = (c.image / c.patch) ** 2;

  const projection = (name: string) =>
    b.param({ name: `${name}.weight`, shape: [c.embed, c.width], axisNames: ['out', 'in'], component: name, init: { kind: 'torch_default', fanIn: c.width, role: 'weight' } });
  const visionProj = projection('vision_proj');
  const textProj = projection('text_proj');
  const unit = (x: ValueId) => normalizeValue(b, x, b.typeOf(x).axes.length - 1, 1e-12);

  const visionTokens = applyLinear(b, vision['tokens']!, visionProj, undefined, 'vision_proj');
  const img = unit(b.reshape(b.slice(visionTokens, 1, 0, 1), ['batch', c.embed], { name: 'image_embedding' }));
  const patches = unit(b.slice(visionTokens, 1, 1, patchCount + 1, { name: 'patch_embeddings', axisNames: ['batch', 'patch', 'dim'] }));
  const txt = unit(applyLinear(b, text['pooled']!, textProj, undefined, 'text_proj'));
  const tokens = unit(applyLinear(b, text['tokens']!, textProj, undefined, 'text_proj'));
  b.output('image_embedding', img);
  b.output('text_embedding', txt);

  const scale = learnableScale(b, { init: 1 / 0.07, max: 100, clamp: 'forward' });
  b.loss('clip', infonceValue(b, img, txt, scale));

  const similarity = b.matmul(tokens, b.transpose(patches, [0, 2, 1]), { name: 'similarity' });
  b.output('similarity', similarity);
  const padding = text['padding']!;
  const words = entropyValue(b, softmaxValue(b, similarity, 2, undefined), 2, 0, undefined);
  b.loss('words', meanValue(b, words, [0, 1], padding), 0.1);
  const regions = entropyValue(b, softmaxValue(b, similarity, 1, padding), 1, 0, padding);
  b.loss('regions', meanValue(b, regions, [0, 1], undefined), 0.1);
  return b.finish();
}
