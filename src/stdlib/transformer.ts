// Multi-head self-attention, attention masks, and the two transformer layer layouts the
// encoders use: the pre-norm residual block of CLIP and open_clip (`ln_1`, `attn`, `ln_2`,
// `mlp.c_fc`, `mlp.c_proj`) and the post-norm layer of Hugging Face BERT
// (`attention.self.query`, …, `output.LayerNorm`).
//
// Attention works on [batch, seq, width]: queries, keys and values are split into
// [batch, heads, seq, head_dim], scores are scaled by 1/√head_dim, an additive mask is
// added, and the softmax runs over the key axis.
import type { IrBuilder, Size, ValueId } from '../ir/index.js';
import { ACTIVATIONS, activation, maybeDropout } from './activations.js';
import type { ActivationKind } from './activations.js';
import { MASK_VALUE } from './functional.js';
import { applyLinear, layerNormLayer, linearLayer, normalInit } from './layers.js';
import type { LinearInit } from './layers.js';
import { BlockError } from './options.js';
import type { OptionSpec } from './options.js';

export interface AttentionSpec {
  width: number;
  heads: number;
  /** Dropout on the attention probabilities. */
  dropout: number;
  /** Additive mask broadcastable to [batch, heads, query, key]: 0 keeps, a large negative value drops. */
  mask?: ValueId;
  init: LinearInit;
}

export function checkHeads(block: string, width: number, heads: number): number {
  if (width % heads !== 0) throw new BlockError(block, `Width ${width} of '${block}' does not divide into ${heads} heads.`, 'heads');
  return width / heads;
}

/** [batch, seq, width] → [batch, heads, seq, head_dim]. */
function splitHeads(b: IrBuilder, x: ValueId, heads: number, name: string): ValueId {
  const [batch, seq, width] = b.typeOf(x).axes as [{ name: string; size: Size }, { name: string; size: Size }, { name: string; size: number }];
  const split = b.reshape(x, [batch.size, seq.size, heads, width.size / heads], { name: `${name}.split`, axisNames: [batch.name, seq.name, 'head', 'head_dim'] });
  return b.transpose(split, [0, 2, 1, 3], { name: `${name}.heads` });
}

/** Scaled dot-product attention of split heads; returns [batch, seq, width] with heads merged. */
function attend(b: IrBuilder, q: ValueId, k: ValueId, v: ValueId, spec: AttentionSpec): ValueId {
  const headDim = spec.width / spec.heads;
  const keysT = b.transpose(k, [0, 1, 3, 2], { name: 'keys.t' });
  let scores = b.mul(b.matmul(q, keysT, { name: 'scores' }), b.scalar(1 / Math.sqrt(headDim)), { name: 'scores.scaled' });
  if (spec.mask !== undefined) scores = b.add(scores, spec.mask, { name: 'scores.masked' });
  const probs = maybeDropout(b, b.softmax(scores, 3, { name: 'probs' }), spec.dropout, 'probs.dropout');
  const mixed = b.transpose(b.matmul(probs, v, { name: 'context' }), [0, 2, 1, 3], { name: 'context.t' });
  const [batch, seq] = b.typeOf(mixed).axes;
  return b.reshape(mixed, [batch!.size, seq!.size, spec.width], { name: 'context.merge', axisNames: [batch!.name, seq!.name, 'width'] });
}

/**
 * Self-attention with one fused input projection, as torch.nn.MultiheadAttention stores it:
 * `in_proj_weight` [3·width, width] (query rows, then key, then value), `in_proj_bias`,
 * `out_proj.weight`, `out_proj.bias`. Parameters are created in the current scope.
 */
export function fusedSelfAttention(b: IrBuilder, x: ValueId, spec: AttentionSpec): ValueId {
  const w = spec.width;
  const inWeight = b.param({ name: 'in_proj_weight', shape: [3 * w, w], axisNames: ['out', 'in'], init: spec.init.weight });
  const inBias = b.param({ name: 'in_proj_bias', shape: [3 * w], axisNames: ['out'], role: 'no_decay', init: spec.init.bias });
  const qkv = applyLinear(b, x, inWeight, inBias, 'in_proj');
  const part = (i: number, name: string) => splitHeads(b, b.slice(qkv, 2, i * w, (i + 1) * w, { name }), spec.heads, name);
  const context = attend(b, part(0, 'query'), part(1, 'key'), part(2, 'value'), spec);
  return linearLayer(b, context, { name: 'out_proj', inFeatures: w, outFeatures: w, init: spec.init });
}

/** Self-attention with separate `query`, `key`, `value` linears, as BERT's `attention.self`. */
function separateSelfAttention(b: IrBuilder, x: ValueId, spec: AttentionSpec): ValueId {
  const project = (name: string) => splitHeads(b, linearLayer(b, x, { name, inFeatures: spec.width, outFeatures: spec.width, init: spec.init }), spec.heads, name);
  return attend(b, project('query'), project('key'), project('value'), spec);
}

/** Additive causal mask f32[seq, seq] for the `axis` of x: 0 on and below the diagonal, MASK_VALUE above. */
export function causalMask(b: IrBuilder, x: ValueId, axis: number): ValueId {
  const positions = b.rangeLike(x, axis, { name: 'causal.positions' });
  const rows = b.unsqueeze(positions, [1], { name: 'causal.rows' });
  const cols = b.unsqueeze(positions, [0], { name: 'causal.cols' });
  const future = b.greater(cols, rows, { name: 'causal.future' });
  const seq = b.typeOf(positions).axes[0]!;
  return b.where(future, b.scalar(MASK_VALUE), b.scalar(0), { name: 'causal.mask', axisNames: [seq.name, 'key'] });
}

/** Additive key mask f32[batch, 1, 1, seq] from a [batch, seq] mask with 1 for real tokens. */
export function paddingMask(b: IrBuilder, keep: ValueId): ValueId {
  const dropped = b.sub(b.scalar(1), keep, { name: 'padding.dropped' });
  const additive = b.mul(dropped, b.scalar(MASK_VALUE), { name: 'padding.additive' });
  return b.unsqueeze(additive, [1, 2], { name: 'padding.mask' });
}

export interface BlockSpec {
  width: number;
  heads: number;
  mlpWidth: number;
  act: ActivationKind;
  dropout: number;
  mask?: ValueId;
  init: LinearInit;
}

/** Emits one CLIP/open_clip residual block: x + attn(ln_1(x)), then + mlp(ln_2(x)). Layer norms use eps 1e-5. */
export function preNormBlock(b: IrBuilder, x: ValueId, spec: BlockSpec): ValueId {
  const attnSpec: AttentionSpec = { width: spec.width, heads: spec.heads, dropout: spec.dropout, init: spec.init };
  if (spec.mask !== undefined) attnSpec.mask = spec.mask;
  const normed = layerNormLayer(b, x, { name: 'ln_1', width: spec.width, eps: 1e-5 });
  const attended = b.scope('attn', () => fusedSelfAttention(b, normed, attnSpec));
  const h = b.add(x, maybeDropout(b, attended, spec.dropout, 'attn.dropout'), { name: 'residual_1' });
  const normed2 = layerNormLayer(b, h, { name: 'ln_2', width: spec.width, eps: 1e-5 });
  const mlp = b.scope('mlp', () => {
    const hidden = linearLayer(b, normed2, { name: 'c_fc', inFeatures: spec.width, outFeatures: spec.mlpWidth, init: spec.init });
    return linearLayer(b, activation(b, hidden, spec.act), { name: 'c_proj', inFeatures: spec.mlpWidth, outFeatures: spec.width, init: spec.init });
  });
  return b.add(h, maybeDropout(b, mlp, spec.dropout, 'mlp.dropout'), { name: 'residual_2' });
}

/**
 * Emits one BERT layer (post-norm): LayerNorm(x + attention(x)), then LayerNorm(h + FFN(h)).
 * Both layer norms use `eps` (1e-12 in BERT), and hidden dropout follows each sub-layer.
 */
export function postNormLayer(b: IrBuilder, x: ValueId, spec: BlockSpec & { eps: number; attentionDropout: number }): ValueId {
  const attnSpec: AttentionSpec = { width: spec.width, heads: spec.heads, dropout: spec.attentionDropout, init: spec.init };
  if (spec.mask !== undefined) attnSpec.mask = spec.mask;
  const h = b.scope('attention', () => {
    const context = b.scope('self', () => separateSelfAttention(b, x, attnSpec));
    return b.scope('output', () => {
      const projected = maybeDropout(b, linearLayer(b, context, { name: 'dense', inFeatures: spec.width, outFeatures: spec.width, init: spec.init }), spec.dropout);
      return layerNormLayer(b, b.add(x, projected, { name: 'residual' }), { name: 'LayerNorm', width: spec.width, eps: spec.eps });
    });
  });
  const hidden = b.scope('intermediate', () => activation(b, linearLayer(b, h, { name: 'dense', inFeatures: spec.width, outFeatures: spec.mlpWidth, init: spec.init }), spec.act));
  return b.scope('output', () => {
    const projected = maybeDropout(b, linearLayer(b, hidden, { name: 'dense', inFeatures: spec.mlpWidth, outFeatures: spec.width, init: spec.init }), spec.dropout);
    return layerNormLayer(b, b.add(h, projected, { name: 'residual' }), { name: 'LayerNorm', width: spec.width, eps: spec.eps });
  });
}

/** Options of a stack of pre-norm blocks, shared by `vit` and `clip_text`; defaults differ per block. */
export interface StackOptions {
  width: number;
  layers: number;
  heads: number;
  mlp_ratio: number;
  mlp_width: number | null;
  act: ActivationKind;
  dropout: number;
}

export function stackOptionSpecs(defaults: { width: number; layers: number; heads: number }): { [K in keyof StackOptions]: OptionSpec } {
  return {
    width: { type: 'int', default: defaults.width, min: 1, doc: 'token width' },
    layers: { type: 'int', default: defaults.layers, min: 1, doc: 'number of transformer blocks' },
    heads: { type: 'int', default: defaults.heads, min: 1, doc: 'attention heads; must divide width' },
    mlp_ratio: { type: 'number', default: 4, min: 0, doc: 'MLP hidden width as a multiple of width' },
    mlp_width: { type: 'int', default: null, min: 1, doc: 'MLP hidden width; overrides mlp_ratio' },
    act: { type: 'enum', values: ACTIVATIONS, default: 'gelu', doc: 'MLP activation (open_clip uses gelu, OpenAI CLIP quick_gelu)' },
    dropout: { type: 'number', default: 0, min: 0, below: 1, doc: 'dropout after attention and MLP' },
  };
}

/** Runs `layers` pre-norm blocks named `transformer.resblocks.{i}`, as open_clip's Transformer. */
export function preNormStack(b: IrBuilder, x: ValueId, o: StackOptions, mask?: ValueId): ValueId {
  const spec: BlockSpec = { width: o.width, heads: o.heads, mlpWidth: o.mlp_width ?? Math.round(o.width * o.mlp_ratio), act: o.act, dropout: o.dropout, init: normalInit(0.02) };
  if (mask !== undefined) spec.mask = mask;
  let h = x;
  for (let i = 0; i < o.layers; i++) {
    const input = h;
    h = b.scope(`transformer.resblocks.${i}`, () => preNormBlock(b, input, spec));
  }
  return h;
}
