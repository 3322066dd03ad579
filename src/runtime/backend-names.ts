// The names of the TensorFlow.js backends tierc can train on. This module imports no tfjs, so
// the command-line parsers can check a `--backend` value without loading TensorFlow.js.

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Backends in the order of preference. `tensorflow-gpu` and `tensorflow` are tfjs-node's backend names. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Returns whether `name` is one of the backend names. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}
