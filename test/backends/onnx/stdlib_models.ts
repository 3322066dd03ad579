// Test models assembled from the standard library, at toy widths. One follows the layout of
// the TIER paper (Palepu and Beam, MLHC 2023): a ResNet-50 trunk cut after layer1, the
// 1×1-conv/BN/ReLU/1×1-conv patch projection, a BERT text encoder with an attention mask
// and the Linear/GELU/LayerNorm/Linear token projection. The other is a ViT + CLIP-text model pooled at an end-of-text index.
import { IrBuilder } from '../../../src/ir/builder.js';
import type { IrModule, ValueId } from '../../../src/ir/types.js';
import { STDLIB_BLOCKS, applyLinear, batchNormLayer, conv2dLayer, expandBlock, layerNormLayer, linearLayer, normalizeValue } from '../../../src/stdlib/index.js';

const span = (line: number) => ({ file: 'stdlib.tier', start: { offset: 0, line, column: 1 }, end: { offset: 1, line, column: 2 } });

function batchAxis(name: string, size: number | string) {
  return { name, size };
}

function similarity(b: IrBuilder, tokens: ValueId, patches: ValueId): ValueId {
  const t = normalizeValue(b, tokens, 2, 1e-12);
  const p = normalizeValue(b, patches, 2, 1e-12);
  return b.matmul(t, b.transpose(p, [0, 2, 1]), { name: 'similarity', span: span(30) });
}

/** ResNet-50 to layer1 on 32×32 grayscale images (8×8 cells) with BERT text; embeddings of width 8. */
export function paperLayout(): IrModule {
  const b = new IrBuilder('paper_layout');
  b.symbol('batch');
  b.symbol('token', 16);
  const image = b.input('image', 'image', { dtype: 'f32', axes: [batchAxis('batch', 'batch'), batchAxis('channel', 1), batchAxis('height', 32), batchAxis('width', 32)] });
  const ids = b.input('tokens', 'token_ids', { dtype: 'i32', axes: [batchAxis('batch', 'batch'), batchAxis('token', 'token')] });
  const mask = b.input('attention_mask', 'attention_mask', { dtype: 'f32', axes: [batchAxis('batch', 'batch'), batchAxis('token', 'token')] });

  const trunk = b.scope('image', () => expandBlock(b, STDLIB_BLOCKS.resnet50!, { output: 'layer1', channels: 1 }, { image }), { span: span(3) });
  const patches = b.scope('patch_proj', () => {
    let x = conv2dLayer(b, trunk.feature_map!, { name: '0', inChannels: 256, outChannels: 16, kernel: 1, bias: false });
    x = b.relu(batchNormLayer(b, x, { name: '1', channels: 16 }));
    x = conv2dLayer(b, x, { name: '3', inChannels: 16, outChannels: 8, kernel: 1 });
    return b.transpose(b.reshape(x, ['batch', 8, 64]), [0, 2, 1], { name: 'cells' });
  }, { span: span(5) });

  const text = b.scope('text', () => expandBlock(b, STDLIB_BLOCKS.bert!, { layers: 1, width: 16, heads: 2, vocab: 40, max_len: 16 }, { token_ids: ids, attention_mask: mask }), { span: span(8) });
  const project = (x: ValueId) => b.scope('token_proj', () => {
    const hidden = layerNormLayer(b, b.gelu(linearLayer(b, x, { name: '0', inFeatures: 16, outFeatures: 8 })), { name: '2', width: 8, eps: 1e-12 });
    return linearLayer(b, hidden, { name: '3', inFeatures: 8, outFeatures: 8 });
  }, { span: span(10) });
  const tokenEmbeddings = project(text.tokens!);
  // The projection is shared by all positions; the global text embedding is the [CLS] row.
  const textEmbedding = b.reshape(b.slice(tokenEmbeddings, 1, 0, 1), ['batch', 8], { name: 'text_embedding', span: span(12) });

  b.output('patch_embeddings', patches);
  b.output('image_embedding', b.reduceMean(patches, [1], false, { name: 'image_embedding', span: span(14) }));
  b.output('token_embeddings', tokenEmbeddings);
  b.output('text_embedding', textEmbedding);
  b.output('similarity', similarity(b, tokenEmbeddings, patches));
  return b.finish();
}

/** ViT (16×16 grayscale, 4×4 patches) and CLIP text pooled at `pool_index`, with linear projections to width 8. */
export function vitClipText(): IrModule {
  const b = new IrBuilder('vit_clip_text');
  b.symbol('batch');
  b.symbol('token', 12);
  const image = b.input('image', 'image', { dtype: 'f32', axes: [batchAxis('batch', 'batch'), batchAxis('channel', 1), batchAxis('height', 16), batchAxis('width', 16)] });
  const ids = b.input('tokens', 'token_ids', { dtype: 'i32', axes: [batchAxis('batch', 'batch'), batchAxis('token', 'token')] });
  const pool = b.input('pool_index', 'pool_index', { dtype: 'i32', axes: [batchAxis('batch', 'batch')] });

  const vision = b.scope('image', () => expandBlock(b, STDLIB_BLOCKS.vit!, { image: 16, patch: 4, channels: 1, width: 16, layers: 2, heads: 2 }, { image }), { span: span(3) });
  const text = b.scope('text', () => expandBlock(b, STDLIB_BLOCKS.clip_text!, { vocab: 50, max_len: 12, width: 16, layers: 1, heads: 2, act: 'quick_gelu' }, { token_ids: ids, pool_index: pool }), { span: span(6) });
  // Each projection is one parameter applied twice (tokens and pooled vector), so the export must store it once.
  const projection = (name: string) => b.param({ name: `${name}.weight`, shape: [8, 16], axisNames: ['out', 'in'], init: { kind: 'normal', mean: 0, std: 0.25 } });
  const imageWeight = projection('image_proj');
  const textWeight = projection('text_proj');
  const imageProj = (x: ValueId) => applyLinear(b, x, imageWeight, undefined, 'image_proj');
  const textProj = (x: ValueId) => applyLinear(b, x, textWeight, undefined, 'text_proj');
  const patches = imageProj(vision.patches!);
  const tokens = textProj(text.tokens!);
  b.output('image_embedding', imageProj(vision.cls!));
  b.output('patch_embeddings', patches);
  b.output('text_embedding', textProj(text.pooled!));
  b.output('token_embeddings', tokens);
  b.output('similarity', similarity(b, tokens, patches));
  return b.finish();
}
