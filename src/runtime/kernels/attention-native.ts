// Multi-head attention on the native addon's strided products, for the wasm backend. The
// packed projection qkv [B, T, 3·W] is read in place. Head h of block q of sample b is the
// [T, D] matrix at column q·W + h·D with row stride 3·W. A head's transpose is the same
// matrix with its strides swapped. So no slice, transpose or copy runs. Each product is one
// call per sample with the heads as its batch. The context is written straight into the
// [B, T, W] layout the next linear layer reads. The masked softmax and its backward run
// in place on the heap, on the addon's row kernels.
//
// Two kernels are registered on the wasm backend: TiercAttention returns the context and
// the probabilities (saved for the backward pass), TiercAttentionGrad returns the gradient
// of the packed projection, its three blocks written by three products.
import * as tf from '@tensorflow/tfjs-core';
import type { GemmOperand } from '../native.js';
import { activeNativeKernels, heapGemm, heapOffset, type HeapBackend } from './native-matmul.js';

export interface NativeAttentionAttrs {
  heads: number;
  blocks: [number, number, number];
  scale: number;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

interface Layout {
  batch: number;
  tokens: number;
  /** Width of the packed last axis, 3·W. */
  packed: number;
  width: number;
  heads: number;
  depth: number;
}

let registered = false;

/** Registers the two attention kernels on the wasm backend once per process. */
export function registerNativeAttention(): void {
  if (registered) return;
  tf.registerKernel({ kernelName: 'TiercAttention', backendName: 'wasm', kernelFunc: forwardKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'TiercAttentionGrad', backendName: 'wasm', kernelFunc: gradKernel as unknown as tf.KernelFunc });
  registered = true;
}

/** Runs the forward kernel: [context [B, T, W], probabilities [B, H, T, T]]. */
export function nativeAttention(qkv: tf.Tensor, mask: tf.Tensor | undefined, attrs: NativeAttentionAttrs): [tf.Tensor, tf.Tensor] {
  const inputs: tf.NamedTensorMap = mask ? { qkv, mask } : { qkv };
  return tf.engine().runKernel('TiercAttention', inputs, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor];
}

/** Runs the backward kernel: the gradient of qkv [B, T, 3·W]. */
export function nativeAttentionGrad(qkv: tf.Tensor, probs: tf.Tensor, dy: tf.Tensor, attrs: NativeAttentionAttrs): tf.Tensor {
  return tf.engine().runKernel('TiercAttentionGrad', { qkv, probs, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function layoutOf(qkv: tf.TensorInfo, heads: number): Layout {
  const [batch, tokens, packed] = qkv.shape as [number, number, number];
  const width = packed / 3;
  return { batch, tokens, packed, width, heads, depth: width / heads };
}

/** Head h of `block` in sample b, as a [T, D] operand (or [D, T] when `transposed`). */
function headOperand(base: number, l: Layout, b: number, block: number, transposed: boolean): GemmOperand {
  const offset = base + b * l.tokens * l.packed + block * l.width;
  return transposed
    ? { offset, batchStride: l.depth, rowStride: 1, colStride: l.packed }
    : { offset, batchStride: l.depth, rowStride: l.packed, colStride: 1 };
}

/** Returns the [T, T] score matrices of sample b with the heads as the batch (transposed: rows are keys). */
function scoreOperand(base: number, l: Layout, b: number, transposed: boolean): GemmOperand {
  const square = l.tokens * l.tokens;
  const offset = base + b * l.heads * square;
  return transposed
    ? { offset, batchStride: square, rowStride: 1, colStride: l.tokens }
    : { offset, batchStride: square, rowStride: l.tokens, colStride: 1 };
}

/** Head h of sample b in a [B, T, W] tensor (the context or its gradient). */
function contextOperand(base: number, l: Layout, b: number, transposed = false): GemmOperand {
  const offset = base + b * l.tokens * l.width;
  return transposed
    ? { offset, batchStride: l.depth, rowStride: 1, colStride: l.width }
    : { offset, batchStride: l.depth, rowStride: l.width, colStride: 1 };
}

function forwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as unknown as HeapBackend;
  const qkv = args.inputs['qkv'] as tf.TensorInfo;
  const mask = args.inputs['mask'] as tf.TensorInfo | undefined;
  const attrs = args.attrs as unknown as NativeAttentionAttrs;
  const l = layoutOf(qkv, attrs.heads);
  const [qBlock, kBlock, vBlock] = attrs.blocks;
  const probs = backend.makeOutput([l.batch, l.heads, l.tokens, l.tokens], 'float32');
  const context = backend.makeOutput([l.batch, l.tokens, l.width], 'float32');
  if (l.batch * l.tokens === 0) return [context, probs];
  const q0 = heapOffset(backend, qkv);
  const p0 = heapOffset(backend, probs);
  const c0 = heapOffset(backend, context);
  const dims = { batch: l.heads, m: l.tokens, n: l.tokens, k: l.depth };
  for (let b = 0; b < l.batch; b++) {
    // scores[h, i, j] = scale · Σ_d q[i, h, d]·k[j, h, d]
    heapGemm(backend, { ...dims, a: headOperand(q0, l, b, qBlock, false), b: headOperand(q0, l, b, kBlock, true), c: scoreOperand(p0, l, b, false), alpha: attrs.scale });
  }
  softmaxRows(backend, p0, l, mask ? heapOffset(backend, mask) : undefined);
  const contextDims = { batch: l.heads, m: l.tokens, n: l.depth, k: l.tokens };
  for (let b = 0; b < l.batch; b++) {
    // context[i, h, d] = Σ_j p[h, i, j]·v[j, h, d]
    heapGemm(backend, { ...contextDims, a: scoreOperand(p0, l, b, false), b: headOperand(q0, l, b, vBlock, false), c: contextOperand(c0, l, b) });
  }
  return [context, probs];
}

function gradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as unknown as HeapBackend;
  const qkv = args.inputs['qkv'] as tf.TensorInfo;
  const probs = args.inputs['probs'] as tf.TensorInfo;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const attrs = args.attrs as unknown as NativeAttentionAttrs;
  const l = layoutOf(qkv, attrs.heads);
  const [qBlock, kBlock, vBlock] = attrs.blocks;
  const dqkv = backend.makeOutput([l.batch, l.tokens, l.packed], 'float32');
  if (l.batch * l.tokens === 0) return dqkv;
  const scratch = backend.makeOutput([l.batch, l.heads, l.tokens, l.tokens], 'float32');
  const q0 = heapOffset(backend, qkv);
  const p0 = heapOffset(backend, probs);
  const d0 = heapOffset(backend, dy);
  const g0 = heapOffset(backend, dqkv);
  const s0 = heapOffset(backend, scratch);
  const scoreDims = { batch: l.heads, m: l.tokens, n: l.tokens, k: l.depth };
  const headDims = { batch: l.heads, m: l.tokens, n: l.depth, k: l.tokens };
  for (let b = 0; b < l.batch; b++) {
    // dProbs[h, i, j] = Σ_d dContext[i, h, d]·v[j, h, d]
    heapGemm(backend, { ...scoreDims, a: contextOperand(d0, l, b), b: headOperand(q0, l, b, vBlock, true), c: scoreOperand(s0, l, b, false) });
    // dv[j, h, d] = Σ_i p[h, i, j]·dContext[i, h, d]
    heapGemm(backend, { ...headDims, a: scoreOperand(p0, l, b, true), b: contextOperand(d0, l, b), c: headOperand(g0, l, b, vBlock, false) });
  }
  softmaxBackwardRows(backend, p0, s0, l, attrs.scale);
  for (let b = 0; b < l.batch; b++) {
    // dq[i, h, d] = Σ_j dScores[h, i, j]·k[j, h, d]; dk[j, h, d] = Σ_i dScores[h, i, j]·q[i, h, d]
    heapGemm(backend, { ...headDims, a: scoreOperand(s0, l, b, false), b: headOperand(q0, l, b, kBlock, false), c: headOperand(g0, l, b, qBlock, false) });
    heapGemm(backend, { ...headDims, a: scoreOperand(s0, l, b, true), b: headOperand(q0, l, b, qBlock, false), c: headOperand(g0, l, b, kBlock, false) });
  }
  backend.disposeData(scratch.dataId);
  return dqkv;
}

/** Adds the [T, T] mask to every score row and applies a softmax in place. */
function softmaxRows(backend: HeapBackend, p0: number, l: Layout, mask0: number | undefined): void {
  const rows = l.batch * l.heads * l.tokens;
  activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'softmax', [rows, l.tokens, p0, mask0 ?? -1, l.tokens]);
}

/** dScores = scale · p ⊙ (dp − Σ_j dp ⊙ p), written over dp in place. */
function softmaxBackwardRows(backend: HeapBackend, p0: number, s0: number, l: Layout, scale: number): void {
  const rows = l.batch * l.heads * l.tokens;
  activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'softmaxGrad', [rows, l.tokens, p0, s0], [scale]);
}
