// Layer norm, QuickGELU and the Adam update as single wasm-backend kernels computed by the
// native addon's row kernels (native/rows.c). On the wasm backend each of these is 5 to 15
// stock kernels, each a pass over the tensor: layer norm's backward alone is 11. These
// kernels make one pass each and write their outputs on the heap, where the next kernel
// reads them. norm.ts, activations.ts and optim.ts use them when `nativeMatmulActive()`.
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, activeNativeKernels, type HeapBackend } from './native-matmul.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];

let registered = false;

/** Registers the row kernels on the wasm backend once per process. */
export function registerNativeRows(): void {
  if (registered) return;
  const kernels: Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> = {
    TiercLayerNorm: layerNormKernel,
    TiercLayerNormGrad: layerNormGradKernel,
    TiercQuickGelu: quickGeluKernel,
    TiercQuickGeluGrad: quickGeluGradKernel,
    TiercAdam: adamKernel,
  };
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  registered = true;
}

function run(name: string, inputs: tf.NamedTensorMap, attrs: Record<string, number> = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
}

/** Layer norm of the rows of x [rows, width]: [y, xhat, rstd [rows]]. */
export function nativeLayerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
  return run('TiercLayerNorm', { x, gamma, beta }, { eps }) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
}

/** Gradients of layer norm: [dx, dgamma, dbeta]. */
export function nativeLayerNormGrad(dy: tf.Tensor2D, xhat: tf.Tensor2D, rstd: tf.Tensor1D, gamma: tf.Tensor1D): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  return run('TiercLayerNormGrad', { dy, xhat, rstd, gamma }) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
}

/** QuickGELU x·σ(αx): [y, σ(αx)]. */
export function nativeQuickGelu(x: tf.Tensor, alpha: number): [tf.Tensor, tf.Tensor] {
  return run('TiercQuickGelu', { x }, { alpha }) as [tf.Tensor, tf.Tensor];
}

/** Gradient of QuickGELU from x, σ(αx) and dy. */
export function nativeQuickGeluGrad(x: tf.Tensor, s: tf.Tensor, dy: tf.Tensor, alpha: number): tf.Tensor {
  return run('TiercQuickGeluGrad', { x, s, dy }, { alpha })[0]!;
}

/** Settings of one Adam step, in the order native/rows.c's `adam` takes them. */
export interface AdamStep {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** √(1 − β2^t). */
  correction2: number;
  /** 1 − lr·decay for AdamW, else 1. */
  keep: number;
  /** Decay added to the gradient for Adam's L2 form, else 0. */
  l2: number;
}

/** Runs one Adam step over flat w, g, m and v, returning [w', m', v']. */
export function nativeAdam(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, step: AdamStep): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return run('TiercAdam', { w, g, m, v }, { ...step }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

function backendOf(args: KernelArgs): HeapBackend {
  return args.backend as unknown as HeapBackend;
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return args.inputs[name] as tf.TensorInfo;
}

function layerNormKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = backendOf(args);
  const x = input(args, 'x');
  const [rows, width] = x.shape as [number, number];
  const y = backend.makeOutput([rows, width], 'float32');
  const xhat = backend.makeOutput([rows, width], 'float32');
  const rstd = backend.makeOutput([rows], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (rows * width > 0) {
    activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'layerNorm',
      [rows, width, at(x), at(input(args, 'gamma')), at(input(args, 'beta')), at(y), at(xhat), at(rstd)], [(args.attrs as { eps: number }).eps]);
  }
  return [y, xhat, rstd];
}

function layerNormGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = backendOf(args);
  const dy = input(args, 'dy');
  const [rows, width] = dy.shape as [number, number];
  const dx = backend.makeOutput([rows, width], 'float32');
  const dgamma = backend.makeOutput([width], 'float32');
  const dbeta = backend.makeOutput([width], 'float32');
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (width > 0) {
    activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'layerNormGrad',
      [rows, width, at(dy), at(input(args, 'xhat')), at(input(args, 'rstd')), at(input(args, 'gamma')), at(dx), at(dgamma), at(dbeta)]);
  }
  return [dx, dgamma, dbeta];
}

function quickGeluKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = backendOf(args);
  const x = input(args, 'x');
  const y = backend.makeOutput([...x.shape], 'float32');
  const s = backend.makeOutput([...x.shape], 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  if (size > 0) {
    activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'quickGelu',
      [size, heapOffset(backend, x), heapOffset(backend, y), heapOffset(backend, s)], [(args.attrs as { alpha: number }).alpha]);
  }
  return [y, s];
}

function quickGeluGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = backendOf(args);
  const x = input(args, 'x');
  const dx = backend.makeOutput([...x.shape], 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  if (size > 0) {
    activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'quickGeluGrad',
      [size, at(x), at(input(args, 's')), at(input(args, 'dy')), at(dx)], [(args.attrs as { alpha: number }).alpha]);
  }
  return dx;
}

function adamKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = backendOf(args);
  const w = input(args, 'w');
  const size = tf.util.sizeFromShape(w.shape);
  const outputs = [0, 1, 2].map(() => backend.makeOutput([size], 'float32'));
  const at = (t: tf.TensorInfo) => heapOffset(backend, t);
  const step = args.attrs as unknown as AdamStep;
  if (size > 0) {
    activeNativeKernels()!.rows(backend.wasm.HEAPF32, 'adam',
      [size, at(w), at(input(args, 'g')), at(input(args, 'm')), at(input(args, 'v')), ...outputs.map(at)],
      [step.beta1, 1 - step.beta1, step.beta2, 1 - step.beta2, step.correction2, step.eps, step.stepSize, step.keep, step.l2]);
  }
  return outputs;
}
