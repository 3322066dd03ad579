// The `bert` block: a BERT encoder in Hugging Face's BertModel layout, so BERT-base,
// CXR-BERT and other BertModel checkpoints load by parameter name.
//
// Parameters: `embeddings.{word_embeddings, position_embeddings, token_type_embeddings}.weight`
// and `embeddings.LayerNorm`, then per layer `encoder.layer.{i}.attention.self.{query, key,
// value}`, `attention.output.{dense, LayerNorm}`, `intermediate.dense`, `output.{dense,
// LayerNorm}`, and `pooler.dense` only when `pooler` is on. Every position uses token type 0.
// Padding positions are masked out of attention as keys with an additive mask.
import type { ValueId } from '../ir/index.js';
import { ACTIVATIONS, maybeDropout } from './activations.js';
import type { ActivationKind } from './activations.js';
import { defineBlock, requireInput } from './block.js';
import { layerNormLayer, linearLayer, normalInit } from './layers.js';
import { ENCODER_OPTIONS } from './options.js';
import type { EncoderOptions } from './options.js';
import { checkTokenLength, keepMask, positionRows, requireTokenIds } from './text_shared.js';
import { checkHeads, paddingMask, postNormLayer } from './transformer.js';

export interface BertOptions extends EncoderOptions {
  layers: number;
  width: number;
  heads: number;
  vocab: number;
  max_len: number;
  type_vocab: number;
  mlp_width: number | null;
  act: ActivationKind;
  eps: number;
  dropout: number;
  attention_dropout: number;
  pad_id: number;
  pooler: boolean;
}

export const bert = defineBlock<BertOptions>({
  name: 'bert',
  doc: 'BERT encoder: word, position and token-type embeddings with LayerNorm, post-norm layers with a padding mask, exact GELU; no pooler unless asked.',
  options: {
    layers: { type: 'int', default: 12, min: 1, doc: 'number of encoder layers' },
    width: { type: 'int', default: 768, min: 1, doc: 'hidden size' },
    heads: { type: 'int', default: 12, min: 1, doc: 'attention heads; must divide width' },
    vocab: { type: 'int', default: 30522, min: 1, doc: 'vocabulary size (the line count of vocab.txt)' },
    max_len: { type: 'int', default: 512, min: 1, doc: 'number of position embeddings' },
    type_vocab: { type: 'int', default: 2, min: 1, doc: 'number of token types' },
    mlp_width: { type: 'int', default: null, min: 1, doc: 'intermediate size; defaults to 4 × width' },
    act: { type: 'enum', values: ACTIVATIONS, default: 'gelu', doc: 'intermediate activation; BERT uses the exact gelu' },
    eps: { type: 'number', default: 1e-12, min: 0, doc: 'layer norm epsilon' },
    dropout: { type: 'number', default: 0.1, min: 0, below: 1, doc: 'hidden dropout' },
    attention_dropout: { type: 'number', default: 0.1, min: 0, below: 1, doc: 'dropout on attention probabilities' },
    pad_id: { type: 'int', default: 0, min: 0, doc: 'padding token id, used when no attention_mask input is given' },
    pooler: { type: 'bool', default: false, doc: 'add the tanh pooler over [CLS] as `pooled`' },
    ...ENCODER_OPTIONS,
  },
  inputs: [
    { name: 'token_ids', type: 'i32[batch, token]', doc: 'WordPiece ids starting with [CLS]' },
    { name: 'attention_mask', type: 'f32[batch, token]', optional: true, doc: '1 for real tokens, 0 for padding; derived from pad_id when absent' },
  ],
  outputs: [
    { name: 'tokens', type: 'f32[batch, token, width]', doc: 'last hidden state' },
    { name: 'cls', type: 'f32[batch, width]', doc: 'last hidden state at position 0' },
    { name: 'padding', type: 'f32[batch, token]', doc: '1 for real tokens, 0 for padding' },
    { name: 'pooled', type: 'f32[batch, width]', optional: true, doc: 'tanh(dense(cls)), only with pooler: true' },
  ],
  freezeTargets: (o) => {
    const targets: Record<string, string> = { embeddings: 'embeddings', pooler: 'pooler' };
    for (let i = 0; i < o.layers; i++) targets[`layers[${i}]`] = `encoder.layer.${i}`;
    return targets;
  },
  expand(b, o, inputs) {
    const ids = requireInput('bert', inputs, 'token_ids');
    requireTokenIds(b, ids, 'bert');
    checkTokenLength(b, ids, o.max_len, 'bert');
    checkHeads('bert', o.width, o.heads);
    const init = normalInit(0.02);
    const table = (name: string, rows: number) =>
      b.param({ name: `${name}.weight`, shape: [rows, o.width], axisNames: ['row', 'width'], init: { kind: 'normal', mean: 0, std: 0.02 } });

    const embedded = b.scope('embeddings', () => {
      const words = b.gather(table('word_embeddings', o.vocab), ids, { name: 'word_embeddings' });
      const positions = positionRows(b, table('position_embeddings', o.max_len), ids);
      const tokenType = b.slice(table('token_type_embeddings', o.type_vocab), 0, 0, 1, { name: 'token_type_embeddings' });
      const sum = b.add(b.add(words, positions, { name: 'sum' }), tokenType, { name: 'sum' });
      return maybeDropout(b, layerNormLayer(b, sum, { name: 'LayerNorm', width: o.width, eps: o.eps }), o.dropout);
    });

    const attentionMask = inputs['attention_mask'];
    let padding: ValueId;
    if (attentionMask === undefined) padding = keepMask(b, ids, o.pad_id);
    else if (b.typeOf(attentionMask).dtype === 'f32') padding = attentionMask;
    else padding = b.cast(attentionMask, 'f32', { name: 'attention_mask' });
    const mask = paddingMask(b, padding);
    const spec = {
      width: o.width, heads: o.heads, mlpWidth: o.mlp_width ?? 4 * o.width, act: o.act,
      dropout: o.dropout, attentionDropout: o.attention_dropout, eps: o.eps, mask, init,
    };
    let x: ValueId = embedded;
    for (let i = 0; i < o.layers; i++) {
      const input = x;
      x = b.scope(`encoder.layer.${i}`, () => postNormLayer(b, input, spec));
    }

    const [batch, , width] = b.typeOf(x).axes;
    const cls = b.reshape(b.slice(x, 1, 0, 1, { name: 'cls' }), [batch!.size, o.width], { name: 'cls', axisNames: [batch!.name, width!.name] });
    const outputs: Record<string, ValueId> = { tokens: x, cls, padding };
    if (o.pooler) {
      outputs['pooled'] = b.scope('pooler', () => b.tanh(linearLayer(b, cls, { name: 'dense', inFeatures: o.width, outFeatures: o.width, init }), { name: 'tanh' }));
    }
    return outputs;
  },
});
