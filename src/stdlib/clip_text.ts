// The `clip_text` block: CLIP's causal text transformer in open_clip's TextTransformer
// layout, so open_clip checkpoints load by parameter name.
//
// Parameters: `token_embedding.weight` [vocab, width], `positional_embedding`
// [max_len, width], `transformer.resblocks.{i}.*` (as in `vit`) and `ln_final`. open_clip's
// `text_projection` is left to a projection head. Pooling: `eot` takes the position of the
// end-of-text token (from the `pool_index` input, or the position whose id is `eot_id`),
// `cls` takes position 0, and `mean` averages the non-padding positions.
import type { ValueId } from '../ir/index.js';
import { maybeDropout } from './activations.js';
import { defineBlock, requireInput } from './block.js';
import { meanValue } from './functional.js';
import { layerNormLayer } from './layers.js';
import { BlockError, ENCODER_OPTIONS } from './options.js';
import type { EncoderOptions } from './options.js';
import { checkTokenLength, keepMask, positionRows, requireTokenIds } from './text_shared.js';
import { causalMask, checkHeads, preNormStack, stackOptionSpecs } from './transformer.js';
import type { StackOptions } from './transformer.js';

export interface ClipTextOptions extends EncoderOptions, StackOptions {
  vocab: number;
  max_len: number;
  pool: 'eot' | 'cls' | 'mean';
  eot_id: number | null;
  pad_id: number;
}

export const clip_text = defineBlock<ClipTextOptions>({
  name: 'clip_text',
  doc: 'CLIP text encoder: token and learned position embeddings, pre-norm blocks with a causal mask, a final layer norm, and pooling at the end-of-text token.',
  options: {
    vocab: { type: 'int', default: 49408, min: 1, doc: 'vocabulary size' },
    max_len: { type: 'int', default: 77, min: 1, doc: 'number of position embeddings (context length)' },
    ...stackOptionSpecs({ width: 512, layers: 12, heads: 8 }),
    pool: { type: 'enum', values: ['eot', 'cls', 'mean'], default: 'eot', doc: 'how `pooled` is formed' },
    eot_id: { type: 'int', default: null, min: 0, doc: 'end-of-text token id for eot pooling without a pool_index input; defaults to vocab − 1' },
    pad_id: { type: 'int', default: 0, min: 0, doc: 'padding token id' },
    ...ENCODER_OPTIONS,
  },
  inputs: [
    { name: 'token_ids', type: 'i32[batch, token]', doc: 'token ids' },
    { name: 'pool_index', type: 'i32[batch]', optional: true, doc: 'position of the end-of-text token per row' },
  ],
  outputs: [
    { name: 'tokens', type: 'f32[batch, token, width]', doc: 'every position after the final layer norm' },
    { name: 'pooled', type: 'f32[batch, width]', doc: 'the pooled text vector' },
    { name: 'padding', type: 'f32[batch, token]', doc: '1 for real tokens, 0 for padding' },
  ],
  freezeTargets: (o) => {
    const targets: Record<string, string | string[]> = { embeddings: ['token_embedding', 'positional_embedding'], ln_final: 'ln_final' };
    for (let i = 0; i < o.layers; i++) targets[`layers[${i}]`] = `transformer.resblocks.${i}`;
    return targets;
  },
  expand(b, o, inputs) {
    const ids = requireInput('clip_text', inputs, 'token_ids');
    if (inputs['pool_index'] !== undefined && o.pool !== 'eot') {
      throw new BlockError('clip_text', `'clip_text' reads input 'pool_index' only with pool: eot, but pool is '${o.pool}'.`, 'pool');
    }
    requireTokenIds(b, ids, 'clip_text');
    checkTokenLength(b, ids, o.max_len, 'clip_text');
    checkHeads('clip_text', o.width, o.heads);

    const table = b.param({ name: 'token_embedding.weight', shape: [o.vocab, o.width], axisNames: ['vocab', 'width'], init: { kind: 'normal', mean: 0, std: 0.02 } });
    const positions = b.param({ name: 'positional_embedding', shape: [o.max_len, o.width], axisNames: ['position', 'width'], init: { kind: 'normal', mean: 0, std: 0.01 } });
    const embedded = b.add(b.gather(table, ids, { name: 'token_embedding' }), positionRows(b, positions, ids), { name: 'embeddings' });
    let x = maybeDropout(b, embedded, o.dropout);

    const mask = causalMask(b, ids, 1);
    x = preNormStack(b, x, o, mask);
    const tokens = layerNormLayer(b, x, { name: 'ln_final', width: o.width, eps: 1e-5 });
    const padding = keepMask(b, ids, o.pad_id);
    const [batch, , width] = b.typeOf(tokens).axes;
    const flat = [batch!.size, o.width];
    const flatNames = [batch!.name, width!.name];

    let pooled: ValueId;
    if (o.pool === 'mean') {
      pooled = meanValue(b, tokens, [1], padding, 'clip_text');
    } else if (o.pool === 'cls') {
      pooled = b.reshape(b.slice(tokens, 1, 0, 1, { name: 'pool.first' }), flat, { name: 'pooled', axisNames: flatNames });
    } else {
      // One-hot row weights × tokens selects the end-of-text position without a gather gradient.
      // NOTE: with `eot_id`, a row holding that id more than once sums those positions.
      const select = inputs['pool_index'] !== undefined
        ? b.oneHot(inputs['pool_index'], tokens, 1, { name: 'pool.one_hot' })
        : b.cast(b.equal(ids, b.scalar(o.eot_id ?? o.vocab - 1, { dtype: 'i32', name: 'eot_id' }), { name: 'pool.is_eot' }), 'f32', { name: 'pool.one_hot' });
      const picked = b.matmul(b.unsqueeze(select, [1], { name: 'pool.row' }), tokens, { name: 'pool.pick' });
      pooled = b.reshape(picked, flat, { name: 'pooled', axisNames: flatNames });
    }
    return { tokens, pooled, padding };
  },
});
