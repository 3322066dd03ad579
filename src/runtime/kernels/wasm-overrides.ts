// Replacements for wasm-backend kernels whose stock form costs time without changing any
// value. tfjs's engine clones every tensor it saves for the backward pass (both the inputs
// a kernel's gradient needs and the tensors a custom gradient saves) through the Identity
// kernel. The wasm backend's Identity (tfjs-backend-wasm 4.22.0) copies the whole buffer,
// so a training step spends one full copy per saved tensor, and the tape keeps a second
// copy of every saved activation. The cpu and webgl backends instead return the input's data with its
// reference count raised. Tensor data is immutable in tfjs (no kernel writes into an input,
// and `Variable.assign` swaps the data id), so sharing the buffer yields the same values.
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendLike {
  incRef(dataId: object): void;
}

let installed = false;
let stockIdentity: tf.KernelFunc | undefined;

/** Registers the wasm overrides once per process; a no-op when the wasm backend is not registered. */
export function installWasmOverrides(): void {
  if (installed) return;
  const stock = tf.getKernel('Identity', 'wasm');
  if (stock === undefined) return;
  stockIdentity = stock.kernelFunc;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: sharedIdentity });
  installed = true;
}

/** Restores the stock wasm Identity kernel (for measurements and tests). */
export function uninstallWasmOverrides(): void {
  if (!installed || stockIdentity === undefined) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: stockIdentity });
  installed = false;
}

function sharedIdentity(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  // String tensors keep their bytes outside the heap; the stock kernel handles them.
  if (x.dtype === 'string') return stockIdentity!(args) as tf.TensorInfo;
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
