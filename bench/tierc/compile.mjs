// Child process of `npm run bench`: compiles one model of a .tier spec to ONNX in process
// through tierc's library entry points (checkSpec, lowerProgram, initializeParams,
// writeOnnxArtifacts) and prints one JSON line with the time of each phase, the node count
// and op histogram of each graph, file sizes and the process's peak RSS. The orchestrator
// also times the whole process; this split is the profile behind the compile figure.
//
// Usage: node bench/tierc/compile.mjs --spec FILE --model NAME --out DIR
//          [--graphs image_tower,text_tower,similarity_map]
import { readFileSync, statSync } from 'node:fs';
import { decodeModel, writeOnnxArtifacts } from '../../dist/backends/onnx/index.js';
import { initializeParams } from '../../dist/ir/init.js';
import { lowerSpecModel, parameterCount } from '../lib/spec.mjs';
import { parseArgs } from '../lib/util.mjs';

const args = parseArgs(process.argv.slice(2), { graphs: 'image_tower,text_tower,similarity_map' });
const graphs = args.graphs.split(',');
const { module, checkMs, lowerMs } = lowerSpecModel(args.spec, args.model);

let started = performance.now();
const weights = initializeParams(module, 0);
const initMs = performance.now() - started;

started = performance.now();
const written = writeOnnxArtifacts(module, { graphs, weights, opset: 17 }, args.out);
const onnxMs = performance.now() - started;
const errors = written.diagnostics.filter((d) => d.severity === 'error');
if (errors.length > 0) {
  console.error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  process.exit(1);
}

const graphInfo = {};
for (const file of written.files) {
  const name = file.split('/').at(-1).replace(/\.onnx$/, '');
  if (!graphs.includes(name)) continue;
  const size = statSync(file).size;
  const entry = { file_mib: Number((size / 2 ** 20).toFixed(2)) };
  // Decoding a paper-scale graph holds its weights in memory twice; count nodes only below 1 GiB.
  if (size < 2 ** 30) {
    const model = decodeModel(readFileSync(file));
    const ops = {};
    for (const node of model.graph.node) ops[node.opType] = (ops[node.opType] ?? 0) + 1;
    entry.nodes = model.graph.node.length;
    entry.ops = Object.fromEntries(Object.entries(ops).sort((a, b) => b[1] - a[1]));
  }
  graphInfo[name] = entry;
}

console.log(JSON.stringify({
  engine: 'tierc', spec: args.spec, model: args.model, params: parameterCount(module), ir_nodes: module.nodes.length,
  phases_ms: { check: round(checkMs), lower: round(lowerMs), init_weights: round(initMs), onnx_and_write: round(onnxMs) },
  graphs: graphInfo, files: written.files, max_rss_mib: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
}));

function round(ms) {
  return Number(ms.toFixed(1));
}
