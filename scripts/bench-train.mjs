// Trains the peer benchmark's SMALL CLIP+TIER model (ViT 64×64/8 + causal text, width 128,
// depth 4, QuickGELU, batch 32, AdamW) through the tfjs backend and prints the median
// samples/s after warm-up as one JSON line. `median_cpu_samples_per_s` divides by the CPU
// time the process used instead of wall time: on a machine shared with other work it
// estimates the single-thread rate of an idle machine. Usage (after `npm run build`):
//   node scripts/bench-train.mjs [--backend wasm|cpu|tensorflow] [--threads 1] [--steps 10] [--warmup 3] [--batch 32]
import { PEER_SMALL, clipTierModule } from '../dist/backends/tfjs/clip-model.js';
import { trainModule } from '../dist/backends/tfjs/index.js';
import { syntheticDataSource } from '../dist/runtime/index.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []));
const batch = Number(args.batch ?? 32);
const warmup = Number(args.warmup ?? 3);
const steps = Number(args.steps ?? 10);
const module = clipTierModule(PEER_SMALL, 'peer_small');
const data = syntheticDataSource({ batchSize: batch, channels: 1, imageSize: 64, tokens: 32, vocab: 1000, seed: 0 });
const rates = [];
const cpuRates = [];
let cpuBefore = process.cpuUsage();
let backend = '';
let threads = 1;
const options = { steps: warmup + steps, seed: 0, optimizer: { kind: 'adamw', lr: 5e-4, weightDecay: 0.2 } };
if (args.backend) options.backend = args.backend;
if (args.threads) options.wasmThreads = Number(args.threads);
const result = await trainModule(module, options, data, {
  onStart: (info) => {
    backend = info.backend.chosen;
    threads = info.backend.wasmThreads ?? 1;
  },
  onStep: (m) => {
    const cpu = process.cpuUsage(cpuBefore);
    cpuBefore = process.cpuUsage();
    if (m.step > warmup) {
      rates.push(m.samplesPerSecond);
      cpuRates.push(batch / ((cpu.user + cpu.system) / 1e6));
    }
  },
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify({
  engine: 'tierc-tfjs', backend, threads, batch, steps_timed: rates.length,
  median_samples_per_s: Number(median(rates).toFixed(2)),
  median_cpu_samples_per_s: Number(median(cpuRates).toFixed(2)),
  final_loss: result.last?.loss,
}));
