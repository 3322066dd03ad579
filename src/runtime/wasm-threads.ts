// Starts the threaded SIMD build of @tensorflow/tfjs-backend-wasm (checked against 4.22.0)
// under Node and registers the started backend as 'wasm'. The package supports threads only
// in browsers, and four things stop its Emscripten pthread build under Node:
//
// 1. Its WASM_HAS_MULTITHREAD_SUPPORT flag is false whenever IS_NODE is true, so the loader
//    picks the single-threaded module. The flag is set to true while the module starts.
// 2. It passes the pthread worker script and the module script as blob URLs
//    (URL.createObjectURL), and Node's worker_threads load only file paths. While the module
//    starts, `Blob` and `URL.createObjectURL` are replaced so that both scripts are written
//    to a temporary folder and their paths are used instead.
// 3. Its XNNPACK pool has min(requested, 8, logical cores / 2) threads, because the C++
//    side assumes two hardware threads per core. `os.cpus()` reports 2·threads entries
//    while the module starts, and `setThreadsCount` requests the thread count.
// 4. Emscripten calls `worker.ref()` on each worker that runs a pthread, and XNNPACK's
//    pool threads never exit, so Node never exits after a training run ends (a 120 s
//    timeout in the benchmark). The workers are created from a subclass whose `ref()`
//    does nothing. Node still delivers their messages while the main thread has work.
//
// The patches are made in memory while the module starts and undone after, except for
// `globalThis.Worker`, which Emscripten sets to worker_threads' Worker and reads whenever it
// needs a new worker. Nothing under node_modules is changed.
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Maximum XNNPACK threads of the threaded build. The C++ side caps its pool at 8 threads
 * (the calling thread and 7 pthreads), and Emscripten creates and loads 8 pthread workers
 * before the module is ready (PTHREAD_POOL_SIZE). So every pthread gets a loaded worker,
 * and the main thread does not wait on a worker that is still loading.
 */
export const MAX_WASM_THREADS = 8;

/** Time allowed for the threaded module to load and start its workers before the start fails. */
export const WASM_THREADS_START_TIMEOUT_MS = 30_000;

/** Name of the environment variable that sets the wasm backend's thread count. */
export const WASM_THREADS_ENV = 'TIERC_WASM_THREADS';

export interface WasmThreadsPlan {
  /** Threads to request, 1 to MAX_WASM_THREADS; 1 selects the single-threaded build. */
  threads: number;
  /** Source of the count, as a phrase for `tierc doctor`: 'TIERC_WASM_THREADS=1'. */
  reason: string;
}

/**
 * Chooses the wasm thread count: `requested` (the `wasmThreads` option) first, then the
 * TIERC_WASM_THREADS environment variable, then one thread per logical core. Counts above
 * MAX_WASM_THREADS are lowered to it. Throws an Error when the variable is not a whole
 * number of at least 1.
 */
export function planWasmThreads(requested: number | undefined, env: NodeJS.ProcessEnv = process.env): WasmThreadsPlan {
  const capped = (threads: number, reason: string): WasmThreadsPlan => threads > MAX_WASM_THREADS
    ? { threads: MAX_WASM_THREADS, reason: `${reason}, lowered to ${MAX_WASM_THREADS}, the most the threaded wasm build uses` }
    : { threads, reason };

  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new Error(`The wasm thread count must be a whole number of at least 1, not ${requested}.`);
    return capped(requested, `the wasmThreads option (${requested})`);
  }
  const fromEnv = env[WASM_THREADS_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    const value = Number(fromEnv);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${WASM_THREADS_ENV} must be a whole number of at least 1, not '${fromEnv}'.`);
    }
    return capped(value, `${WASM_THREADS_ENV}=${fromEnv}`);
  }
  // NOTE: a thread per core pays off only on free cores, because each parallel kernel waits
  // for its slowest thread. On 2 cores, peer_small.tier at batch 32 trained at 24 to 27
  // samples/s with one thread in alternating runs. With 2 threads it reached 34 to 39 when the
  // second core was free and 15 to 20 when another job ran. Over 10 pairs at load average 9
  // to 14, 2 threads ran at a median 0.71× the 1-thread speed. Set TIERC_WASM_THREADS=1 on a
  // busy machine.
  const cores = os.availableParallelism();
  return capped(cores, `one per logical core (${cores})`);
}

interface WasmBackendInternals {
  wasm: { tfjs: { getThreadsCount(): number } };
}

interface WasmPackage {
  setThreadsCount(threads: number): void;
}

/**
 * Starts the threaded wasm module with `threads` XNNPACK threads (2 to MAX_WASM_THREADS),
 * registers the started backend under the name 'wasm' in place of the package's own
 * factory, and returns the thread count the module reports. The caller activates it with
 * `tf.setBackend('wasm')`. Throws an Error when the module fails to load or does not start
 * within `timeoutMs`. After a failure the workers are stopped and the package's own
 * factory, which starts the single-threaded module, is still registered.
 */
export async function startThreadedWasm(threads: number, timeoutMs = WASM_THREADS_START_TIMEOUT_MS): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`The threaded wasm build takes 2 to ${MAX_WASM_THREADS} threads, not ${threads}.`);
  }
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  const engine = tf.engine();
  const entry = engine.registryFactory['wasm'];
  if (entry === undefined) throw new Error(`'@tensorflow/tfjs-backend-wasm' loaded but did not register a 'wasm' backend.`);

  const folder = mkdtempSync(join(tmpdir(), 'tierc-wasm-'));
  const started: Worker[] = [];
  const restore = installNodeShims(folder, threads, started);
  wasmPackage.setThreadsCount(threads);
  let backend: tf.KernelBackend;
  try {
    backend = await withTimeout(Promise.resolve(entry.factory()), timeoutMs,
      `The threaded wasm module did not start within ${timeoutMs / 1000} s.`);
  } catch (error) {
    for (const worker of started) void worker.terminate();
    throw error;
  } finally {
    restore();
    // Every worker has loaded both scripts once the module is ready (or has been stopped).
    rmSync(folder, { recursive: true, force: true });
  }

  // The pool's idle workers stay. Emscripten unrefs them once loaded, so they do not keep
  // Node alive, and a pthread created later takes one of them without loading a script.
  const internals = (backend as unknown as WasmBackendInternals).wasm;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, entry.priority);
  return internals.tfjs.getThreadsCount();
}

/** Patches the globals the threaded module reads while it starts; returns a function that undoes them. */
function installNodeShims(folder: string, threads: number, started: Worker[]): () => void {
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  // The module factory's source comes from the package's node bundle and uses that bundle's
  // top-level names, which a script loaded on its own has to define.
  const modulePrelude = 'var require$$0=require("fs"),require$$1=require("path"),require$$3=require("perf_hooks"),'
    + `require$$4=require("os"),commonjsGlobal=globalThis,__dirname=${JSON.stringify(wasmDir)};\n`;
  // The worker script turns the module's "blob" into a URL before `importScripts`; the path is that URL.
  const workerPrelude = 'URL.createObjectURL=function(o){return o&&o.tiercPath};URL.revokeObjectURL=function(){};\n';

  const RealBlob = globalThis.Blob;
  const realCreateObjectURL = URL.createObjectURL;
  const realCpus = os.cpus;
  let count = 0;
  const ScriptBlob = function (parts: unknown[], options?: ConstructorParameters<typeof Blob>[1]): object {
    const text = parts.map(String).join('');
    let prelude: string;
    if (text.startsWith('"use strict";var Module={}')) prelude = workerPrelude;
    else if (text.startsWith('var WasmBackendModuleThreadedSimd')) prelude = modulePrelude;
    else return new RealBlob(parts as ConstructorParameters<typeof Blob>[0], options);
    const path = join(folder, `script${count++}.cjs`);
    writeFileSync(path, prelude + text);
    return { tiercPath: path };
  };
  (globalThis as { Blob: unknown }).Blob = ScriptBlob;
  URL.createObjectURL = (object: unknown) => (object as { tiercPath?: string }).tiercPath ?? realCreateObjectURL(object as Blob);
  os.cpus = () => {
    const cores = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cores[i % Math.max(cores.length, 1)]!);
  };

  class PthreadWorker extends Worker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      started.push(this);
    }

    // Emscripten refs a worker while it runs a pthread. XNNPACK's threads run until the
    // process ends, so a ref would keep Node alive after the program's last line.
    override ref(): void {}
  }
  // Emscripten assigns worker_threads' Worker to globalThis.Worker while it starts and uses
  // that global for every worker. The setter ignores the assignment, so the subclass stays.
  const priorWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);

  return () => {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    os.cpus = realCpus;
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (started.length > 0) {
      Object.defineProperty(globalThis, 'Worker', { configurable: true, writable: true, value: PthreadWorker });
    } else if (priorWorker) {
      Object.defineProperty(globalThis, 'Worker', priorWorker);
    } else {
      delete (globalThis as { Worker?: unknown }).Worker;
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
