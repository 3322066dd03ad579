// The peer reference model's SMALL configuration built from standard blocks: a ViT image
// tower and a causal CLIP text tower (QuickGELU, width 128, 4 layers, 4 heads, MLP 512),
// bias-free linear projections to 64 applied to every token, a learnable logit scale
// clamped at 100 in the forward pass, symmetric InfoNCE, and 0.1 × the two TIER entropy
// terms: token→patch averaged over real tokens, patch→token with padding keys masked out.
import { IrBuilder } from '../../src/ir/index.js';
import type { IrModule, ValueId } from '../../src/ir/index.js';
import { applyLinear, entropyValue, infonceValue, learnableScale, meanValue, normalizeValue, softmaxValue } from '../../src/stdlib/index.js';
import { expandIn, imageInput, tokenInput } from './helpers.js';

export function peerSmallModule(): IrModule {
  const b = new IrBuilder('peer_small');
  const image = imageInput(b, 1, 64);
  const ids = tokenInput(b, 32);
  const tower = { width: 128, layers: 4, heads: 4, mlp_width: 512, act: 'quick_gelu' };
  const vision = expandIn(b, 'vision', 'vit', { image: 64, patch: 8, channels: 1, ...tower }, { image });
  const text = expandIn(b, 'text', 'clip_text', { vocab: 1000, max_len: 32, ...tower }, { token_ids: ids });

  const projection = (name: string) =>
    b.param({ name: `${name}.weight`, shape: [64, 128], axisNames: ['out', 'in'], component: name, init: { kind: 'torch_default', fanIn: 128, role: 'weight' } });
  const visionProj = projection('vision_proj');
  const textProj = projection('text_proj');
  const unit = (x: ValueId) => normalizeValue(b, x, b.typeOf(x).axes.length - 1, 1e-12);

  const visionTokens = applyLinear(b, vision['tokens']!, visionProj, undefined, 'vision_proj');
  const img = unit(b.reshape(b.slice(visionTokens, 1, 0, 1), ['batch', 64], { name: 'image_embedding' }));
  const patches = unit(b.slice(visionTokens, 1, 1, 65, { name: 'patch_embeddings', axisNames: ['batch', 'patch', 'dim'] }));
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
