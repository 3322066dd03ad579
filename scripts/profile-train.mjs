// Profiles tierc's training step on one backend. It trains a model of a .tier spec (by
// default the benchmark's peer_small) on the benchmark's synthetic batches and reports the
// median step time (wall and process CPU time) of the unprofiled steps. It then records every
// kernel of the last `--profile-steps` steps and prints the kernel time and call count per
// step by kernel name. Kernel times are process CPU time (process.cpuUsage around each
// kernel), because other processes on a loaded machine inflate it far less than wall time.
// `--wall` times kernels by the wall clock instead. `--shapes N`
// adds the N most expensive input-shape groups of each of the top kernels. Kernel times
// come from tfjs's profiler, which times each kernel on its own; their sum is below the
// step time by the engine's per-kernel overhead.
//
// Usage (after `npm run build`):
//   node scripts/profile-train.mjs [--spec bench/specs/peer_small.tier] [--model peer_small]
//     [--steps 4] [--warmup 2] [--profile-steps 2] [--batch 32] [--backend wasm]
//     [--top 25] [--shapes 0] [--wall] [--json]
import * as tf from '@tensorflow/tfjs-core';
import { trainModule } from '../dist/backends/tfjs/index.js';
import { syntheticDataSource } from '../dist/runtime/index.js';
import { lowerSpecModel } from '../bench/lib/spec.mjs';
import { median, parseArgs } from '../bench/lib/util.mjs';

const args = parseArgs(process.argv.slice(2), {
  spec: 'bench/specs/peer_small.tier', model: 'peer_small', steps: '4', warmup: '2', 'profile-steps': '2',
  batch: '32', backend: 'wasm', top: '25', shapes: '0',
});
const steps = Number(args.steps);
const warmup = Number(args.warmup);
const profileSteps = Number(args['profile-steps']);
const batch = Number(args.batch);

const { module } = lowerSpecModel(args.spec, args.model);
const image = module.inputs.find((i) => i.role === 'image').type.axes;
const tokenAxis = module.inputs.find((i) => i.role === 'token_ids').type.axes[1].size;
const tokens = typeof tokenAxis === 'number' ? tokenAxis : module.symbols.find((s) => s.name === tokenAxis)?.max;
const vocab = module.params.find((p) => p.name.endsWith('token_embedding.weight'))?.shape[0] ?? 1000;
const data = syntheticDataSource({ batchSize: batch, channels: image[1].size, imageSize: image[2].size, tokens, vocab, seed: 0 });

const total = warmup + steps + profileSteps;
const stepSeconds = [];
const stepCpuMs = [];
let cpuBefore = process.cpuUsage();
let backend;
const engine = tf.engine();
const startProfiling = () => {
  if (!args.wall) {
    // tfjs's profiler times a kernel through its backend's `time(f)`.
    tf.backend().time = async (f) => {
      const before = process.cpuUsage();
      f();
      const used = process.cpuUsage(before);
      return { kernelMs: (used.user + used.system) / 1000 };
    };
  }
  engine.state.profiling = true;
  engine.state.activeProfile.kernels = [];
};
const hooks = {
  onStart: (info) => {
    backend = info.backend;
    if (warmup + steps === 0 && profileSteps > 0) startProfiling();
  },
  onStep: (m) => {
    stepSeconds.push(m.seconds);
    const cpu = process.cpuUsage(cpuBefore);
    stepCpuMs.push((cpu.user + cpu.system) / 1000);
    cpuBefore = process.cpuUsage();
    if (m.step === warmup + steps && profileSteps > 0) startProfiling();
  },
};
const options = { steps: total, seed: 0, optimizer: { kind: 'adamw', lr: 5e-4, weightDecay: 0.2 }, backend: args.backend };
const result = await trainModule(module, options, data, hooks);
engine.state.profiling = false;
const kernels = engine.state.activeProfile.kernels ?? [];
for (const k of kernels) k.kernelTimeMs = await k.kernelTimeMs;

const timed = stepSeconds.slice(warmup, warmup + steps);
const stepMs = median(timed) * 1000;
const profiledMs = stepSeconds.slice(warmup + steps).map((s) => Number((s * 1000).toFixed(1)));
const backendName = tf.getBackend();
const real = kernels.filter((k) => tf.getKernel(k.name, backendName) !== undefined);
const byName = new Map();
for (const k of real) {
  const entry = byName.get(k.name) ?? { calls: 0, ms: 0, shapes: new Map() };
  entry.calls += 1;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  entry.ms += ms;
  const key = JSON.stringify(k.inputShapes);
  const shape = entry.shapes.get(key) ?? { calls: 0, ms: 0 };
  shape.calls += 1;
  shape.ms += ms;
  entry.shapes.set(key, shape);
  byName.set(k.name, entry);
}
const per = (value) => value / Math.max(profileSteps, 1);
const rows = [...byName].map(([name, v]) => ({
  name, calls: per(v.calls), ms: Number(per(v.ms).toFixed(1)),
  shapes: [...v.shapes].map(([shape, s]) => ({ shape, calls: per(s.calls), ms: Number(per(s.ms).toFixed(2)) })).sort((a, b) => b.ms - a.ms),
})).sort((a, b) => b.ms - a.ms);
const summary = {
  spec: args.spec, model: module.name, backend: backendName, wasm_simd: backend?.wasmSimd, batch,
  step_ms: Number(stepMs.toFixed(1)), step_ms_all: timed.map((s) => Number((s * 1000).toFixed(1))),
  step_cpu_ms: Number(median(stepCpuMs.slice(warmup, warmup + steps)).toFixed(1)),
  samples_per_s: Number((batch / (stepMs / 1000)).toFixed(2)), profiled_step_ms: profiledMs,
  kernels_per_step: per(real.length), kernel_ms_per_step: Number(per(real.reduce((n, k) => n + (k.kernelTimeMs ?? 0), 0)).toFixed(1)),
  final_loss: result.last?.loss, max_rss_mib: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  tensors_after: tf.memory().numTensors,
};

if (args.json) {
  console.log(JSON.stringify({ ...summary, kernels: rows.map(({ shapes, ...row }) => row) }));
} else {
  for (const [key, value] of Object.entries(summary)) console.log(`${key}: ${Array.isArray(value) ? value.join(', ') : value}`);
  console.log('\nkernel                          calls/step   ms/step');
  for (const row of rows.slice(0, Number(args.top))) {
    console.log(`${row.name.padEnd(32)}${String(row.calls).padStart(10)}${row.ms.toFixed(1).padStart(10)}`);
    for (const shape of row.shapes.slice(0, Number(args.shapes))) console.log(`    ${shape.shape}  ×${shape.calls}  ${shape.ms} ms`);
  }
}
