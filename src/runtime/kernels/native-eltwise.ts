// The wasm backend's Add, Sub, Multiply and RealDiv on float32 tensors, computed by the
// native addon (native/eltwise.c). The stock wasm kernels (tfjs-backend-wasm 4.22.0)
// compute a broadcast operand's index per element, about 50 ns per element for a
// [32, 32, 1] · [32, 32, 64] product. Same-shape adds ran at about 7 ns per element in
// training profiles. The addon loops over the innermost axis with fixed strides. Each output
// is one IEEE float operation on the same operands, so the values equal the stock kernels'.
import * as tf from '@tensorflow/tfjs-core';
import { activeNativeKernels, heapOffset, type HeapBackend } from './native-matmul.js';

const KINDS: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 };
const MAX_RANK = 6;
const stock = new Map<string, tf.KernelFunc>();

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Routes the four binary kernels of the wasm backend to the addon; a no-op when already done. */
export function installNativeEltwise(): void {
  if (stock.size > 0) return;
  for (const name of Object.keys(KINDS)) {
    const original = tf.getKernel(name, 'wasm');
    if (original === undefined) continue;
    stock.set(name, original.kernelFunc);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => binary(name, args) });
  }
}

/** Restores the stock wasm kernels. */
export function uninstallNativeEltwise(): void {
  for (const [name, kernelFunc] of stock) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  stock.clear();
}

/** Strides of `shape` read as `outShape` by broadcasting: aligned at the right, 0 along repeated axes. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, j = outShape.length - 1; i >= 0; i--, j--) {
    strides[j] = shape[i] === 1 && outShape[j] !== 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return strides;
}

function binary(name: string, args: KernelArgs): tf.TensorInfo {
  const a = args.inputs['a'] as tf.TensorInfo;
  const b = args.inputs['b'] as tf.TensorInfo;
  const kernels = activeNativeKernels();
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  if (kernels === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || outShape.length > MAX_RANK) {
    return stock.get(name)!(args) as tf.TensorInfo;
  }
  const backend = args.backend as unknown as HeapBackend;
  const out = backend.makeOutput(outShape, 'float32');
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const pad = (values: number[]) => [...values, ...new Array<number>(MAX_RANK - values.length).fill(0)];
  kernels.binary(backend.wasm.HEAPF32, [
    outShape.length, KINDS[name]!, heapOffset(backend, out), heapOffset(backend, a), heapOffset(backend, b),
    ...pad(outShape), ...pad(broadcastStrides(a.shape, outShape)), ...pad(broadcastStrides(b.shape, outShape)),
  ]);
  return out;
}
