// Compile time: `tierc compile --target onnx` of the bench specs (small and paper scale)
// against torch.onnx.export of the same models as the same graphs. The tierc figure is the
// wall time of the whole command, Node start-up and file writing included. The torch figure
// is the time inside the torch.onnx.export calls only, and the Python import and model
// construction are reported beside it. When the CLI has no `compile` command, bench/tierc/compile.mjs
// runs the same library phases in a process of its own and the page says so.
import { join } from 'node:path';
import { runChild } from '../lib/proc.mjs';
import { PYTHON, peerEnv } from '../lib/peer.mjs';
import { median } from '../lib/util.mjs';

export const SCALES = {
  small: { spec: 'bench/specs/peer_small.tier', model: 'peer_small', graphs: 'image_tower,text_tower,similarity_map', scale: 'small' },
  paper: { spec: 'bench/specs/peer_paper.tier', model: 'peer_paper', graphs: 'similarity_map', scale: 'paper' },
};

/** Checks that the built CLI has `tierc compile` and times its start-up; gives the reason when it has not. */
export function probeCli() {
  const run = runChild('node', ['dist/cli/main.js', 'compile', '--help'], { timeoutS: 60 });
  const text = `${run.error ?? ''}`;
  if (!run.ok) return { available: false, reason: `'node dist/cli/main.js compile --help' failed: ${text || `exit code ${run.code}`}` };
  // The fixed cost inside every command: Node start-up plus loading the CLI's modules.
  const startups = [0, 1, 2].map(() => runChild('node', ['dist/cli/main.js', '--version'], { timeoutS: 60 })).filter((r) => r.ok);
  const startup = startups.length > 0 ? { wall_s: median(startups.map((r) => r.wallS)), cpu_s: median(startups.map((r) => r.cpuS).filter(Number.isFinite)) } : undefined;
  return { available: true, startup };
}

/** Runs one tierc compile (the CLI when present, else the library phases) and returns the child run and which path ran. */
export function tiercCompile(ctx, { spec, model, graphs }, outDir) {
  if (ctx.cli.available) {
    const run = runChild('node', ['dist/cli/main.js', 'compile', spec, '--target', 'onnx', '--model', model, '-o', outDir], { timeoutS: 900 });
    if (run.ok) return { path: 'cli', run };
    ctx.cliFailures.push(`${spec}: ${run.error}`);
  }
  return { path: 'library', run: runChild('node', ['bench/tierc/compile.mjs', '--spec', spec, '--model', model, '--out', outDir, '--graphs', graphs], { timeoutS: 900 }) };
}

/** Runs torch.onnx.export of the same graphs in a fresh Python process. */
export function torchExport(config, outDir, extra = []) {
  const graphs = config.graphs;
  return runChild(PYTHON, ['bench/peer/export_onnx.py', '--scale', config.scale, '--out', outDir, '--graphs', graphs, ...extra], { env: peerEnv(), timeoutS: 900 });
}

export function benchCompile(ctx) {
  const out = {};
  const plan = ctx.quick ? { small: 2, paper: 0 } : { small: 3, paper: 1 };
  for (const [name, runs] of Object.entries(plan)) {
    const config = SCALES[name];
    if (runs === 0) {
      out[name] = { skipped: 'not run with --quick' };
      continue;
    }
    ctx.log(`compile ${name}: ${runs} run(s) of tierc and of torch.onnx.export, alternating`);
    const tierc = [];
    const torch = [];
    for (let i = 0; i < runs; i++) {
      const dir = join(ctx.tmp, `compile-${name}-${i}`);
      const compiled = tiercCompile(ctx, config, join(dir, 'tierc'));
      tierc.push({ path: compiled.path, ok: compiled.run.ok, error: compiled.run.error, wall_s: compiled.run.wallS, cpu_s: compiled.run.cpuS, max_rss_mib: compiled.run.maxRssMiB, detail: compiled.run.json });
      if (ctx.peer.available) {
        const run = torchExport(config, join(dir, 'torch'));
        torch.push({ ok: run.ok, error: run.error, wall_s: run.wallS, cpu_s: run.cpuS, max_rss_mib: run.maxRssMiB, detail: run.json });
      }
      ctx.removeTmp(dir);
    }
    if (!tierc.some((r) => r.detail?.phases_ms)) {
      // The CLI reports no phase times, so one run of the library phases shows where the time goes.
      const profiled = runChild('node', ['bench/tierc/compile.mjs', '--spec', config.spec, '--model', config.model, '--out', join(ctx.tmp, `phases-${name}`), '--graphs', config.graphs], { timeoutS: 900 });
      ctx.removeTmp(join(ctx.tmp, `phases-${name}`));
      if (profiled.ok) tierc.phases = profiled.json.phases_ms;
    }
    out[name] = summarize(config, tierc, torch, ctx);
  }
  return out;
}

function summarize(config, tierc, torch, ctx) {
  const good = tierc.filter((r) => r.ok);
  const summary = { spec: config.spec, graphs: config.graphs.split(','), tierc_runs: tierc, torch_runs: torch };

  if (good.length === 0) {
    summary.tierc_error = tierc[0]?.error ?? 'no run';
    return summary;
  }
  summary.tierc_path = good[0].path;
  summary.tierc_wall_s = median(good.map((r) => r.wall_s));
  summary.tierc_cpu_s = median(good.map((r) => r.cpu_s).filter(Number.isFinite));
  const library = good.map((r) => r.detail).find((d) => d?.phases_ms);
  summary.tierc_phases_ms = library?.phases_ms ?? tierc.phases;

  if (!ctx.peer.available) {
    summary.torch_error = `peer not available: ${ctx.peer.reason}`;
    return summary;
  }
  const torchGood = torch.filter((r) => r.ok && r.detail);
  if (torchGood.length === 0) {
    summary.torch_error = torch[0]?.error ?? 'no run';
    return summary;
  }

  summary.torch_export_s = median(torchGood.map((r) => r.detail.export_s));
  summary.torch_export_cpu_s = median(torchGood.map((r) => r.detail.export_cpu_s));
  summary.torch_import_s = median(torchGood.map((r) => r.detail.import_s));
  summary.torch_build_s = median(torchGood.map((r) => r.detail.build_s));
  summary.torch_wall_s = median(torchGood.map((r) => r.wall_s));
  summary.speedup_vs_export = summary.torch_export_s / summary.tierc_wall_s;
  summary.speedup_wall = summary.torch_wall_s / summary.tierc_wall_s;
  // CPU seconds are what the wall times would be on an idle machine (both sides compile on one thread).
  summary.speedup_cpu = summary.torch_export_cpu_s / summary.tierc_cpu_s;
  return summary;
}
