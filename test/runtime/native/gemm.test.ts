// The native SGEMM addon against a float64 reference: edge sizes around the 6 x 16 register
// tile and the 144 x 256 x 256 blocks, every transpose combination, batches with shared
// operands, bias, relu, accumulate, alpha and k = 0, with guard values around every operand.
// Also: identical bits for 1, 2 and 3 threads, the portable kernels, and rejected descriptors.
//
// The suite fails when a C compiler runs here but the addon is not built. It is skipped only
// when no compiler exists, and then the skipped test's name gives the build's reason.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadNativeKernels, type GemmSpec, type NativeKernels } from '../../../src/runtime/native.js';
import { buildCase, createRandom, findMismatches, type Placement, type ProductCase } from './reference.js';

const ROOT = process.cwd();
const ADDON = join(ROOT, 'native', 'build', 'tierc_native.node');
const status = loadNativeKernels();
const compilerWorks = spawnSync(process.env.CC?.trim().split(/\s+/)[0] || 'cc', ['--version']).status === 0;

function buildReason(): string {
  try {
    const build = JSON.parse(readFileSync(join(ROOT, 'native', 'build', 'status.json'), 'utf8')) as { reason?: string };
    return build.reason ?? status.reason;
  } catch {
    return status.reason;
  }
}

/** Runs one case and returns the first mismatches against the reference (empty when all match). */
function runCase(kernels: NativeKernels, test: ProductCase, seed: number): ReturnType<typeof findMismatches> {
  const { heap, spec } = buildCase(test, seed);
  const before = heap.slice();
  kernels.gemm(heap, spec);
  return findMismatches(spec, before, heap);
}

/** Returns the first index where the arrays differ, or -1. */
function firstDifference(x: Uint32Array, y: Uint32Array): number {
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function describeCase(test: ProductCase): string {
  return JSON.stringify(test);
}

if (status.kernels === undefined && compilerWorks) {
  describe('native gemm', () => {
    it('addon is built', () => {
      expect.fail(`A C compiler works here, but the native kernels did not load: ${status.reason} Run \`npm run build:native\`.`);
    });
  });
} else if (status.kernels === undefined) {
  describe('native gemm', () => {
    it.skip(`skipped: no C compiler, ${buildReason()}`, () => {});
  });
} else {
  const kernels = status.kernels;

  describe('native gemm products', () => {
    it('edge sizes', () => {
      const sizes = [1, 5, 6, 7, 15, 16, 17, 65, 129];
      let seed = 1;
      for (const s of sizes) {
        const cases: ProductCase[] = [
          { batch: 1, m: s, n: 17, k: 33 },
          { batch: 1, m: 7, n: s, k: 16, b: { transposed: true } },
          { batch: 1, m: 13, n: 6, k: s, a: { transposed: true } },
          { batch: 1, m: s, n: s, k: s, a: { pad: 3 }, b: { pad: 5 }, c: { pad: 2 } },
        ];
        for (const test of cases) expect(runCase(kernels, test, seed++), describeCase(test)).toEqual([]);
      }
    });

    it('random shapes and layouts', () => {
      const random = createRandom(42);
      const pick = (count: number): number => Math.floor(((random() + 1) / 2) * count);
      for (let i = 0; i < 150; i++) {
        const placement = (): Placement => ({ transposed: pick(2) === 1, pad: pick(3), reversed: pick(4) === 0 });
        const test: ProductCase = {
          batch: 1 + pick(3), m: 1 + pick(40), n: 1 + pick(40), k: pick(40),
          a: { ...placement(), shared: pick(4) === 0 }, b: { ...placement(), shared: pick(4) === 0 }, c: placement(),
          biasStride: pick(2) === 0 ? undefined : pick(3),
          activation: pick(2) === 0 ? 'linear' : 'relu',
          accumulate: pick(2) === 0,
          alpha: pick(2) === 0 ? 1 : random() * 3,
        };
        expect(runCase(kernels, test, 1000 + i), describeCase(test)).toEqual([]);
      }
    });

    it('every transpose combination', () => {
      let seed = 100;
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          for (const tc of [false, true]) {
            const test: ProductCase = {
              batch: 2, m: 37, n: 45, k: 29,
              a: { transposed: ta, pad: 1 }, b: { transposed: tb }, c: { transposed: tc, pad: 3 },
            };
            expect(runCase(kernels, test, seed++), describeCase(test)).toEqual([]);
          }
        }
      }
    });

    it('blocks larger than one tile', () => {
      const cases: ProductCase[] = [
        { batch: 1, m: 200, n: 300, k: 70 },
        { batch: 1, m: 13, n: 40, k: 600, a: { transposed: true } },
        { batch: 1, m: 100, n: 270, k: 513, b: { transposed: true }, accumulate: true },
      ];
      cases.forEach((test, i) => expect(runCase(kernels, test, 200 + i), describeCase(test)).toEqual([]));
    });

    it('batches and shared operands', () => {
      const cases: ProductCase[] = [
        { batch: 3, m: 19, n: 21, k: 23 },
        { batch: 4, m: 19, n: 21, k: 23, a: { shared: true } },
        { batch: 4, m: 19, n: 21, k: 23, b: { shared: true, transposed: true } },
        { batch: 16, m: 65, n: 65, k: 32, b: { transposed: true } },
        { batch: 16, m: 65, n: 32, k: 65 },
      ];
      cases.forEach((test, i) => expect(runCase(kernels, test, 300 + i), describeCase(test)).toEqual([]));
    });

    it('bias, relu, accumulate and alpha', () => {
      const cases: ProductCase[] = [
        { batch: 1, m: 30, n: 40, k: 20, biasStride: 1 },
        { batch: 2, m: 30, n: 40, k: 20, biasStride: 3, activation: 'relu' },
        { batch: 1, m: 30, n: 17, k: 20, biasStride: 0, activation: 'relu', c: { transposed: true } },
        { batch: 2, m: 31, n: 33, k: 20, accumulate: true },
        { batch: 1, m: 31, n: 33, k: 300, accumulate: true, biasStride: 1, activation: 'relu', alpha: -0.5 },
        { batch: 1, m: 8, n: 9, k: 10, alpha: 0.125 },
        { batch: 1, m: 8, n: 9, k: 10, a: { reversed: true }, b: { reversed: true } },
      ];
      cases.forEach((test, i) => expect(runCase(kernels, test, 400 + i), describeCase(test)).toEqual([]));
    });

    it('empty sizes', () => {
      const cases: ProductCase[] = [
        { batch: 1, m: 5, n: 7, k: 0 },
        { batch: 2, m: 5, n: 7, k: 0, biasStride: 1, activation: 'relu' },
        { batch: 1, m: 5, n: 7, k: 0, accumulate: true, biasStride: 2 },
        { batch: 1, m: 0, n: 7, k: 3 },
        { batch: 1, m: 5, n: 0, k: 3 },
        { batch: 0, m: 5, n: 7, k: 3 },
      ];
      cases.forEach((test, i) => expect(runCase(kernels, test, 500 + i), describeCase(test)).toEqual([]));
    });

    it('heap view with byte offset', () => {
      const { heap, spec } = buildCase({ batch: 1, m: 9, n: 18, k: 7, biasStride: 1 }, 610);
      const backing = new Float32Array(heap.length + 5);
      backing.fill(-3);
      backing.set(heap, 5);
      const view = backing.subarray(5);
      kernels.gemm(view, spec);
      expect(findMismatches(spec, heap, view)).toEqual([]);
      expect(Array.from(backing.subarray(0, 5))).toEqual([-3, -3, -3, -3, -3]);
    });

    it('SharedArrayBuffer heap', () => {
      const { heap, spec } = buildCase({ batch: 2, m: 20, n: 24, k: 18, biasStride: 1 }, 600);
      const shared = new Float32Array(new SharedArrayBuffer(heap.byteLength));
      shared.set(heap);
      kernels.gemm(shared, spec);
      expect(findMismatches(spec, heap, shared)).toEqual([]);
    });
  });

  describe('native gemm threads', () => {
    it('identical bits for 1, 2 and 3 threads', () => {
      const cases: ProductCase[] = [
        { batch: 1, m: 150, n: 130, k: 300, biasStride: 1, activation: 'relu' },
        { batch: 6, m: 65, n: 65, k: 64, b: { transposed: true } },
        { batch: 1, m: 128, n: 96, k: 700, a: { transposed: true }, accumulate: true },
      ];
      const initial = kernels.threads();
      try {
        cases.forEach((test, i) => {
          const outputs = [1, 2, 3].map((threads) => {
            kernels.setThreads(threads);
            expect(kernels.threads()).toBe(threads);
            const { heap, spec } = buildCase(test, 700 + i);
            kernels.gemm(heap, spec);
            return new Uint32Array(heap.buffer);
          });
          expect(firstDifference(outputs[1]!, outputs[0]!), `${describeCase(test)} on 2 threads`).toBe(-1);
          expect(firstDifference(outputs[2]!, outputs[0]!), `${describeCase(test)} on 3 threads`).toBe(-1);
        });
      } finally {
        kernels.setThreads(initial);
      }
    });

    it('rejects invalid thread counts', () => {
      expect(() => kernels.setThreads(0)).toThrow(RangeError);
      expect(() => kernels.setThreads(1.5)).toThrow(RangeError);
      expect(() => kernels.setThreads(65)).toThrow(RangeError);
    });
  });

  describe('native gemm descriptors', () => {
    const base = (): { heap: Float32Array; spec: GemmSpec } => buildCase({ batch: 2, m: 4, n: 5, k: 3, biasStride: 1 }, 800);

    it('out-of-bounds operands', () => {
      const outside = (change: (spec: GemmSpec, heap: Float32Array) => void): (() => void) => () => {
        const { heap, spec } = base();
        change(spec, heap);
        kernels.gemm(heap, spec);
      };
      expect(outside((spec) => { spec.a.offset = -1; })).toThrow(/operand A touches heap indices -1 to/);
      expect(outside((spec, heap) => { spec.b.batchStride = heap.length; })).toThrow(/operand B touches/);
      expect(outside((spec, heap) => { spec.c.offset = heap.length - 2; })).toThrow(/operand C touches/);
      expect(outside((spec, heap) => { spec.bias = { offset: heap.length - 1, stride: 1 }; })).toThrow(/operand bias touches/);
      expect(outside((spec) => { spec.a.rowStride = 2 ** 30; spec.a.colStride = 2 ** 30; })).toThrow(RangeError);
    });

    it('invalid sizes and fields', () => {
      const { heap, spec } = base();
      const before = heap.slice();
      expect(() => kernels.gemm(heap, { ...spec, m: -1 })).toThrow(/m is -1/);
      expect(() => kernels.gemm(heap, { ...spec, k: 1.5 })).toThrow(/k is 1.5/);
      expect(() => kernels.gemm(heap, { ...spec, a: { ...spec.a, offset: 2 ** 31 } })).toThrow(/a.offset is 2147483648/);
      expect(() => kernels.gemm(heap, { ...spec, activation: 'gelu' as 'relu' })).toThrow(/activation 'gelu'/);
      expect(() => kernels.gemm(heap, { ...spec, c: { ...spec.c, colStride: 0 } })).toThrow(/map two outputs to one heap element/);
      expect(() => kernels.gemm(heap, { ...spec, c: { ...spec.c, batchStride: 0 } })).toThrow(/map two outputs/);
      expect(() => kernels.gemm(heap, { ...spec, c: { ...spec.c, offset: spec.a.offset + 1 } })).toThrow(/overlap operand A/);
      expect(() => kernels.gemm(new Float64Array(heap.length) as unknown as Float32Array, spec)).toThrow(TypeError);
      expect(Array.from(heap)).toEqual(Array.from(before));
    });
  });

  describe('native gemm loader', () => {
    it('reason names the kernels', () => {
      expect(status.reason).toMatch(/^Native kernels loaded, built with \S+ [\d.]+: (AVX2 \+ FMA|generic C) kernels\.$/);
      expect(['avx2-fma', 'generic']).toContain(kernels.isa);
    });

    it('TIERC_NATIVE=0 disables it', async () => {
      vi.resetModules();
      vi.stubEnv('TIERC_NATIVE', '0');
      try {
        const fresh = await import('../../../src/runtime/native.js');
        const disabled = fresh.loadNativeKernels();
        expect(disabled.kernels).toBeUndefined();
        expect(disabled.reason).toBe('Native kernels are disabled by TIERC_NATIVE=0.');
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it('portable kernels match the reference', () => {
      // The child loads the addon with the portable kernels forced and checks two products in float64.
      const script = `
        const addon = require(${JSON.stringify(ADDON)});
        const check = (m, n, k, aRow, aCol, bRow, bCol) => {
          const heap = new Float32Array(m * k + k * n + m * n);
          for (let i = 0; i < m * k + k * n; i++) heap[i] = Math.sin(i);
          addon.gemm(heap, Int32Array.of(1, m, n, k, 0, 0, aRow, aCol, m * k, 0, bRow, bCol, m * k + k * n, 0, n, 1, -1, 0, 0, 0), 1);
          let worst = 0;
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let kk = 0; kk < k; kk++) sum += heap[i * aRow + kk * aCol] * heap[m * k + kk * bRow + j * bCol];
            worst = Math.max(worst, Math.abs(heap[m * k + k * n + i * n + j] - sum) / k);
          }
          return worst;
        };
        console.log(JSON.stringify({ isa: addon.isa, errors: [check(23, 35, 300, 300, 1, 35, 1), check(9, 17, 40, 1, 9, 1, 40)] }));`;
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, TIERC_NATIVE_ISA: 'generic' }, timeout: 30_000 });
      expect(child.status, child.stderr).toBe(0);
      const result = JSON.parse(child.stdout) as { isa: string; errors: number[] };
      expect(result.isa).toBe('generic');
      for (const error of result.errors) expect(error).toBeLessThan(1e-6);
    });
  });
}
