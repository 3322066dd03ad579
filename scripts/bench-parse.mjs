// Parse benchmark (not a test): generates a spec of about 10,000 lines from repeated model,
// data and train blocks, then prints the time to parse it and to format it.
// Run `npm run build` first; then `node scripts/bench-parse.mjs [lines]`.
import { formatSpec } from '../dist/format/index.js';
import { parse } from '../dist/syntax/index.js';

const targetLines = Number(process.argv[2] ?? 10_000);

function block(index) {
  return `model m${index}(w: 0.1) {
  axes { batch; token <= 128; patch = 7 * 7 }

  image encoder = resnet50(output: layer4, init: "weights/r50.safetensors")
  text encoder  = bert(layers: 12, width: 768, heads: 12, vocab: 30522)

  head patch_proj = conv1x1(2048 -> 128, bias: false) | batchnorm | relu | conv1x1(128 -> 128)
  head token_proj = linear(768 -> 128) | gelu | layernorm(eps: 1e-12) | linear(128 -> 128)

  let patches = normalize(patch_proj(image.grid), over: dim)  // f32[batch, patch, 128]
  let tokens  = normalize(token_proj(text.tokens), over: dim)
  let sim     = tokens . patches

  loss clip  = infonce(normalize(mean(patches, over: patch), over: dim), tokens, scale: 14.29)
  loss words = w * mean(entropy(softmax(sim, over: patch), eps: 1e-7), over: [batch, token])
}

data d${index} {
  manifest: "data/train.csv"
  image: column "path", root "data/files"
  labels: columns ["Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion"]
}

train t${index} {
  model: m${index}
  duration: 50 epochs
  checkpoint: every 1 epoch, keep best 5 by eval.chexpert.mean_auroc
}
`;
}

const blocks = [];
let lines = 0;
while (lines < targetLines) {
  const text = block(blocks.length);
  blocks.push(text);
  lines += text.split('\n').length;
}
const text = blocks.join('\n');

// One warm-up run, then the measured ones.
parse(text, 'bench.tier');
const runs = 5;
const parseTimes = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const { diagnostics } = parse(text, 'bench.tier');
  parseTimes.push(performance.now() - start);
  if (diagnostics.length > 0) throw new Error(`the generated spec has diagnostics: ${diagnostics[0].message}`);
}
const formatStart = performance.now();
formatSpec(text, 'bench.tier');
const formatTime = performance.now() - formatStart;

const median = parseTimes.sort((a, b) => a - b)[Math.floor(runs / 2)];
console.log(`${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB`);
console.log(`parse: median ${median.toFixed(0)} ms of ${runs} runs (${((text.split('\n').length / median) * 1000).toFixed(0)} lines/s)`);
console.log(`format: ${formatTime.toFixed(0)} ms`);
