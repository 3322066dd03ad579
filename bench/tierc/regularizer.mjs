// Child process of `npm run bench`: the regularizer's cost in tierc's tfjs trainer, measured
// in pairs inside one process so that drifting load from other work falls on both sides.
// Each pair trains the λ = 0.1 model and the λ = 0 model (zero-weight terms removed) for two
// steps each, in alternating order, and times the second step. Prints one JSON line with
// every pair's step times and the median of the per-pair ratios.
//
// Usage: node bench/tierc/regularizer.mjs --spec FILE --model NAME --baseline NAME [--pairs 8] [--batch 32]
import { trainModule } from '../../dist/backends/tfjs/index.js';
import { syntheticDataSource } from '../../dist/runtime/index.js';
import { lowerSpecModel, withoutZeroLosses } from '../lib/spec.mjs';
import { median, parseArgs } from '../lib/util.mjs';

const args = parseArgs(process.argv.slice(2), { pairs: '8', batch: '32' });
const batch = Number(args.batch);
const withTerms = lowerSpecModel(args.spec, args.model).module;
const without = withoutZeroLosses(lowerSpecModel(args.spec, args.baseline).module);
const options = { steps: 2, seed: 0, optimizer: { kind: 'adamw', lr: 5e-4, weightDecay: 0.2 } };

/** Trains two steps of `module` and returns the second step's seconds. */
async function secondStep(module) {
  const data = syntheticDataSource({ batchSize: batch, channels: 1, imageSize: 64, tokens: 32, vocab: 1000, seed: 0 });
  const seconds = [];
  await trainModule(module, options, data, { onStep: (m) => seconds.push(m.seconds) });
  return seconds[1];
}

const pairs = [];
for (let i = 0; i < Number(args.pairs); i++) {
  const on = i % 2 === 0 ? await secondStep(withTerms) : undefined;
  const off = await secondStep(without);
  const onValue = on ?? (await secondStep(withTerms));
  pairs.push({ on_s: Number(onValue.toFixed(5)), off_s: Number(off.toFixed(5)) });
}
console.log(JSON.stringify({
  engine: 'tierc-tfjs', losses_on: withTerms.losses.map((l) => l.name), losses_off: without.losses.map((l) => l.name), pairs,
  median_on_s: median(pairs.map((p) => p.on_s)), median_off_s: median(pairs.map((p) => p.off_s)),
  overhead: median(pairs.map((p) => p.on_s / p.off_s - 1)),
}));
