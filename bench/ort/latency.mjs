// Child process of `npm run bench`: onnxruntime-node latency of ONNX graphs at the given
// batch sizes and intra-op thread counts, fed the same deterministic image and token batch
// whichever compiler wrote the graph. With several models, runs alternate between them
// (A, B, A, B, ...) so that load from other processes on the machine falls on all alike.
// Prints one JSON line: per model file the median, minimum and p90 per setting, its inputs and
// outputs; and the process's peak RSS (meaningful for one model).
//
// Usage: node bench/ort/latency.mjs MODEL.onnx [MODEL2.onnx ...] [--batches 1,32]
//          [--threads 1,2] [--runs 30] [--warmup 5] [--image 1,64,64] [--tokens 32]
//          [--vocab 1000] [--profile DIR]
// --profile DIR writes onnxruntime's profile of batch 32 at the last thread count for each
// model and adds the node time per operator type.
import { readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { median, parseArgs } from '../lib/util.mjs';

const argv = process.argv.slice(2);
const firstOption = argv.findIndex((a) => a.startsWith('--'));
const files = firstOption < 0 ? argv : argv.slice(0, firstOption);
const args = parseArgs(firstOption < 0 ? [] : argv.slice(firstOption), { batches: '1,32', threads: '1,2', runs: '30', warmup: '5', image: '1,64,64', tokens: '32', vocab: '1000' });
const [channels, height, width] = args.image.split(',').map(Number);
const tokenCount = Number(args.tokens);
const vocab = Number(args.vocab);
const runs = Number(args.runs);
const warmup = Number(args.warmup);

function sessionOptions(threads, profile) {
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  if (profile) Object.assign(options, { enableProfiling: true, profileFilePrefix: join(profile, 'ort') });
  return options;
}

/** Feeds for every input the graph declares, by name: images in [0, 1), captions ending in the end-of-text id. */
function feeds(file, session, batch) {
  const image = new Float32Array(batch * channels * height * width);
  for (let i = 0; i < image.length; i++) image[i] = ((i * 2654435761) % 1000) / 1000;
  const ids = new Int32Array(batch * tokenCount);
  const eot = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const length = 8 + (b % (tokenCount - 8));
    for (let i = 0; i < length - 1; i++) ids[b * tokenCount + i] = 1 + ((b * 131 + i * 17) % (vocab - 3));
    ids[b * tokenCount + length - 1] = vocab - 1;
    eot[b] = length - 1;
  }
  const all = {
    image: new ort.Tensor('float32', image, [batch, channels, height, width]),
    token_ids: new ort.Tensor('int32', ids, [batch, tokenCount]),
    pool_index: new ort.Tensor('int32', eot, [batch]),
  };
  const chosen = {};
  for (const name of session.inputNames) {
    if (all[name] === undefined) throw new Error(`${file}: the benchmark has no feed for input '${name}'.`);
    chosen[name] = all[name];
  }
  return chosen;
}

async function main() {
  const out = { models: {} };
  for (const file of files) out.models[file] = { latency_ms: {} };
  const threadCounts = args.threads.split(',').map(Number);
  for (const threads of threadCounts) {
    const sessions = [];
    for (const file of files) sessions.push(await ort.InferenceSession.create(file, sessionOptions(threads)));
    sessions.forEach((session, i) => Object.assign(out.models[files[i]], { inputs: session.inputNames, outputs: session.outputNames }));
    for (const batch of args.batches.split(',').map(Number)) {
      const inputs = sessions.map((session, i) => feeds(files[i], session, batch));
      for (let w = 0; w < warmup; w++) for (let i = 0; i < sessions.length; i++) await sessions[i].run(inputs[i]);
      const times = sessions.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (let i = 0; i < sessions.length; i++) {
          const started = process.hrtime.bigint();
          await sessions[i].run(inputs[i]);
          times[i].push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
      times.forEach((list, i) => {
        list.sort((a, b) => a - b);
        out.models[files[i]].latency_ms[`b${batch}_t${threads}`] = {
          median: Number(median(list).toFixed(3)), min: Number(list[0].toFixed(3)), p90: Number(list[Math.floor(runs * 0.9)].toFixed(3)),
        };
      });
    }
    for (const session of sessions) await session.release();
  }
  if (args.profile) {
    for (const file of files) out.models[file].profile = await profileOperators(file, join(args.profile, String(files.indexOf(file))), threadCounts.at(-1));
  }
  out.max_rss_mib = Number((process.resourceUsage().maxRSS / 1024).toFixed(1));
  console.log(JSON.stringify(out));
}

/** Milliseconds per operator type over 10 batch-32 runs, from onnxruntime's profile file. */
async function profileOperators(file, dir, threads) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const session = await ort.InferenceSession.create(file, sessionOptions(threads, dir));
  const input = feeds(file, session, 32);
  for (let i = 0; i < 10; i++) await session.run(input);
  session.endProfiling();
  await session.release();
  const trace = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))), 'utf8'));
  const byOp = {};
  for (const event of trace) {
    if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
    const op = event.args?.op_name ?? 'unknown';
    byOp[op] = (byOp[op] ?? 0) + event.dur / 1000 / 10;
  }
  return Object.fromEntries(Object.entries(byOp).sort((a, b) => b[1] - a[1]).map(([op, ms]) => [op, Number(ms.toFixed(3))]));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
