// Loader of tierc's optional native addon (native/build/tierc_native.node, built by
// scripts/build-native.mjs from native/*.c). The addon works in place on a Float32Array,
// such as a view of the wasm backend's heap. It multiplies strided batched float32 matrices
// with AVX2 + FMA or portable C kernels on a persistent thread pool, and runs the row and
// element-wise kernels of native/rows.c and native/eltwise.c.
//
// loadNativeKernels() never throws. When the addon is disabled, missing or fails to load,
// the status has no kernels and its reason states why in one sentence. TIERC_NATIVE=0
// disables the addon.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Placement of one operand in the heap, in float elements. */
export interface GemmOperand { offset: number; batchStride: number; rowStride: number; colStride: number }

/**
 * One strided batched product: for b < batch, i < m, j < n,
 * v = alpha · Σ_kk A[b, i, kk] · B[b, kk, j] + bias[j], then relu(v) when activation is
 * 'relu', then C[b, i, j] = v, or C[b, i, j] += v when `accumulate` is true.
 */
export interface GemmSpec {
  batch: number; m: number; n: number; k: number;
  a: GemmOperand; b: GemmOperand; c: GemmOperand;
  bias?: { offset: number; stride: number };
  activation?: 'linear' | 'relu';
  accumulate?: boolean;
  alpha?: number;
}

/**
 * The addon's kernels. `gemm` throws a TypeError for a heap that is not a Float32Array. It
 * throws a RangeError when an index it would touch lies outside the heap, when C's strides
 * map two outputs to one element, or when C's index range overlaps that of A, B or the bias.
 * Results are bit-identical for every thread count.
 */
export interface NativeKernels {
  /** Kernel set in use: 'avx2-fma' or 'generic'. */
  isa: string;
  threads(): number;
  setThreads(n: number): void;
  gemm(heap: Float32Array, spec: GemmSpec): void;
  /**
   * Runs one row or element kernel of native/rows.c on the heap. `desc` lists sizes and
   * heap offsets in floats in the order the kernel's comment gives, `params` its settings.
   * Throws a RangeError when a region lies outside the heap.
   */
  rows(heap: Float32Array, op: RowOp, desc: readonly number[], params?: readonly number[]): void;
  /**
   * out = a ∘ b element-wise with broadcasting (native/eltwise.c): `desc` is [rank, kind, out,
   * a, b, shape[6], aStrides[6], bStrides[6]] in floats, kind 0 add, 1 sub, 2 mul, 3 div.
   */
  binary(heap: Float32Array, desc: readonly number[]): void;
}

/** Codes of the row kernels in native/rows.c. */
export const ROW_OPS = { layerNorm: 0, layerNormGrad: 1, quickGelu: 2, quickGeluGrad: 3, softmax: 4, softmaxGrad: 5, adam: 6 } as const;
export type RowOp = keyof typeof ROW_OPS;

export interface NativeStatus {
  kernels?: NativeKernels;
  /** One sentence: what was loaded, or why nothing was. */
  reason: string;
}

/** Name of the environment variable that disables the addon when set to 0. */
export const NATIVE_ENV = 'TIERC_NATIVE';

interface NativeAddon {
  isa: string;
  threads(): number;
  setThreads(n: number): void;
  gemm(heap: Float32Array, desc: Int32Array, alpha: number): void;
  rows(heap: Float32Array, op: number, desc: Int32Array, params: Float64Array): void;
  binary(heap: Float32Array, desc: Int32Array): void;
}

// This file is src/runtime/native.ts or dist/runtime/native.js, two levels below the root.
const ADDON_PATH = fileURLToPath(new URL('../../native/build/tierc_native.node', import.meta.url));
const STATUS_PATH = fileURLToPath(new URL('../../native/build/status.json', import.meta.url));
const DESC_LENGTH = 20;

let cached: NativeStatus | undefined;

/** Loads the addon once per process and returns it with the reason, or the reason it is not used. */
export function loadNativeKernels(): NativeStatus {
  try {
    cached ??= loadOnce();
  } catch (error) {
    cached = { reason: `Native kernels failed to load: ${error instanceof Error ? error.message : String(error)}` };
  }
  return cached;
}

function loadOnce(): NativeStatus {
  if (process.env[NATIVE_ENV] === '0') return { reason: `Native kernels are disabled by ${NATIVE_ENV}=0.` };
  const build = readBuildStatus();
  if (!existsSync(ADDON_PATH)) {
    const cause = build?.built === false && typeof build.reason === 'string'
      ? build.reason
      : 'run `npm run build:native` to build them.';
    return { reason: `Native kernels are not built: ${cause}` };
  }
  // A damaged library can crash the process inside dlopen (a truncated file raises SIGBUS),
  // so its bytes are compared with the digest the build recorded before it is loaded.
  if (typeof build?.sha256 === 'string' && createHash('sha256').update(readFileSync(ADDON_PATH)).digest('hex') !== build.sha256) {
    return { reason: `Native kernels at ${ADDON_PATH} differ from the file the build wrote; run \`npm run build:native\` to rebuild them.` };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (error) {
    // dlopen's message already starts with the file's path.
    const detail = error instanceof Error ? error.message.replace(`${ADDON_PATH}: `, '') : String(error);
    return { reason: `Native kernels failed to load from ${ADDON_PATH}: ${detail}; run \`npm run build:native\` to rebuild them.` };
  }
  const missing = (['gemm', 'rows', 'binary', 'threads', 'setThreads'] as const).find((name) => typeof addon[name] !== 'function');
  if (missing !== undefined || typeof addon.isa !== 'string') {
    return { reason: `Native kernels at ${ADDON_PATH} do not export '${missing ?? 'isa'}'; rebuild them with \`npm run build:native\`.` };
  }
  const compiler = typeof build?.compiler === 'string' ? `, built with ${shortCompilerName(build.compiler)}` : '';
  const kernels = addon.isa === 'avx2-fma' ? 'AVX2 + FMA kernels' : `${addon.isa} C kernels`;
  return { kernels: wrapAddon(addon), reason: `Native kernels loaded${compiler}: ${kernels}.` };
}

function readBuildStatus(): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Shortens `cc --version`'s first line, such as "cc (Debian 12.2.0-14) 12.2.0", to "cc 12.2.0". */
function shortCompilerName(line: string): string {
  const name = line.split(/\s+/)[0] ?? 'cc';
  const version = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(line)?.[1] ?? /version (\d+\.\d+(?:\.\d+)?)/.exec(line)?.[1];
  return version === undefined ? line : `${name} ${version}`;
}

/**
 * Writes a whole number into an int32 descriptor entry, or returns false for any other value.
 * Callers build their error message only then, so a call makes no strings.
 */
function putWhole(desc: Int32Array, index: number, value: number): boolean {
  if ((value | 0) !== value) return false;
  desc[index] = value;
  return true;
}

function notWhole(label: string, value: number): RangeError {
  return new RangeError(`${label} is ${value}; expected a whole number from -2^31 to 2^31-1`);
}

const OPERAND_FIELDS = ['offset', 'batchStride', 'rowStride', 'colStride'] as const;

function wrapAddon(addon: NativeAddon): NativeKernels {
  // One descriptor is reused for every call: the addon reads it before it returns.
  const desc = new Int32Array(DESC_LENGTH);
  const put = (index: number, value: number, name: string): void => {
    if (!putWhole(desc, index, value)) throw notWhole(`gemm: ${name}`, value);
  };
  const putOperand = (first: number, operand: GemmOperand, name: string): void => {
    for (let i = 0; i < OPERAND_FIELDS.length; i++) {
      const field = OPERAND_FIELDS[i]!;
      if (!putWhole(desc, first + i, operand[field])) throw notWhole(`gemm: ${name}.${field}`, operand[field]);
    }
  };
  const rowDesc = new Int32Array(9);
  const rowParams = new Float64Array(9);
  const binaryDesc = new Int32Array(23);
  return {
    isa: addon.isa,
    binary(heap, values) {
      binaryDesc.fill(0);
      for (let i = 0; i < values.length; i++) {
        if (!putWhole(binaryDesc, i, values[i]!)) throw notWhole(`binary: entry ${i}`, values[i]!);
      }
      addon.binary(heap, binaryDesc);
    },
    rows(heap, op, values, params = []) {
      for (let i = 0; i < values.length; i++) {
        if (!putWhole(rowDesc, i, values[i]!)) throw notWhole(`rows: ${op} entry ${i}`, values[i]!);
      }
      rowParams.set(params);
      addon.rows(heap, ROW_OPS[op], rowDesc, rowParams);
    },
    threads: () => addon.threads(),
    setThreads: (n) => addon.setThreads(n),
    gemm(heap, spec) {
      put(0, spec.batch, 'batch');
      put(1, spec.m, 'm');
      put(2, spec.n, 'n');
      put(3, spec.k, 'k');
      putOperand(4, spec.a, 'a');
      putOperand(8, spec.b, 'b');
      putOperand(12, spec.c, 'c');
      if (spec.bias === undefined) {
        desc[16] = -1;
        desc[17] = 0;
      } else {
        if (spec.bias.offset < 0) throw new RangeError(`gemm: bias.offset is ${spec.bias.offset}; expected 0 or more`);
        put(16, spec.bias.offset, 'bias.offset');
        put(17, spec.bias.stride, 'bias.stride');
      }
      const activation = spec.activation ?? 'linear';
      if (activation !== 'linear' && activation !== 'relu') {
        throw new RangeError(`gemm: activation '${String(activation)}' is not 'linear' or 'relu'`);
      }
      desc[18] = activation === 'relu' ? 1 : 0;
      desc[19] = spec.accumulate === true ? 1 : 0;
      addon.gemm(heap, desc, spec.alpha ?? 1);
    },
  };
}
