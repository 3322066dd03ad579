// The wasm backend keeps every tensor in one wasm32 memory, which cannot grow past 4 GiB. Before
// the first step the trainer estimates what a run keeps in that heap and stops with TIER6021
// when the estimate is over the limit. It also turns the wasm faults of a heap that ran out during
// a step into the same diagnostic, in place of a stack trace.
import type { OptimizerOptions } from './optim.js';
import type { ModelInfo } from './model.js';
import { TrainingError } from './errors.js';

/** The largest wasm heap, in bytes: `getHeapMax()` of tfjs-backend-wasm 4.22.0 returns 4294901760 (4 GiB − 64 KiB). */
export const WASM_HEAP_MAX_BYTES = 4294901760;

const GIB = 1024 ** 3;

export interface MemoryEstimate {
  /** Every parameter and buffer, frozen ones included. */
  weights: number;
  /** One gradient per trainable parameter. */
  gradients: number;
  /** Adam's two moments, or SGD's momentum buffer, per trainable parameter. */
  optimizer: number;
  /** Forward values kept for the backward pass, and their gradients, at the run's batch size; 0 when the model does not record them. */
  activations: number;
  total: number;
}

/**
 * Estimates the bytes a training step keeps in the backend's memory at its peak, the end of the
 * backward pass, as
 *
 *   weights     = 4 · (all parameter values)
 *   gradients   = 4 · (trainable values)
 *   optimizer   = 4 · (trainable values) · (2 for Adam and AdamW, 1 for SGD with momentum, else 0)
 *   activations = Σ info.activationBytes[k] · batch^k   (the IR's forward values and their gradients)
 *
 * with `batch` the examples in one forward pass (a micro-batch under accumulation). The kernels'
 * own intermediate values and the allocator's fragmentation come on top, so a run needs more:
 * `tier_vit` is estimated at 3.76 GiB at batch 1 and still fills the 4 GiB heap. The estimate
 * is meant to reject only runs that cannot fit, and a fault during a step catches the rest.
 */
export function estimateTrainingMemory(info: ModelInfo, optimizer: Pick<OptimizerOptions, 'kind' | 'momentum'>, batch: number): MemoryEstimate {
  let all = 0;
  let trainable = 0;
  for (const param of info.params) {
    const values = param.shape.reduce((a, b) => a * b, 1);
    all += values;
    if (param.trainable && param.role !== 'buffer') trainable += values;
  }
  const slots = optimizerSlots(optimizer);
  const activations = (info.activationBytes ?? []).reduce((sum, coefficient, power) => sum + coefficient * batch ** power, 0);
  const estimate = { weights: 4 * all, gradients: 4 * trainable, optimizer: 4 * trainable * slots, activations };
  return { ...estimate, total: estimate.weights + estimate.gradients + estimate.optimizer + estimate.activations };
}

/** Throws TIER6021 when the estimate for training `info` on the wasm backend is over the heap limit. */
export function checkWasmMemory(info: ModelInfo, optimizer: Pick<OptimizerOptions, 'kind' | 'momentum'>, batch: number | undefined): void {
  const estimate = estimateTrainingMemory(info, optimizer, batch ?? 1);
  if (estimate.total <= WASM_HEAP_MAX_BYTES) return;
  const slots = optimizer.kind === 'sgd' ? 'momentum' : 'Adam moments';
  const parts = [
    `weights ${gib(estimate.weights)}`,
    `gradients ${gib(estimate.gradients)}`,
    ...(estimate.optimizer > 0 ? [`${slots} ${gib(estimate.optimizer)}`] : []),
    ...(estimate.activations > 0 ? [`activations at batch ${batch ?? 1} ${gib(estimate.activations)}`] : []),
  ];
  throw new TrainingError('TIER6021', `Training model '${info.name}' of '${info.specFile}' on the wasm backend needs an estimated ${gib(estimate.total)} GiB (${parts.join(', ')} GiB), more than the 4 GiB that the wasm heap can hold; ${MEMORY_REMEDY}.`);
}

const MEMORY_REMEDY = "freeze an encoder with 'freeze:', train a smaller model or batch, or install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu) to train on a TensorFlow backend";

/**
 * Returns TIER6021 for a wasm fault that a full heap causes, raised at the 0-based `step` (-1
 * while allocating the weights), and undefined for any other error. Such faults are "memory
 * access out of bounds", "Aborted(OOM)", a bare "Aborted()", a failed malloc or a heap that
 * cannot grow.
 */
export function wasmMemoryError(error: unknown, info: ModelInfo, step: number): TrainingError | undefined {
  if (!isWasmMemoryFault(error)) return undefined;
  // Emscripten's advice to rebuild with assertions is about tfjs's own build, so it is left out.
  const message = (error as Error).message.replace(/\s*Build with -sASSERTIONS for more info\.?/, '').replace(/\s+/g, ' ').trim();
  const when = step < 0 ? 'while allocating its weights' : `at step ${step + 1}`;
  return new TrainingError('TIER6021', `Training model '${info.name}' of '${info.specFile}' ran out of the 4 GiB wasm heap ${when} (${message}); ${MEMORY_REMEDY}.`);
}

function isWasmMemoryFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // WebAssembly.RuntimeError has the name 'RuntimeError'; Emscripten's abort() messages start with 'Aborted('.
  const fromWasm = error.name === 'RuntimeError' || /^Aborted\(/.test(error.message);
  // tfjs-backend-wasm 4.22 is built without exceptions, so a failed allocation in its C++ code
  // (registering a tensor) ends in a bare 'Aborted()'. NOTE: other aborts of that build read the
  // same, so this treats every bare abort as a full heap.
  return fromWasm && /memory access out of bounds|Aborted\(OOM\)|^Aborted\(\)|out of memory|Cannot enlarge memory|malloc/i.test(error.message);
}

/** Returns the values the optimizer keeps per trainable value: Adam's two moments, SGD's momentum buffer or none. */
function optimizerSlots(optimizer: Pick<OptimizerOptions, 'kind' | 'momentum'>): number {
  if (optimizer.kind !== 'sgd') return 2;
  return (optimizer.momentum ?? 0) > 0 ? 1 : 0;
}

function gib(bytes: number): string {
  return (bytes / GIB).toFixed(2);
}
