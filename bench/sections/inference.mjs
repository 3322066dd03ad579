// ONNX inference: tierc's graphs of the small bench spec against torch.onnx.export's graphs of
// the same model. Both run in onnxruntime-node with the same session options (intra-op
// threads 1 and 2, one inter-op thread, all graph optimizations) at batch 1 and 32, and runs
// of the two graphs alternate inside one process. Also measured: the node count of each
// graph as written (before onnxruntime's own fusions) and the peak RSS of inference.
import { join } from 'node:path';
import { runChild } from '../lib/proc.mjs';
import { PYTHON, peerEnv } from '../lib/peer.mjs';
import { median } from '../lib/util.mjs';
import { SCALES, torchExport } from './compile.mjs';

const GRAPHS = ['image_tower', 'text_tower', 'similarity_map'];

function latency(files, args) {
  return runChild('node', ['bench/ort/latency.mjs', ...files, ...args], { timeoutS: 900 });
}

export function benchInference(ctx) {
  const rounds = ctx.quick ? 1 : 2;
  const runs = ctx.quick ? 10 : 20;
  const dir = join(ctx.tmp, 'inference');
  const tiercDir = join(dir, 'tierc');
  const torchDir = join(dir, 'torch');
  const config = SCALES.small;
  const out = { rounds, runs_per_round: runs, graphs: {} };

  ctx.log('inference: compiling both sides once');
  const compiled = runChild('node', ['bench/tierc/compile.mjs', '--spec', config.spec, '--model', config.model, '--out', tiercDir, '--graphs', config.graphs], { timeoutS: 600 });
  if (!compiled.ok) return { error: `tierc compile failed: ${compiled.error}` };
  let exported;
  if (ctx.peer.available) {
    exported = torchExport(config, torchDir, ['--check']);
    if (!exported.ok) out.torch_error = `torch.onnx.export failed: ${exported.error}`;
  } else out.torch_error = `peer not available: ${ctx.peer.reason}`;
  const haveTorch = exported?.ok === true;

  for (const graph of GRAPHS) {
    const tiercFile = join(tiercDir, `${graph}.onnx`);
    const torchFile = join(torchDir, `${graph}.onnx`);
    const entry = { tierc_nodes: compiled.json.graphs[graph]?.nodes, tierc_ops: compiled.json.graphs[graph]?.ops, rounds: [] };
    if (haveTorch) Object.assign(entry, { torch_nodes: exported.json.graphs[graph].nodes, torch_ops: exported.json.graphs[graph].ops });
    const files = haveTorch ? [tiercFile, torchFile] : [tiercFile];
    for (let round = 0; round < rounds; round++) {
      ctx.log(`inference ${graph}: round ${round + 1}/${rounds}`);
      const run = latency(files, ['--runs', String(runs)]);
      if (!run.ok) {
        entry.error = run.error;
        break;
      }
      entry.inputs = { tierc: run.json.models[tiercFile].inputs, ...(haveTorch ? { torch: run.json.models[torchFile].inputs } : {}) };
      entry.rounds.push({ tierc: run.json.models[tiercFile].latency_ms, ...(haveTorch ? { torch: run.json.models[torchFile].latency_ms } : {}) });
    }
    entry.latency_ms = {};
    for (const setting of Object.keys(entry.rounds[0]?.tierc ?? {})) {
      const tierc = median(entry.rounds.map((r) => r.tierc[setting].median));
      const cell = { tierc };
      if (haveTorch) {
        cell.torch = median(entry.rounds.map((r) => r.torch[setting].median));
        cell.ratio = tierc / cell.torch;
      }
      entry.latency_ms[setting] = cell;
    }
    out.graphs[graph] = entry;
  }

  ctx.log('inference: profiles and peak memory');
  const similarity = [join(tiercDir, 'similarity_map.onnx'), ...(haveTorch ? [join(torchDir, 'similarity_map.onnx')] : [])];
  const profiled = latency(similarity, ['--runs', '3', '--threads', '1', '--batches', '32', '--profile', join(dir, 'profile')]);
  if (profiled.ok) out.profile_similarity_b32_t1 = { tierc: profiled.json.models[similarity[0]].profile, ...(haveTorch ? { torch: profiled.json.models[similarity[1]].profile } : {}) };
  // Peak RSS of one session running batch 32 at 2 threads, one process per graph.
  out.memory = {};
  for (const [engine, file] of [['tierc', similarity[0]], ['torch', similarity[1]]]) {
    if (file === undefined) continue;
    const run = latency([file], ['--runs', '5', '--threads', '2', '--batches', '32']);
    out.memory[engine] = run.ok ? run.json.max_rss_mib : { error: run.error };
  }
  if (ctx.peer.available) {
    const eager = runChild(PYTHON, ['bench/peer/infer_bench.py', '--threads', '2', '--batches', '32', '--runs', '5'], { env: peerEnv(), timeoutS: 300 });
    out.memory.torch_eager = eager.ok ? eager.json.max_rss_mib : { error: eager.error };
  }
  ctx.removeTmp(dir);
  return out;
}
