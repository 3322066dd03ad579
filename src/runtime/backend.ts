// Chooses the tfjs backend a training run uses: the CUDA build of tfjs-node, the native CPU
// build, the wasm backend (SIMD), then the pure-JS cpu backend. The two native packages are
// optional and loaded with a dynamic import, so a missing package is a reason in the report,
// never an install or load failure. `selectBackend` with `probeAll` explains why each
// candidate is or is not used, for `tierc doctor`. The wasm backend runs its threaded build
// (started by wasm-threads.ts) with one thread per logical core, at most 8, unless the
// `wasmThreads` option or the TIERC_WASM_THREADS environment variable sets the count.
//
// When tierc's native addon is built (native/, see native.ts), the wasm backend's matrix
// products, attention and several element-wise kernels run on its AVX2 kernels instead of
// XNNPACK's, with the thread count above. The wasm module then runs its single-threaded
// build, so the two thread pools do not compete for the cores. A threaded build started
// earlier in the process also works, because the addon reads its shared heap the same way.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node bundle registers no gradients, and its per-gradient ES modules use
// extensionless imports that Node cannot load; the union package's node bundle registers them.
import '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from './backend-names.js';
import { registerNativeAttention } from './kernels/attention-native.js';
import { installNativeMatmul, uninstallNativeMatmul } from './kernels/native-matmul.js';
import { registerNativeRows } from './kernels/native-rows.js';
import { installNativeEltwise, uninstallNativeEltwise } from './kernels/native-eltwise.js';
import { loadNativeKernels, type NativeStatus } from './native.js';
import { planWasmThreads, startThreadedWasm, type WasmThreadsPlan } from './wasm-threads.js';

export { BACKEND_ORDER, isBackendName, type BackendName } from './backend-names.js';

export interface BackendProbe {
  name: BackendName;
  /** The npm package that provides the backend. */
  packageName: string;
  status: 'chosen' | 'available' | 'not-installed' | 'no-cuda' | 'failed' | 'not-tried';
  /** The reason the backend is or is not used, in one sentence. */
  reason: string;
}

export interface BackendReport {
  chosen: BackendName;
  probes: BackendProbe[];
  /** Whether the wasm backend runs with SIMD instructions (only meaningful when wasm is chosen). */
  wasmSimd?: boolean;
  /** XNNPACK threads of the wasm backend, the calling thread included (only when wasm is chosen). */
  wasmThreads?: number;
  /** Reason for the `wasmThreads` count, as a phrase (only when wasm is chosen). */
  wasmThreadsReason?: string;
  /** Whether the wasm backend's products run on tierc's native addon, and why (only when wasm is chosen). */
  nativeMatmul?: NativeMatmulReport;
}

export interface NativeMatmulReport {
  used: boolean;
  /** Kernel variant of the addon: 'avx2-fma' or 'generic'. */
  isa?: string;
  /** Threads of the addon's pool, the calling thread included. */
  threads?: number;
  /** One sentence: how the addon was built, or why it is not used. */
  reason: string;
}

export interface SelectBackendOptions {
  /** Use exactly this backend; an Error names why it cannot start. */
  force?: BackendName;
  /** Probe every candidate (for `tierc doctor`), not only until the first that works. */
  probeAll?: boolean;
  /**
   * Threads for the wasm backend's XNNPACK pool, the calling thread included; 1 selects the
   * single-threaded build. Default: the TIERC_WASM_THREADS environment variable, else one
   * per logical core, at most 8. When the threaded build fails to start, the wasm backend
   * runs with one thread and `wasmThreadsReason` gives the error.
   */
  wasmThreads?: number;
}

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};


/**
 * Selects and activates a backend (`tf.setBackend`), returning what was chosen and why the
 * others were not. Throws an Error when a forced backend cannot start.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  // Production mode silences tfjs's console advice and skips debug checks: the library prints nothing.
  tf.enableProdMode();
  const candidates = options.force ? [options.force] : BACKEND_ORDER;
  // An invalid thread count is a usage error whichever backend wins, so it is checked first.
  const wasmPlan = planWasmThreads(options.wasmThreads);
  const native = nativeStatus(candidates);
  const wasmStart: WasmStart = { reason: wasmPlan.reason, native: native.kernels !== undefined };
  const probes: BackendProbe[] = [];
  let chosen: BackendName | undefined;

  for (const name of candidates) {
    if (chosen !== undefined && !options.probeAll) {
      probes.push({ name, packageName: PACKAGES[name], status: 'not-tried', reason: `'${chosen}' comes first in the order of preference.` });
      continue;
    }
    const probe = await probeBackend(name, wasmPlan, wasmStart);
    probes.push(probe);
    if (probe.status === 'available' && chosen === undefined) {
      chosen = name;
      probe.status = 'chosen';
    }
  }

  if (chosen === undefined) {
    const failure = probes[0];
    throw new Error(options.force && failure
      ? `The '${options.force}' backend cannot be used: ${failure.reason}`
      : `No tfjs backend could be started: ${probes.map((p) => `${p.name}: ${p.reason}`).join(' ')}`);
  }
  if (!(await tf.setBackend(chosen))) throw new Error(`tf.setBackend('${chosen}') failed after the backend was registered.`);
  await tf.ready();

  const report: BackendReport = { chosen, probes };
  if (chosen === 'wasm') {
    report.wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount(): number };
    report.wasmThreads = wasm.getThreadsCount();
    report.wasmThreadsReason = wasmStart.reason;
    report.nativeMatmul = useNativeKernels(native, wasmPlan);
  }
  return report;
}

/**
 * Loads the native addon unless TIERC_NATIVE=0 turns it off. The variable is read on every
 * selection, so one process can compare both kinds of kernels. The addon itself loads once.
 */
function nativeStatus(candidates: readonly BackendName[]): NativeStatus {
  if (!candidates.includes('wasm')) return { reason: 'The wasm backend was not considered.' };
  if (process.env['TIERC_NATIVE']?.trim() === '0') {
    uninstallNativeMatmul();
    uninstallNativeEltwise();
    return { reason: 'TIERC_NATIVE=0 turns the native kernels off.' };
  }
  return loadNativeKernels();
}

/** Routes the wasm backend's products to the native addon when it loaded and can address the heap. */
function useNativeKernels(native: NativeStatus, plan: WasmThreadsPlan): NativeMatmulReport {
  const kernels = native.kernels;
  if (kernels === undefined) return { used: false, reason: native.reason };
  const backend = tf.backend() as unknown as { wasm?: { HEAPF32?: Float32Array } };
  const heap = backend.wasm?.HEAPF32;
  if (heap === undefined) return { used: false, reason: 'The wasm backend exposes no heap the native kernels can address.' };
  kernels.setThreads(plan.threads);
  registerNativeAttention();
  registerNativeRows();
  installNativeMatmul(kernels);
  installNativeEltwise();
  return { used: true, isa: kernels.isa, threads: kernels.threads(), reason: native.reason };
}

/** The reason for the wasm thread count, filled in when the wasm backend is probed. */
interface WasmStart {
  reason: string;
  /** Whether the native addon loaded: its pool takes the threads and the wasm module runs one. */
  native: boolean;
}

async function probeBackend(name: BackendName, wasmPlan: WasmThreadsPlan, wasmStart: WasmStart): Promise<BackendProbe> {
  const packageName = PACKAGES[name];
  const probe = (status: BackendProbe['status'], reason: string): BackendProbe => ({ name, packageName, status, reason });
  try {
    await import(packageName);
  } catch (error) {
    if (isModuleNotFound(error)) return probe('not-installed', `The package '${packageName}' is not installed.`);
    return probe('failed', `Loading '${packageName}' failed: ${errorText(error)}`);
  }
  if (tf.findBackendFactory(name) === null) {
    // tfjs-node-gpu registers its backend under 'tensorflow' as well; without CUDA it never registers the GPU name.
    return probe(name === 'tensorflow-gpu' ? 'no-cuda' : 'failed', `'${packageName}' loaded but did not register a '${name}' backend.`);
  }
  if (name === 'tensorflow-gpu' && !(await cudaWorks())) {
    return probe('no-cuda', `'${packageName}' is installed but no CUDA device is usable.`);
  }
  try {
    if (name === 'wasm') wasmStart.reason = await prepareWasm(wasmStart.native ? { threads: 1, reason: `the native kernels run the products on ${wasmPlan.threads} (${wasmPlan.reason})` } : wasmPlan);
    const activated = await tf.setBackend(name);
    if (!activated) return probe('failed', `The '${name}' backend failed to initialize.`);
    await tf.ready();
    // A tiny computation proves the backend runs, not only that it registered.
    const check = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
    if (check !== 3) return probe('failed', `The '${name}' backend computed 1 + 2 = ${check}.`);
  } catch (error) {
    return probe('failed', `The '${name}' backend failed to initialize: ${errorText(error)}`);
  }
  return probe('available', name === 'cpu' ? 'The pure-JS backend always works but is the slowest.' : `The '${name}' backend initialized and ran a test computation.`);
}

/**
 * Starts the threaded wasm build when the plan requests more than one thread, and returns
 * why the backend runs with the thread count it has. A failed start leaves the package's
 * single-threaded module registered, so the backend still works with one thread.
 */
async function prepareWasm(plan: WasmThreadsPlan): Promise<string> {
  // A started backend keeps its module and threads for the life of the process.
  if (tf.engine().registry['wasm'] !== undefined) return 'the wasm backend had already started in this process';
  if (plan.threads === 1) return plan.reason;
  try {
    const threads = await startThreadedWasm(plan.threads);
    return threads === plan.threads ? plan.reason : `${plan.reason}, but the threaded module started ${threads}`;
  } catch (error) {
    return `the threaded build failed to start (${errorText(error)}), so the single-threaded build runs`;
  }
}

async function cudaWorks(): Promise<boolean> {
  // tfjs-node-gpu falls back to the CPU when CUDA libraries are missing, so ask its binding whether a GPU is in use.
  try {
    const backend = tf.findBackend('tensorflow') as { binding?: { isUsingGpuDevice?: () => boolean } } | null;
    return Boolean(backend?.binding?.isUsingGpuDevice?.());
  } catch {
    return false;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
