// Matrix products of the wasm backend computed by tierc's native addon (native/gemm.c)
// instead of XNNPACK. The addon reads and writes the wasm heap in place through strided
// descriptors, so a transposed operand costs nothing: a transpose is a swap of the row and
// column strides. XNNPACK's wasm matmul reaches about 25 GFLOP/s here (1 thread, 128-bit SIMD
// without fused multiply-add) and leaves its fast path for transposed operands. The addon's
// AVX2 + FMA kernels run several times faster.
//
// `installNativeMatmul` replaces the wasm BatchMatMul and _FusedMatMul kernels. Forms the
// addon does not cover (other dtypes, activations other than linear and relu, PReLU
// weights, bias of rank above 1, batch axes that broadcast other than from 1) run the stock
// kernels. The attention kernel (attention.ts) calls `heapGemm` directly.
import * as tf from '@tensorflow/tfjs-core';
import type { GemmOperand, GemmSpec, NativeKernels } from '../native.js';

/** The parts of tfjs-backend-wasm's BackendWasm (4.22.0) these kernels use. */
export interface HeapBackend {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

const KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
const stock = new Map<string, tf.KernelFunc>();
let active: NativeKernels | undefined;

/** Reports whether the products on the current backend run on the native addon. */
export function nativeMatmulActive(): boolean {
  return active !== undefined && tf.getBackend() === 'wasm';
}

/** Returns the native kernels in use, or undefined before `installNativeMatmul` runs. */
export function activeNativeKernels(): NativeKernels | undefined {
  return active;
}

/** Routes the wasm backend's matrix products to `kernels`; a no-op when wasm is not registered. */
export function installNativeMatmul(kernels: NativeKernels): void {
  if (active !== undefined) return;
  for (const name of KERNELS) {
    const original = tf.getKernel(name, 'wasm');
    if (original === undefined) return;
    stock.set(name, original.kernelFunc);
  }
  active = kernels;
  replace('BatchMatMul', (args) => product(args, false));
  replace('_FusedMatMul', (args) => product(args, true));
}

/** Restores XNNPACK's kernels (for measurements and tests). */
export function uninstallNativeMatmul(): void {
  for (const [name, kernelFunc] of stock) replace(name, kernelFunc);
  stock.clear();
  active = undefined;
}

function replace(name: string, kernelFunc: tf.KernelFunc): void {
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
}

/** Offset of a tensor's data in the heap, in float32 elements. */
export function heapOffset(backend: HeapBackend, tensor: tf.TensorInfo): number {
  const entry = backend.dataIdMap.get(tensor.dataId);
  if (entry === undefined) throw new Error('A tensor passed to a native kernel has no data on the wasm heap.');
  return entry.memoryOffset / 4;
}

/** Runs one strided product on the heap. The view is taken now, after every allocation. */
export function heapGemm(backend: HeapBackend, spec: GemmSpec): void {
  active!.gemm(backend.wasm.HEAPF32, spec);
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

function product(args: KernelArgs, fused: boolean): tf.TensorInfo {
  const fallback = (): tf.TensorInfo => stock.get(fused ? '_FusedMatMul' : 'BatchMatMul')!(args) as tf.TensorInfo;
  const a = args.inputs['a'] as tf.TensorInfo;
  const b = args.inputs['b'] as tf.TensorInfo;
  const bias = args.inputs['bias'] as tf.TensorInfo | undefined;
  const attrs = args.attrs as unknown as MatMulAttrs;
  const activation = attrs.activation ?? 'linear';
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback();
  if (fused && (args.inputs['preluActivationWeights'] != null || (activation !== 'linear' && activation !== 'relu'))) return fallback();

  const [rowsA, colsA] = a.shape.slice(-2) as [number, number];
  const [rowsB, colsB] = b.shape.slice(-2) as [number, number];
  const m = attrs.transposeA ? colsA : rowsA;
  const k = attrs.transposeA ? rowsA : colsA;
  const n = attrs.transposeB ? rowsB : colsB;
  if (k !== (attrs.transposeB ? colsB : rowsB)) return fallback();
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return fallback();
  const biasSize = bias ? tf.util.sizeFromShape(bias.shape) : 0;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length > 1 || (biasSize !== n && biasSize !== 1))) return fallback();

  const batchDims = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const backend = args.backend as unknown as HeapBackend;
  const out = backend.makeOutput([...batchDims, m, n], 'float32');
  const batch = Math.max(batchA, batchB);
  if (batch * m * n === 0) return out;

  const operand = (tensor: tf.TensorInfo, rows: number, cols: number, transposed: boolean, count: number): GemmOperand => ({
    offset: heapOffset(backend, tensor),
    batchStride: count === 1 ? 0 : rows * cols,
    rowStride: transposed ? 1 : cols,
    colStride: transposed ? cols : 1,
  });
  const spec: GemmSpec = {
    batch,
    m,
    n,
    k,
    a: operand(a, rowsA, colsA, attrs.transposeA, batchA),
    b: operand(b, rowsB, colsB, attrs.transposeB, batchB),
    c: { offset: heapOffset(backend, out), batchStride: m * n, rowStride: n, colStride: 1 },
  };
  if (bias) spec.bias = { offset: heapOffset(backend, bias), stride: biasSize === 1 ? 0 : 1 };
  if (activation === 'relu') spec.activation = 'relu';
  heapGemm(backend, spec);
  return out;
}
