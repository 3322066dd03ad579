// Child process of `npm run bench`: trains one model of a .tier spec with tierc's tfjs
// trainer (`trainModule`) on the synthetic batches the PyTorch peer uses. It prints one JSON
// line with every step time, the median after warm-up, the backend and the process's peak
// RSS (process.resourceUsage().maxRSS).
//
// Usage: node bench/tierc/train.mjs (--spec FILE --model NAME | --fixture [--width W]
//          [--layers D] [--image S]) [--drop-zero-losses] [--clip-only] [--steps 10]
//          [--warmup 3] [--batch 32] [--backend wasm|cpu|tensorflow] [--wasm-threads N] [--profile]
// --fixture trains tierc's built-in IR fixture of the same model (clipTierModule) instead of
// a spec. --drop-zero-losses removes loss terms whose weight is the constant 0 before
// compiling and --clip-only keeps only the 'clip' term, so a λ = 0 model computes InfoNCE
// alone. --profile runs the steps inside tf.profile and adds the kernel time per kernel name.
import * as tf from '@tensorflow/tfjs-core';
import { trainModule } from '../../dist/backends/tfjs/index.js';
import { syntheticDataSource } from '../../dist/runtime/index.js';
import { PEER_SMALL, clipTierModule } from '../../dist/backends/tfjs/clip-model.js';
import { lowerSpecModel, parameterCount, withoutZeroLosses } from '../lib/spec.mjs';
import { parseArgs, median } from '../lib/util.mjs';

const args = parseArgs(process.argv.slice(2), { steps: '10', warmup: '3', batch: '32' });
const steps = Number(args.steps);
const warmup = Number(args.warmup);
const batch = Number(args.batch);

let module = args.fixture ? fixtureModule() : lowerSpecModel(args.spec, args.model).module;
if (args['drop-zero-losses']) module = withoutZeroLosses(module);
if (args['clip-only']) module = { ...module, losses: module.losses.filter((l) => l.name === 'clip') };
const image = module.inputs.find((i) => i.role === 'image').type.axes;
const tokens = module.inputs.find((i) => i.role === 'token_ids').type.axes[1].size;
const tokenCount = typeof tokens === 'number' ? tokens : module.symbols.find((s) => s.name === tokens)?.max;
const vocab = module.params.find((p) => p.name.endsWith('token_embedding.weight'))?.shape[0] ?? 1000;
const data = syntheticDataSource({ batchSize: batch, channels: image[1].size, imageSize: image[2].size, tokens: tokenCount, vocab, seed: 0 });

const stepSeconds = [];
let backend;
const options = { steps: warmup + steps, seed: 0, optimizer: { kind: 'adamw', lr: 5e-4, weightDecay: 0.2 } };
if (args.backend) options.backend = args.backend;
// The trainer starts the threaded wasm build itself when asked for more than one thread.
if (args['wasm-threads']) options.wasmThreads = Number(args['wasm-threads']);
const hooks = {
  onStart: (info) => (backend = info.backend),
  onStep: (m) => stepSeconds.push(m.seconds),
};
const started = performance.now();
let result;
let profile;
if (args.profile) {
  const info = await tf.profile(async () => {
    result = await trainModule(module, options, data, hooks);
  });
  profile = kernelTotals(info.kernels);
} else {
  result = await trainModule(module, options, data, hooks);
}
const timed = stepSeconds.slice(warmup);
const medianStep = median(timed);
console.log(JSON.stringify({
  engine: 'tierc-tfjs', spec: args.fixture ? 'fixture' : args.spec, model: module.name, losses: module.losses.map((l) => l.name),
  params: parameterCount(module), backend: backend?.chosen, wasm_simd: backend?.wasmSimd, wasm_threads: backend?.wasmThreads,
  matmul_kernels: backend?.nativeMatmul?.used ? `native ${backend.nativeMatmul.isa}` : 'xnnpack', native_threads: backend?.nativeMatmul?.used ? backend.nativeMatmul.threads : undefined,
  batch, steps_timed: timed.length, step_s: timed.map((s) => Number(s.toFixed(5))), median_step_s: Number(medianStep.toFixed(5)),
  samples_per_s: Number((batch / medianStep).toFixed(2)), final_loss: result.last?.loss,
  total_s: Number(((performance.now() - started) / 1000).toFixed(2)),
  max_rss_mib: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  ...(profile ? { profile } : {}),
}));

function fixtureModule() {
  const width = Number(args.width ?? PEER_SMALL.width);
  const sizes = { ...PEER_SMALL, width, mlp: 4 * width, layers: Number(args.layers ?? PEER_SMALL.layers), image: Number(args.image ?? PEER_SMALL.image) };
  return clipTierModule(sizes, 'peer_small_fixture');
}

/**
 * Sums kernel milliseconds per kernel name, largest first. Wrappers that tf.profile also
 * lists (custom-gradient 'forward' functions and '__op' wrappers of fused kernels) are
 * left out because their time is the time of the kernels inside them.
 */
function kernelTotals(kernels) {
  const totals = new Map();
  for (const k of kernels) {
    if (k.name === 'forward' || k.name.endsWith('__op')) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = totals.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += ms;
    totals.set(k.name, entry);
  }
  return [...totals].map(([name, v]) => ({ name, calls: v.calls, ms: Number(v.ms.toFixed(1)) })).sort((a, b) => b.ms - a.ms);
}
