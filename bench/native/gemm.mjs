// GFLOP/s of the native SGEMM addon (1 and 2 threads) against tf.matMul on tfjs's wasm
// backend (the single-threaded SIMD build that Node loads by default) on the products of one
// training step of the benchmark model. Runs alternate between the variants round by round, so load from other
// processes on a shared machine falls on all of them alike. Each rate is reported from wall
// time and from CPU time (user + system of this process, all threads): on a busy machine
// the CPU-time rate shows what the code does when it runs.
//
// Usage: node bench/native/gemm.mjs [--rounds 7] [--seconds 0.25]
// Prints a table and, last, one JSON line. Needs `npm run build` and `npm run build:native`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadNativeKernels } from '../../dist/runtime/native.js';
import { median, parseArgs, round } from '../lib/util.mjs';

const args = parseArgs(process.argv.slice(2), { rounds: '7', seconds: '0.25' });
const rounds = Number(args.rounds);
const secondsPerRun = Number(args.seconds);

const SHAPES = [
  { name: '[2080x128]·[128x384]', batch: 1, m: 2080, n: 384, k: 128 },
  { name: '[2080x128]·[128x512]', batch: 1, m: 2080, n: 512, k: 128 },
  { name: '[2080x512]·[512x128]', batch: 1, m: 2080, n: 512 / 4, k: 512 },
  { name: '[2080x128]ᵀ·[2080x512]', batch: 1, m: 128, n: 512, k: 2080, transposeA: true },
  { name: '128×[65x32]·[65x32]ᵀ', batch: 128, m: 65, n: 65, k: 32, transposeB: true },
  { name: '128×[65x65]·[65x32]', batch: 128, m: 65, n: 32, k: 65 },
];

const native = loadNativeKernels();
if (native.kernels === undefined) {
  console.error(native.reason);
  process.exit(1);
}
const kernels = native.kernels;
await tf.setBackend('wasm');
await tf.ready();

/** Returns the stored [rows x cols] shape of an operand that the product reads transposed or not. */
const stored = (rows, cols, transposed) => (transposed ? [cols, rows] : [rows, cols]);

function randomArray(length) {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = Math.sin(i * 12.9898) * 0.5;
  return values;
}

/** Builds the three variants of one shape: functions that run the product once. */
function variants(shape) {
  const { batch, m, n, k } = shape;
  const [aRows, aCols] = stored(m, k, shape.transposeA);
  const [bRows, bCols] = stored(k, n, shape.transposeB);
  const aSize = batch * aRows * aCols, bSize = batch * bRows * bCols, cSize = batch * m * n;
  const heap = new Float32Array(aSize + bSize + cSize);
  heap.set(randomArray(aSize + bSize));
  const spec = {
    batch, m, n, k,
    a: shape.transposeA ? { offset: 0, batchStride: aRows * aCols, rowStride: 1, colStride: aCols } : { offset: 0, batchStride: aRows * aCols, rowStride: aCols, colStride: 1 },
    b: shape.transposeB ? { offset: aSize, batchStride: bRows * bCols, rowStride: 1, colStride: bCols } : { offset: aSize, batchStride: bRows * bCols, rowStride: bCols, colStride: 1 },
    c: { offset: aSize + bSize, batchStride: m * n, rowStride: n, colStride: 1 },
  };
  const aShape = batch > 1 ? [batch, aRows, aCols] : [aRows, aCols];
  const bShape = batch > 1 ? [batch, bRows, bCols] : [bRows, bCols];
  const a = tf.tensor(heap.subarray(0, aSize), aShape);
  const b = tf.tensor(heap.subarray(aSize, aSize + bSize), bShape);
  return {
    tfjs: () => tf.matMul(a, b, shape.transposeA === true, shape.transposeB === true).dispose(),
    'native 1 thread': () => { kernels.setThreads(1); kernels.gemm(heap, spec); },
    'native 2 threads': () => { kernels.setThreads(2); kernels.gemm(heap, spec); },
  };
}

/** Runs `run` for about `secondsPerRun` and returns seconds per call, by wall and by CPU time. */
function measure(run) {
  run();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let calls = 0;
  while (performance.now() - started < secondsPerRun * 1000 || calls < 3) {
    run();
    calls += 1;
  }
  const wall = (performance.now() - started) / 1000 / calls;
  const cpu = process.cpuUsage(cpuStarted);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 / calls };
}

const results = [];
for (const shape of SHAPES) {
  const flops = 2 * shape.batch * shape.m * shape.n * shape.k;
  const runs = variants(shape);
  const times = Object.fromEntries(Object.keys(runs).map((name) => [name, { wall: [], cpu: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(runs)) {
      const t = measure(run);
      times[name].wall.push(t.wall);
      times[name].cpu.push(t.cpu);
    }
  }
  const row = { shape: shape.name, mflop: round(flops / 1e6, 1) };
  for (const [name, t] of Object.entries(times)) {
    row[name] = { wallGflops: round(flops / median(t.wall) / 1e9, 1), cpuGflops: round(flops / median(t.cpu) / 1e9, 1) };
  }
  results.push(row);
}

const names = Object.keys(results[0]).filter((key) => key !== 'shape' && key !== 'mflop');
console.log(`native kernels: ${native.reason}`);
console.log(`GFLOP/s, median of ${rounds} alternating rounds; wall-time rate / CPU-time rate (CPU time of all threads)`);
console.log(['shape'.padEnd(26), 'MFLOP'.padStart(7), ...names.map((name) => name.padStart(18))].join(' '));
for (const row of results) {
  const cells = names.map((name) => `${row[name].wallGflops} / ${row[name].cpuGflops}`.padStart(18));
  console.log([row.shape.padEnd(26), String(row.mflop).padStart(7), ...cells].join(' '));
}
console.log(JSON.stringify({ isa: kernels.isa, rounds, secondsPerRun, results }));
