// Replacements for wasm-backend kernels whose stock form costs time without changing any
// value. tfjs's engine clones every tensor it saves for the backward pass (both the inputs
// a kernel's gradient needs and the tensors a custom gradient saves) through the Identity
// kernel. The wasm backend's Identity (tfjs-backend-wasm 4.22.0) copies the whole buffer,
// so a training step spends one full copy per saved tensor, and the tape keeps a second
// copy of every saved activation. The cpu and webgl backends instead return the input's data with its
// reference count raised. Tensor data is immutable in tfjs (no kernel writes into an input,
// and `Variable.assign` swaps the data id), so sharing the buffer yields the same values.
//
// The stock wasm Slice kernel reads its input with `readSync`, which copies the whole input
// out of the heap before the slice is copied, so taking a third of a tensor costs three
// tensors of copying. The replacement copies the slice's contiguous runs straight from a
// view of the heap.
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

const stock = new Map<string, tf.KernelFunc>();
const OVERRIDES: Record<string, tf.KernelFunc> = { Identity: sharedIdentity, Slice: heapSlice };

/** Registers the wasm overrides once per process; a no-op when the wasm backend is not registered. */
export function installWasmOverrides(): void {
  if (stock.size > 0) return;
  for (const [name, kernelFunc] of Object.entries(OVERRIDES)) {
    const original = tf.getKernel(name, 'wasm');
    if (original === undefined) continue;
    stock.set(name, original.kernelFunc);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
}

/** Restores the stock wasm kernels (for measurements and tests). */
export function uninstallWasmOverrides(): void {
  for (const [name, kernelFunc] of stock) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  stock.clear();
}

function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  // String tensors keep their bytes outside the heap; the stock kernel handles them.
  if (x.dtype === 'string') return stock.get('Identity')!(args) as tf.TensorInfo;
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function heapSlice(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return stock.get('Slice')!(args) as tf.TensorInfo;
  const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
  const backend = args.backend as unknown as WasmBackendLike;
  // The output must exist before the views are taken: allocating can grow (and move) the heap.
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0) {
    target.set(source.subarray(0, 1));
    return out;
  }
  const strides = tf.util.computeStrides(x.shape);
  // Trailing axes taken whole merge into one contiguous run.
  let innermost = rank - 1;
  let run = size[rank - 1] ?? 1;
  while (innermost > 0 && size[innermost] === x.shape[innermost]) {
    innermost -= 1;
    run *= size[innermost]!;
  }
  const index = new Array<number>(innermost).fill(0);
  for (let written = 0; written < total; written += run) {
    let offset = begin[innermost]! * (innermost === rank - 1 ? 1 : strides[innermost]!);
    for (let axis = 0; axis < innermost; axis++) offset += (begin[axis]! + index[axis]!) * strides[axis]!;
    target.set(source.subarray(offset, offset + run), written);
    for (let axis = innermost - 1; axis >= 0; axis--) {
      index[axis]! += 1;
      if (index[axis]! < size[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}
