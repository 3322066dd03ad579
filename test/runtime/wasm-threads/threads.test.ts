// The threaded wasm backend under Node: the thread count plan, a gradient step with two
// threads against one thread, the fallback after a failed threaded start, and `tierc
// doctor`. Each backend runs in a child process of the built package (dist/) with a kill
// timeout. A backend that hangs blocks its whole process, and a process that never exits
// after its last line is the failure these tests guard against.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, planWasmThreads } from '../../../src/runtime/wasm-threads.js';

const ROOT = process.cwd();
const RUNTIME = pathToFileURL(join(ROOT, 'dist', 'runtime', 'index.js')).href;
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const CHILD_TIMEOUT_MS = 60_000;

interface ChildResult {
  json: Record<string, unknown>;
  stderr: string;
}

/** Runs Node with `args` from the repository root, with the native kernels off so the threaded wasm build runs, and parses its stdout as JSON. */
function runChild(args: string[], env: Record<string, string> = {}): ChildResult {
  if (!existsSync(join(ROOT, 'dist', 'runtime', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first.');
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, TIERC_NATIVE: '0', ...env },
  });
  expect(run.signal, `child killed after ${CHILD_TIMEOUT_MS / 1000} s (hang or no exit); stderr: ${run.stderr}`).toBeNull();
  expect(run.status, `child failed; stderr: ${run.stderr}`).toBe(0);
  return { json: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
}

// Three SGD steps of a linear least-squares model on fixed data with an exact solution.
// The matmuls go through XNNPACK, which splits them across the pool's threads.
const STEP_SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from ${JSON.stringify(RUNTIME)};
const report = await selectBackend({ force: 'wasm', wasmThreads: Number(process.argv[1]) });
const x = tf.tensor2d(Array.from({ length: 64 * 96 }, (_, i) => Math.sin(i * 0.37)), [64, 96]);
const y = tf.matMul(x, tf.tensor2d(Array.from({ length: 96 * 32 }, (_, i) => Math.cos(i * 0.7)), [96, 32]));
const w = tf.variable(tf.zeros([96, 32]));
const optimizer = tf.train.sgd(0.1);
const losses = [];
for (let step = 0; step < 3; step++) {
  const loss = optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(x, w), y))), true);
  losses.push(loss.dataSync()[0]);
  loss.dispose();
}
console.log(JSON.stringify({ threads: report.wasmThreads, reason: report.wasmThreadsReason, losses }));
`;

// A threaded start that times out after 1 ms, then the package's own single-threaded module.
const FALLBACK_SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { startThreadedWasm } from ${JSON.stringify(RUNTIME)};
const error = await startThreadedWasm(2, 1).then(() => 'started', (e) => e.message);
const activated = await tf.setBackend('wasm');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const sum = tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0];
console.log(JSON.stringify({ error, activated, threads: wasm.getThreadsCount(), sum }));
`;

describe('wasm thread plan', () => {
  const cores = os.availableParallelism();

  it.each([
    { requested: 1, env: {}, threads: 1, reason: 'the wasmThreads option (1)' },
    { requested: 3, env: { TIERC_WASM_THREADS: '1' }, threads: 3, reason: 'the wasmThreads option (3)' },
    { requested: 12, env: {}, threads: MAX_WASM_THREADS, reason: 'the wasmThreads option (12), lowered to 8, the most the threaded wasm build uses' },
    { requested: undefined, env: { TIERC_WASM_THREADS: ' 1 ' }, threads: 1, reason: 'TIERC_WASM_THREADS=1' },
    { requested: undefined, env: { TIERC_WASM_THREADS: '4' }, threads: 4, reason: 'TIERC_WASM_THREADS=4' },
    { requested: undefined, env: { TIERC_WASM_THREADS: '' }, threads: Math.min(cores, 8), reason: `one per logical core (${cores})` },
    { requested: undefined, env: {}, threads: Math.min(cores, 8), reason: `one per logical core (${cores})` },
  ])('plans $threads from $requested and $env', ({ requested, env, threads, reason }) => {
    const plan = planWasmThreads(requested, env);
    expect(plan.threads).toBe(threads);
    expect(plan.reason.startsWith(reason)).toBe(true);
  });

  it.each(['0', '-2', '1.5', 'two'])('rejects TIERC_WASM_THREADS=%s', (value) => {
    expect(() => planWasmThreads(undefined, { TIERC_WASM_THREADS: value })).toThrow(`TIERC_WASM_THREADS must be a whole number of at least 1, not '${value}'.`);
  });

  it('rejects a zero wasmThreads option', () => {
    expect(() => planWasmThreads(0, {})).toThrow('The wasm thread count must be a whole number of at least 1, not 0.');
  });
});

describe('threaded wasm backend', () => {
  it('two threads step like one and exit', () => {
    const one = runChild(['--input-type=module', '-e', STEP_SCRIPT, '1']).json;
    const two = runChild(['--input-type=module', '-e', STEP_SCRIPT, '2']).json;
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.reason).toBe('the wasmThreads option (2)');
    const oneLosses = one.losses as number[];
    const twoLosses = two.losses as number[];
    expect(twoLosses).toHaveLength(3);
    // The cpu backend gives 0.12944, 0.09304, 0.06688: the steps apply gradients.
    expect(twoLosses[0]!).toBeCloseTo(0.12944, 4);
    expect(twoLosses[2]!).toBeCloseTo(0.06688, 4);
    twoLosses.forEach((loss, step) => expect(Math.abs(loss - oneLosses[step]!), `step ${step}`).toBeLessThan(1e-5 * Math.abs(oneLosses[step]!)));
  });

  it('failed threaded start falls back', () => {
    const result = runChild(['--input-type=module', '-e', FALLBACK_SCRIPT]).json;
    expect(result.error).toBe('The threaded wasm module did not start within 0.001 s.');
    expect(result.activated).toBe(true);
    expect(result.threads).toBe(1);
    expect(result.sum).toBe(3);
  });

  it('doctor reports the thread count and source', () => {
    for (const threads of [1, 2]) {
      const report = runChild([CLI, 'doctor', '--json', '--backend', 'wasm'], { TIERC_WASM_THREADS: String(threads) }).json;
      expect(report.chosen).toBe('wasm');
      expect(report.wasmThreads).toBe(threads);
      expect(report.wasmThreadsReason).toBe(`TIERC_WASM_THREADS=${threads}`);
    }
  });
});
