// A fix for the OneHot kernel of @tensorflow/tfjs-backend-wasm 4.22: it ignores the requested
// dtype and writes int32 bits into a float32 output, so `oneHot(ids, n, 1, 0, 'float32')` reads
// back as 1.4e-45 instead of 1. On wasm that zeroes the end-of-text pooling of a CLIP text tower
// (one_hot · matmul) and the table gradient of the 'one_hot' embedding form. The replacement runs
// the original kernel with int32 output and casts the result.
import * as tf from '@tensorflow/tfjs-core';

let patched = false;

/** Loads the wasm backend's kernels and replaces its OneHot kernel; later calls do nothing. */
export async function patchWasmOneHot(): Promise<void> {
  if (patched) return;
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch {
    return;
  }
  const original = tf.getKernel(tf.OneHot, 'wasm');
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (original === undefined || cast === undefined) return;
  tf.unregisterKernel(tf.OneHot, 'wasm');
  tf.registerKernel({
    kernelName: tf.OneHot,
    backendName: 'wasm',
    ...(original.setupFunc !== undefined ? { setupFunc: original.setupFunc } : {}),
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as tf.OneHotAttrs;
      if (attrs.dtype === 'int32') return original.kernelFunc(args);
      const ints = original.kernelFunc({ ...args, attrs: { ...args.attrs, dtype: 'int32' } }) as tf.TensorInfo;
      const floats = cast.kernelFunc({ inputs: { x: ints }, backend: args.backend, attrs: { dtype: attrs.dtype } });
      (args.backend as tf.KernelBackend).disposeData(ints.dataId);
      return floats;
    },
  });
  patched = true;
}
