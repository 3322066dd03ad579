// Multi-head scaled dot-product attention from a packed q/k/v projection, as one kernel
// with a hand-written backward pass. The unfused statements slice q, k and v out of the
// packed projection with strided copies, move heads next to the batch, and run each batched
// product with transposes on both sides. On wasm this costs about 30 transposes per layer.
//
// Here every tensor stays token-major: with C = batch·heads channels, q, k and v are laid
// out [T, C, D]. Each batched product out[i, c, n] = Σₖ a[i, k, c]·b[k, c, n] runs as a
// depthwise convolution (see `channelProduct`), which XNNPACK computes, while the wasm
// BatchMatMul kernel runs a plain loop for more than one batch (tfjs-backend-wasm 4.22.0).
// A layer then needs 5 transposes forward and 7 backward. When the products run on tierc's
// native addon, attention-native.ts reads q, k and v in place and needs no transpose at all.
import * as tf from '@tensorflow/tfjs-core';
import { nativeAttention, nativeAttentionGrad } from './attention-native.js';
import { customOp } from './custom.js';
import { batchedMatmul } from './matmul.js';
import { nativeMatmulActive } from './native-matmul.js';

export interface AttentionAttrs {
  heads: number;
  /** Block indices of q, k and v in the packed last axis (width 3·heads·headDim). */
  blocks: [number, number, number];
  /** Factor applied to q·kᵀ before the mask and the softmax. */
  scale: number;
}

/**
 * softmax(scale·q·kᵀ + mask)·v per head, for packed projections `qkv` [B, T, 3·W] with
 * W = heads·D, returning [B, T, W] with the heads side by side. `mask` [T, T] is added to
 * the scaled scores and receives no gradient. Backends other than wasm compute the same
 * composition of plain operations.
 */
export function attention(qkv: tf.Tensor, mask: tf.Tensor | undefined, attrs: AttentionAttrs): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return plainAttention(qkv, mask, attrs);
  const [batch, tokens, packed] = qkv.shape as [number, number, number];
  // The native kernel reads the mask as one [T, T] matrix added to every head's scores.
  if (nativeMatmulActive() && (mask === undefined || (mask.size === tokens * tokens && mask.dtype === 'float32'))) {
    const native = customOp(([x], save) => {
      const [context, probs] = nativeAttention(x!, mask, attrs);
      save([x!, probs]);
      return { value: context, gradFunc: (dy, saved) => nativeAttentionGrad(saved[0]!, saved[1]!, dy, attrs) };
    });
    return native(qkv);
  }
  const width = packed / 3;
  const heads = attrs.heads;
  const depth = width / heads;
  const channels = batch * heads;
  const scale = attrs.scale;
  const [qBlock, kBlock, vBlock] = attrs.blocks;

  const f = customOp(([x], save) => {
    // [B, T, 3, H, D] → [3, T, B, H, D]: each block is then a contiguous [T, C, D] slice.
    // The heads and depth axes stay together, so this is a rank-4 transpose; the wasm
    // Transpose kernel is far slower at rank 5.
    const blocks = tf.transpose(tf.reshape(x!, [batch, tokens, 3, width]), [2, 1, 0, 3]);
    const block = (index: number) => tf.reshape(tf.slice(blocks, [index, 0, 0, 0], [1, tokens, batch, width]), [tokens, channels, depth]);
    const q = block(qBlock);
    const k = block(kBlock);
    const v = block(vBlock);
    // scores[i, c, j] = Σ_d q[i, c, d]·k[j, c, d]
    let scores = tf.mul(channelProduct(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0])), scale);
    if (mask) scores = tf.add(scores, tf.reshape(mask, [tokens, 1, tokens]));
    const probs = tf.softmax(scores);
    // context[i, c, d] = Σ_j probs[i, c, j]·v[j, c, d]
    const context = channelProduct(tf.transpose(probs, [0, 2, 1]), v);
    save([q, k, v, probs]);
    return {
      value: tf.reshape(tf.transpose(tf.reshape(context, [tokens, batch, width]), [1, 0, 2]), [batch, tokens, width]),
      gradFunc: (dy, saved) => {
        const [qs, ks, vs, ps] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const dContext = tf.reshape(tf.transpose(tf.reshape(dy, [batch, tokens, width]), [1, 0, 2]), [tokens, channels, depth]);
        // dProbs[i, c, j] = Σ_d dContext[i, c, d]·v[j, c, d]
        const dProbs = channelProduct(tf.transpose(dContext, [0, 2, 1]), tf.transpose(vs, [2, 1, 0]));
        // dv[j, c, d] = Σ_i probs[i, c, j]·dContext[i, c, d]
        const dv = channelProduct(tf.transpose(ps, [2, 0, 1]), dContext);
        // Softmax backward: dScores = p ⊙ (dp − Σ_j dp ⊙ p), then the scale.
        const dScores = tf.mul(tf.mul(ps, tf.sub(dProbs, tf.sum(tf.mul(dProbs, ps), 2, true))), scale);
        // dq[i, c, d] = Σ_j dScores[i, c, j]·k[j, c, d]; dk[j, c, d] = Σ_i dScores[i, c, j]·q[i, c, d]
        const dq = channelProduct(tf.transpose(dScores, [0, 2, 1]), ks);
        const dk = channelProduct(tf.transpose(dScores, [2, 0, 1]), qs);
        const byBlock: tf.Tensor[] = [];
        byBlock[qBlock] = dq;
        byBlock[kBlock] = dk;
        byBlock[vBlock] = dv;
        const stacked = tf.reshape(tf.stack(byBlock), [3, tokens, batch, width]);
        return tf.reshape(tf.transpose(stacked, [2, 1, 0, 3]), [batch, tokens, packed]);
      },
    };
  });
  return f(qkv);
}

/**
 * out[i, c, n] = Σₖ a[i, k, c]·b[k, c, n] for a [M, K, C] and b [K, C, N], as a depthwise
 * convolution: the input is one column of M·K rows with C channels, the filter has K rows,
 * N outputs per channel and stride K, so output row i sees exactly rows i·K … i·K + K − 1.
 */
export function channelProduct(a: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const [m, k, c] = a.shape as [number, number, number];
  const n = b.shape[2]!;
  const input = tf.reshape(a, [1, m * k, 1, c]) as tf.Tensor4D;
  const filter = tf.reshape(b, [k, 1, c, n]) as tf.Tensor4D;
  return tf.reshape(tf.depthwiseConv2d(input, filter, [k, 1], 'valid'), [m, c, n]) as tf.Tensor3D;
}

/** Computes attention without fusion: slices, heads moved next to the batch, two batched products. */
export function plainAttention(qkv: tf.Tensor, mask: tf.Tensor | undefined, attrs: AttentionAttrs): tf.Tensor {
  const [batch, tokens, packed] = qkv.shape as [number, number, number];
  const width = packed / 3;
  const depth = width / attrs.heads;
  const heads = (index: number) =>
    tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, index * width], [batch, tokens, width]), [batch, tokens, attrs.heads, depth]), [0, 2, 1, 3]);
  const [q, k, v] = attrs.blocks.map(heads) as [tf.Tensor, tf.Tensor, tf.Tensor];
  let scores = tf.mul(batchedMatmul(q, tf.transpose(k, [0, 1, 3, 2])), attrs.scale);
  if (mask) scores = tf.add(scores, mask);
  const context = batchedMatmul(tf.softmax(scores), v);
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, tokens, width]);
}
