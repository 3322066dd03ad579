// Chooses the tfjs backend a training run uses: the CUDA build of tfjs-node, the native CPU
// build, the wasm backend (SIMD), then the pure-JS cpu backend. The two native packages are
// optional and loaded with a dynamic import, so a missing package is a reason in the report,
// never an install or load failure. `probeBackends` explains why each candidate is or is not
// used, for `tierc doctor`.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node bundle registers no gradients, and its per-gradient ES modules use
// extensionless imports that Node cannot load; the union package's node bundle registers them.
import '@tensorflow/tfjs';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Backends in the order of preference. `tensorflow-gpu` and `tensorflow` are tfjs-node's backend names. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

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
  wasmThreads?: number;
}

export interface SelectBackendOptions {
  /** Use exactly this backend; an Error names why it cannot start. */
  force?: BackendName;
  /** Probe every candidate (for `tierc doctor`), not only until the first that works. */
  probeAll?: boolean;
  /** Threads for the wasm backend's XNNPACK pool; above 1 loads the threaded build through `withNodeWasmThreads`. */
  wasmThreads?: number;
}

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Whether `name` is one of the backend names above. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

/**
 * Selects and activates a backend (`tf.setBackend`), returning what was chosen and why the
 * others were not. Throws an Error when a forced backend cannot start.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  // Production mode silences tfjs's console advice and skips debug checks: the library prints nothing.
  tf.enableProdMode();
  const candidates = options.force ? [options.force] : BACKEND_ORDER;
  const probes: BackendProbe[] = [];
  let chosen: BackendName | undefined;

  for (const name of candidates) {
    if (chosen !== undefined && !options.probeAll) {
      probes.push({ name, packageName: PACKAGES[name], status: 'not-tried', reason: `'${chosen}' comes first in the order of preference.` });
      continue;
    }
    const probe = await probeBackend(name, options.wasmThreads ?? 1);
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
  }
  return report;
}

async function probeBackend(name: BackendName, wasmThreads: number): Promise<BackendProbe> {
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
    const activate = () => tf.setBackend(name);
    const activated = name === 'wasm' && wasmThreads > 1 ? await withNodeWasmThreads(wasmThreads, activate) : await activate();
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

/**
 * Runs `init` with the threaded wasm build loadable under Node, with a pool of `threads`.
 * The wasm backend creates its pthread workers from blob URLs, which Node's worker_threads
 * cannot load. This function writes the worker and module scripts to a temporary folder and
 * returns file paths instead. The backend sizes its pool as half the logical cores (it
 * assumes two hardware threads per core), so `os.cpus()` reports 2·threads entries while the
 * module initializes.
 *
 * NOTE: the threaded build loads and computes correctly (tfjs-backend-wasm 4.22.0, Node 20),
 * but on a 2-core machine shared with other work a 2-thread matmul ran no faster than one
 * thread. The gain on an idle machine is not measured, so `selectBackend` uses one thread
 * unless asked.
 */
export async function withNodeWasmThreads<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  const folder = mkdtempSync(join(tmpdir(), 'tierc-wasm-'));
  const RealBlob = globalThis.Blob;
  const realCreate = URL.createObjectURL;
  // The node bundle's module factory refers to the bundle's own top-level names.
  const modulePrelude = `var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis,__dirname=${JSON.stringify(wasmDir)};\n`;
  const workerPrelude = 'URL.createObjectURL=function(o){return o&&o.tiercPath};URL.revokeObjectURL=function(){};\n';
  let count = 0;
  const FileBlob = function (parts: unknown[]) {
    const text = parts.map(String).join('');
    const path = join(folder, `script${count++}.cjs`);
    writeFileSync(path, (text.startsWith('"use strict";var Module={}') ? workerPrelude : modulePrelude) + text);
    return { tiercPath: path };
  };
  (globalThis as { Blob: unknown }).Blob = FileBlob;
  URL.createObjectURL = (object: unknown) => ((object as { tiercPath?: string }).tiercPath ?? realCreate(object as Blob));
  const realCpus = os.cpus;
  os.cpus = () => {
    const cores = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cores[i % Math.max(cores.length, 1)]!);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  try {
    return await init();
  } finally {
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreate;
    os.cpus = realCpus;
  }
}
