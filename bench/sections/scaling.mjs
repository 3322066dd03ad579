// Scaling: compile time and training step time of the small model as depth, width and image
// size change, one at a time, on both sides. Each time is divided by its work: compile time
// by the parameter count (weights are initialized and serialized), a training step by its
// analytic matmul FLOPs. The IR node count is listed beside them. A column that stays flat
// means the time grows no faster than the work.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/proc.mjs';
import { PYTHON, peerEnv } from '../lib/peer.mjs';
import { tiercTrain, torchTrain } from './training.mjs';

const BASE = { depth: 4, width: 128, image: 64 };

export const VARIANTS = [
  { name: 'base', ...BASE },
  { name: 'depth 2', ...BASE, depth: 2 },
  { name: 'depth 8', ...BASE, depth: 8 },
  { name: 'width 64', ...BASE, width: 64 },
  { name: 'width 256', ...BASE, width: 256 },
  { name: 'image 32', ...BASE, image: 32 },
  { name: 'image 128', ...BASE, image: 128 },
];

/** Rewrites the small bench spec's text with other sizes; patches stay 8×8 pixels and heads stay 4. */
export function variantSpec(text, { depth, width, image }) {
  const grid = image / 8;
  const replaced = text
    .replace(/layers: 4\b/g, `layers: ${depth}`)
    .replace(/mlp_width: 512\b/g, `mlp_width: ${4 * width}`)
    .replace(/width: 128\b/g, `width: ${width}`)
    .replace(/linear\(128 -> 64/g, `linear(${width} -> 64`)
    .replace(/image: 64\b/, `image: ${image}`)
    .replace(/patch = 8 \* 8/, `patch = ${grid} * ${grid}`);
  return replaced;
}

export function benchScaling(ctx, trainingSource) {
  const variants = ctx.quick ? VARIANTS.filter((v) => ['base', 'depth 8', 'width 256', 'image 128'].includes(v.name)) : VARIANTS;
  const template = readFileSync('bench/specs/peer_small.tier', 'utf8');
  const dir = join(ctx.tmp, 'scaling');
  mkdirSync(dir, { recursive: true });
  const rows = [];
  for (const variant of variants) {
    ctx.log(`scaling: ${variant.name}`);
    const spec = join(dir, `${variant.name.replace(' ', '_')}.tier`);
    writeFileSync(spec, variantSpec(template, variant));
    const row = { ...variant };
    const compiled = runChild('node', ['bench/tierc/compile.mjs', '--spec', spec, '--model', 'peer_small', '--out', join(dir, 'out'), '--graphs', 'image_tower,text_tower,similarity_map'], { timeoutS: 600 });
    // In-process phase times, like torch's export time, so Node's start-up does not blur the trend.
    if (compiled.ok) Object.assign(row, { params: compiled.json.params, ir_nodes: compiled.json.ir_nodes, tierc_compile_s: sumPhases(compiled.json.phases_ms), tierc_phases_ms: compiled.json.phases_ms });
    else row.tierc_compile_error = compiled.error;

    const sizeArgs = trainingSource === 'spec' ? ['--spec', spec, '--model', 'peer_small'] : ['--fixture', '--width', String(variant.width), '--layers', String(variant.depth), '--image', String(variant.image)];
    const trained = tiercTrain(sizeArgs, 2, 1);
    if (trained.ok) row.tierc_step_s = trained.json.median_step_s;
    else row.tierc_train_error = trained.error;

    if (ctx.peer.available) {
      const sizes = ['--width', String(variant.width), '--depth', String(variant.depth), '--image', String(variant.image)];
      const exported = runChild(PYTHON, ['bench/peer/export_onnx.py', '--out', join(dir, 'torch'), ...sizes], { env: peerEnv(), timeoutS: 600 });
      if (exported.ok) Object.assign(row, { torch_export_s: exported.json.export_s, torch_params: exported.json.params });
      else row.torch_export_error = exported.error;
      const torch = torchTrain(1, sizes, 5, 2);
      if (torch.ok) Object.assign(row, { torch_step_s: torch.json.median_step_s, gflop_per_step: torch.json.model_gflop_per_step });
      else row.torch_train_error = torch.error;
    }
    if (row.gflop_per_step === undefined) row.gflop_per_step = analyticGflop(variant);
    rows.push(row);
  }
  ctx.removeTmp(dir);
  return normalize(rows);
}

function sumPhases(phases) {
  return Object.values(phases).reduce((a, b) => a + b, 0) / 1000;
}

/** Computes the peer's matmul GFLOP per training step (clip_tier.train_gflop_per_step) at batch 32, for runs without Python. */
function analyticGflop({ depth, width, image }) {
  const batch = 32;
  const mlp = 4 * width;
  const embed = 64;
  const context = 32;
  const patches = (image / 8) ** 2;
  const tower = (tokens) => depth * (tokens * (8 * width * width + 4 * width * mlp) + 4 * tokens * tokens * width);
  const vision = patches * 64 * width * 2 + tower(patches + 1) + (patches + 1) * width * embed * 2;
  const text = tower(context) + context * width * embed * 2;
  const loss = batch * embed * 2 + context * patches * embed * 2;
  return (3 * batch * (vision + text + loss)) / 1e9;
}

/** Adds each time divided by its work, relative to the base row (1.00 = grows exactly with the work). */
function normalize(rows) {
  const base = rows.find((r) => r.name === 'base');
  for (const row of rows) {
    if (base === undefined) break;
    const relative = (value, baseValue, work, baseWork) => (value && baseValue ? value / work / (baseValue / baseWork) : undefined);
    row.tierc_compile_per_param = relative(row.tierc_compile_s, base.tierc_compile_s, row.params, base.params);
    row.torch_export_per_param = relative(row.torch_export_s, base.torch_export_s, row.params ?? row.torch_params, base.params ?? base.torch_params);
    row.tierc_step_per_flop = relative(row.tierc_step_s, base.tierc_step_s, row.gflop_per_step, base.gflop_per_step);
    row.torch_step_per_flop = relative(row.torch_step_s, base.torch_step_s, row.gflop_per_step, base.gflop_per_step);
  }
  return { rows };
}
