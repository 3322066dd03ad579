// Renders docs/benchmarks.md from the results object that scripts/bench.mjs also writes to
// docs/benchmarks.json. Every figure is shown next to the PyTorch peer's figure from the
// same run, as a ratio.
import { fmt, fmtRatio } from './targets.mjs';

const na = (text) => `not available: ${text ?? 'not measured'}`;
const mib = (v) => (typeof v === 'number' ? `${v.toFixed(0)} MiB` : 'n/a');
const table = (header, rows) => [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function renderReport(results) {
  const parts = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench${results.quick ? ' -- --quick' : ''}\` on ${results.machine.date.slice(0, 16).replace('T', ' ')} UTC in ${(results.duration_s / 60).toFixed(1)} minutes, at commit ${results.machine.git_commit}. `
      + 'Each tierc figure is divided by the PyTorch peer\'s figure from the same run: the two sides run alternately, on the same model, on the same machine. '
      + 'The peer is a plain PyTorch CLIP + TIER model (`bench/peer/`); the tierc side compiles the bench-only specs in `bench/specs/`, which describe the same model. '
      + `The machine is shared with other work. Its load average was ${results.machine.load_average_start.join(', ')} at the start and ${results.machine.load_average_end.join(', ')} at the end, so single runs vary by tens of percent, and the results are ratios of alternating runs.`,
    '',
    machineSection(results),
    targetsSection(results),
    compileSection(results),
    trainingSection(results),
    regularizerSection(results),
    inferenceSection(results),
    memorySection(results),
    scalingSection(results),
    differencesSection(results),
    '## Running it',
    '',
    '`npm run bench` (about 20 minutes on 2 cores) builds the package, installs the peer\'s Debian packages with apt-get when they are missing and the bench runs as root, runs every section and writes `docs/benchmarks.md` and `docs/benchmarks.json`. '
      + '`npm run bench -- --quick` runs fewer rounds, skips the paper-scale compile and writes the same files. Without PyTorch the tierc figures are still measured and every ratio reads "not available" with the reason.',
    '',
  ];
  return parts.join('\n');
}

function machineSection({ machine, peer }) {
  const rows = [
    ['CPU', `${machine.cpu_model} (family/model ${machine.cpu_family_model}), ${machine.cores} cores, AVX-512 ${machine.cpu_flags_avx512 ? 'yes' : 'no'}`],
    ['memory', `${machine.memory_gib} GiB`],
    ['kernel', machine.kernel],
    ['Node', machine.node],
    ['tfjs (core / wasm backend / tfjs-node)', `${machine.tfjs} / ${machine.tfjs_backend_wasm} / ${machine.tfjs_node}`],
    ['tierc native kernels', machine.native_kernels ?? 'n/a'],
    ['onnxruntime-node', machine.onnxruntime_node],
  ];
  if (peer.available) {
    const v = peer.versions;
    rows.push(['Python / torch / onnx / numpy', `${v.python} / ${v.torch} / ${v.onnx} / ${v.numpy}`]);
    rows.push(['BLAS used by torch', `${v.blas.openblas_config ?? 'not OpenBLAS'} (${(v.blas.libraries ?? []).find((l) => /openblas/.test(l)) ?? (v.blas.libraries ?? []).join(', ')})`]);
  } else rows.push(['PyTorch peer', na(peer.reason)]);
  return ['## Machine', '', table(['', ''], rows), ''].join('\n');
}

function targetsSection({ targets }) {
  const verdict = (t) => {
    if (t.met === undefined) return 'not available';
    return t.met ? '**met**' : '**missed**';
  };
  const rows = targets.map((t) => [t.id, t.target, t.measured === undefined ? 'n/a' : fmtRatio(t.measured), verdict(t), t.note ?? '']);
  return ['## Targets', '', 'Ratios are medians over the rounds of the run. For training, higher is better; for the regularizer, latency and node count, lower is better; compile is how many times faster tierc is.', '', table(['figure', 'target', 'measured', 'result', 'detail'], rows), ''].join('\n');
}

function compileSection({ compile, cli, cliFailures }) {
  const lines = ['## Compile time', ''];
  lines.push(cli.available
    ? (cliFailures.length === 0 ? 'tierc: the whole `node dist/cli/main.js compile SPEC --target onnx -o DIR` command.' : `tierc: the CLI failed (${cliFailures.join('; ')}), so \`bench/tierc/compile.mjs\` ran the same library phases in a process of its own.`)
    : `tierc: ${na(`the CLI has no compile command (${cli.reason})`)}; \`bench/tierc/compile.mjs\` ran the same phases (checkSpec, lowerProgram, initializeParams, writeOnnxArtifacts) as a Node process, and its whole wall time is the tierc figure.`);
  lines.push('torch: the time inside the `torch.onnx.export` calls of `bench/peer/export_onnx.py` (opset 17, dynamic batch), first export in a fresh process; importing torch and building the model are listed apart.', '');
  const rows = [];
  for (const [scale, e] of Object.entries(compile ?? {})) {
    if (e.skipped) {
      rows.push([scale, '', na(e.skipped), '', '', '', '', '']);
      continue;
    }
    rows.push([scale, e.graphs.join(', '), e.tierc_wall_s !== undefined ? `${fmt(e.tierc_wall_s)} s (CPU ${fmt(e.tierc_cpu_s)} s)` : na(e.tierc_error),
      e.torch_export_s !== undefined ? `${fmt(e.torch_export_s)} s (CPU ${fmt(e.torch_export_cpu_s)} s)` : na(e.torch_error), e.torch_wall_s !== undefined ? `${fmt(e.torch_wall_s)} s (import ${fmt(e.torch_import_s)}, build ${fmt(e.torch_build_s)})` : 'n/a',
      fmtRatio(e.speedup_vs_export), fmtRatio(e.speedup_cpu), fmtRatio(e.speedup_wall)]);
  }
  lines.push(table(['model', 'graphs', 'tierc command', 'torch.onnx.export', 'torch process', 'speed-up vs export (wall)', 'speed-up vs export (CPU)', 'speed-up, whole processes'], rows), '');
  lines.push('The target is judged on wall time. CPU time (user + system of the tierc process; `time.process_time()` around the export calls) is shown beside it because on a loaded machine it is the better estimate of the idle-machine wall time for these single-threaded compiles.', '');
  const phases = Object.entries(compile ?? {}).filter(([, e]) => e.tierc_phases_ms);
  if (phases.length > 0) {
    const startup = cli.startup ? ` \`tierc --version\` alone takes ${fmt(cli.startup.wall_s)} s (CPU ${fmt(cli.startup.cpu_s)} s): Node start-up and loading the CLI's modules.` : '';
    lines.push(`Where tierc's time goes: milliseconds of each phase inside one \`bench/tierc/compile.mjs\` process, which runs the library phases the command runs. The rest of the command is Node start-up and module loading.${startup}`, '');
    lines.push(table(['model', 'check', 'lower', 'initialize weights', 'ONNX encode + write'], phases.map(([scale, e]) => [scale, fmt(e.tierc_phases_ms.check), fmt(e.tierc_phases_ms.lower), fmt(e.tierc_phases_ms.init_weights), fmt(e.tierc_phases_ms.onnx_and_write)])), '');
  }
  return lines.join('\n');
}

function trainingSection({ training: t }) {
  if (!t?.tierc) return `## Training throughput\n\n${na(t?.error)}\n`;
  const lines = ['## Training throughput', ''];
  lines.push(`Small model (1,752,065 parameters on both sides), batch 32, AdamW (lr 5e-4, weight decay 0.2), λ = 0.1. Each run reports its median step time of ${t.plan.steps} steps after ${t.plan.warmup} warm-up steps for tierc and ${t.plan.torchSteps} after ${t.plan.torchWarmup} for PyTorch. Samples/s are medians over ${t.plan.rounds} round(s); each ratio is the median over rounds of the ratio between runs of the same round (per round: ${(t.ratio_rounds?.t1 ?? []).map((v) => fmtRatio(v)).join(', ') || 'n/a'} at 1 thread). `
    + `tierc trains ${t.tierc_source === 'spec' ? '`bench/specs/peer_small.tier`' : `its IR fixture of the same model (\`clipTierModule(PEER_SMALL)\`), because training the spec failed: ${t.spec_failure}`} on the ${t.tierc.on.backend ?? 'n/a'} backend.`, '');
  const t2 = t.tierc.t2 ?? { error: 'not run' };
  lines.push(table(['threads', 'tierc samples/s', 'PyTorch samples/s', 'tierc / PyTorch'], [
    ['1', fmt(t.tierc.on.samples_per_s), t.torch.t1.on.samples_per_s ? fmt(t.torch.t1.on.samples_per_s) : na(t.torch.t1.on.error ?? t.torch_error), fmtRatio(t.ratio_t1)],
    ['1, XNNPACK only (TIERC_NATIVE=0)', t.tierc.xnnpack?.samples_per_s ? fmt(t.tierc.xnnpack.samples_per_s) : na(t.tierc.xnnpack?.error), t.torch.t1.on.samples_per_s ? fmt(t.torch.t1.on.samples_per_s) : na(t.torch.t1.on.error ?? t.torch_error), fmtRatio(t.ratio_xnnpack)],
    ['2', t2.samples_per_s ? fmt(t2.samples_per_s) : na(t2.error), t.torch.t2.on.samples_per_s ? `${fmt(t.torch.t2.on.samples_per_s)} (OMP_WAIT_POLICY ${t.omp_wait_policy?.chosen ?? 'default'})` : na(t.torch.t2.on.error ?? t.torch_error), fmtRatio(t.ratio_t2)],
  ]), '');
  const native = (t.tierc_kernels ?? []).find((k) => k?.startsWith('native'));
  if (native) {
    lines.push(`tierc's matrix products, attention, layer norms, QuickGELU, element-wise arithmetic (Add, Sub, Multiply, RealDiv) and Adam update ran on its ${native} kernels (the C addon built at \`npm install\`, reading and writing the wasm heap in place); every other kernel ran on the single-threaded wasm build. The 2-thread rows give the addon's pool two threads (threads reported by the runs: ${(t.tierc_threads_used ?? []).join(', ') || 'n/a'}). Each product waits for its slowest thread, so on a machine whose second core is busy with other work two threads can be slower than one; the load averages above say how busy it was. Ratios per round at 2 threads: ${(t.ratio_rounds?.t2 ?? []).map((v) => fmtRatio(v)).join(', ') || 'n/a'}.`, '');
  } else {
    lines.push(`tierc's 2-thread rows use the wasm backend's threaded build (threads reported by the runs: ${(t.tierc_threads_used ?? []).join(', ') || 'n/a'}). Ratios per round at 2 threads: ${(t.ratio_rounds?.t2 ?? []).map((v) => fmtRatio(v)).join(', ') || 'n/a'}.`, '');
  }
  lines.push(`Without a C compiler at install (or with TIERC_NATIVE=0) the products run on XNNPACK's wasm kernels: ${t.tierc.xnnpack?.samples_per_s ? `${fmt(t.tierc.xnnpack.samples_per_s)} samples/s at 1 thread, ${fmtRatio(t.ratio_xnnpack)} PyTorch's` : na(t.tierc.xnnpack?.error)}. One step of this model is 16.0 GFLOP of matrix products (the scaling table). XNNPACK's wasm matmul reaches about 25 GFLOP/s on one thread at these shapes, with 128-bit vectors and no fused multiply-add, so the products alone take about 640 ms per step, the whole budget that 0.5× of PyTorch's speed allows. The addon's AVX2 kernels with fused multiply-add run the same products several times faster (\`node bench/native/gemm.mjs\` measures both).`, '');
  if (t.tierc_profile?.kernels || Array.isArray(t.torch_profile)) {
    lines.push('Profile: kernel time per step by kernel (tfjs, `tf.profile` over 3 steps including the first, divided by 3) and by operator (PyTorch 1 thread, `torch.autograd.profiler`, self CPU time per step). Under load both sides\' times are inflated alike; the shares are what matters.', '');
    const tk = (t.tierc_profile?.kernels ?? []).slice(0, 10);
    const pk = Array.isArray(t.torch_profile) ? t.torch_profile.slice(0, 10) : [];
    const rows = [];
    for (let i = 0; i < Math.max(tk.length, pk.length); i++) {
      rows.push([tk[i] ? `${tk[i].name} (${Math.round(tk[i].calls / 3)} calls)` : '', tk[i] ? fmt(tk[i].ms / 3) : '', pk[i] ? `${pk[i].name} (${Math.round(pk[i].calls / 5)} calls)` : '', pk[i] ? fmt(pk[i].ms) : '']);
    }
    lines.push(table(['tfjs kernel', 'ms / step', 'PyTorch operator', 'ms / step'], rows), '');
  }
  return lines.join('\n');
}

function regularizerSection({ training: t }) {
  if (!t?.regularizer_runs) return '';
  const row = (name, run) => {
    if (run === undefined) return [name, 'n/a', 'n/a', 'n/a'];
    if (run.error) return [name, na(run.error), '', ''];
    const overhead = `${run.overhead >= 0 ? '+' : ''}${(run.overhead * 100).toFixed(1)}%`;
    return [name, `${fmt(run.median_on_s * 1000)} ms`, `${fmt(run.median_off_s * 1000)} ms`, `${overhead} (${run.pairs.length} pairs)`];
  };
  return ['## Regularizer cost', '',
    'Step time with the two entropy terms at λ = 0.1 against the same model without them, measured in pairs inside one process so that drifting load falls on both. '
      + 'tierc (`bench/tierc/regularizer.mjs`) trains each model for two steps per pair and times the second; PyTorch (`train_bench.py --pair`) alternates single steps of two identical models. '
      + 'The extra time is the median over pairs of the ratio within each pair; the step times are medians over pairs. '
      + 'For tierc, λ = 0 is `peer_small_baseline` (both weights 0) with its zero-weight terms removed before compiling, which is also what the trainer does with terms weighted by the constant 0; for PyTorch, `--lam 0` skips the terms. '
      + 'The entropy terms only add work, so a negative value means their cost is below the step-to-step noise of this shared machine.', '',
    table(['engine', 'λ = 0.1', 'λ = 0', 'extra time'], [
      row('tierc (tfjs, 1 thread)', t.regularizer_runs.tierc),
      row('PyTorch, 1 thread', t.regularizer_runs.torch_t1),
      row('PyTorch, 2 threads', t.regularizer_runs.torch_t2),
    ]), ''].join('\n');
}

function inferenceSection({ inference: inf }) {
  if (!inf?.graphs) return `## ONNX inference\n\n${na(inf?.error)}\n`;
  const lines = ['## ONNX inference', ''];
  lines.push(`Both graphs run in onnxruntime-node with the same session options (intra-op threads as listed, 1 inter-op thread, sequential execution, all graph optimizations); runs alternate between the two graphs in one process. Median latency of ${inf.runs_per_round} runs after 5 warm-up runs, median over ${inf.rounds} round(s). Node counts are of the graphs as written, before onnxruntime's own fusions.${inf.torch_error ? ` torch side: ${na(inf.torch_error)}.` : ''}`, '');
  const rows = [];
  for (const [graph, e] of Object.entries(inf.graphs)) {
    rows.push([`**${graph}**`, `nodes ${e.tierc_nodes ?? 'n/a'}`, `nodes ${e.torch_nodes ?? 'n/a'}`, e.torch_nodes ? fmtRatio(e.tierc_nodes / e.torch_nodes) : 'n/a']);
    if (e.error) rows.push(['', na(e.error), '', '']);
    for (const [setting, c] of Object.entries(e.latency_ms ?? {})) {
      const [, batch, threads] = setting.match(/b(\d+)_t(\d+)/);
      rows.push([`batch ${batch}, ${threads} thread${threads === '1' ? '' : 's'}`, `${fmt(c.tierc)} ms`, c.torch !== undefined ? `${fmt(c.torch)} ms` : 'n/a', fmtRatio(c.ratio)]);
    }
  }
  lines.push(table(['graph / setting', 'tierc', 'torch.onnx.export', 'tierc / torch'], rows), '');
  const graph = inf.graphs.similarity_map;
  if (graph?.inputs) lines.push(`Inputs: tierc ${graph.inputs.tierc.join(', ')} (text_tower: ${inf.graphs.text_tower?.inputs?.tierc?.join(', ')}); torch ${graph.inputs.torch?.join(', ') ?? 'n/a'} (text_tower: ${inf.graphs.text_tower?.inputs?.torch?.join(', ') ?? 'n/a'}).`, '');
  const p = inf.profile_similarity_b32_t1;
  if (p) {
    lines.push('Profile of similarity_map at batch 32, 1 thread (onnxruntime profiler, milliseconds per run by operator after onnxruntime\'s fusions):', '');
    const tk = Object.entries(p.tierc ?? {}).slice(0, 8);
    const pk = Object.entries(p.torch ?? {}).slice(0, 8);
    const rows2 = [];
    for (let i = 0; i < Math.max(tk.length, pk.length); i++) rows2.push([tk[i]?.[0] ?? '', tk[i] ? fmt(tk[i][1]) : '', pk[i]?.[0] ?? '', pk[i] ? fmt(pk[i][1]) : '']);
    lines.push(table(['tierc operator', 'ms', 'torch operator', 'ms'], rows2), '');
  }
  return lines.join('\n');
}

function memorySection({ training: t, inference: inf }) {
  const rows = [];
  if (t?.tierc) rows.push(['training, small model, batch 32 (λ = 0.1)', mib(t.tierc.on.max_rss_mib), t.torch.t1.on.max_rss_mib ? `${mib(t.torch.t1.on.max_rss_mib)} (1 thread)` : 'n/a', t.torch.t1.on.max_rss_mib ? fmtRatio(t.tierc.on.max_rss_mib / t.torch.t1.on.max_rss_mib) : 'n/a']);
  const m = inf?.memory ?? {};
  if (m.tierc !== undefined) rows.push(['inference, similarity_map in onnxruntime-node, batch 32, 2 threads', mib(m.tierc), mib(m.torch), typeof m.torch === 'number' && typeof m.tierc === 'number' ? fmtRatio(m.tierc / m.torch) : 'n/a']);
  if (m.torch_eager !== undefined) rows.push(['inference, PyTorch eager (reference only), batch 32, 2 threads', '', mib(m.torch_eager), '']);
  return ['## Peak memory', '', 'Peak resident set size of the benchmark process: `process.resourceUsage().maxRSS` in the Node child, `resource.getrusage(RUSAGE_SELF).ru_maxrss` in Python. Training includes each runtime\'s start-up; the onnxruntime rows hold one session each.', '',
    table(['what', 'tierc', 'peer', 'tierc / peer'], rows), ''].join('\n');
}

function scalingSection({ scaling }) {
  if (!scaling?.rows) return `## Scaling\n\n${na(scaling?.error)}\n`;
  const rel = (v) => (v === undefined ? 'n/a' : v.toFixed(2));
  const rows = scaling.rows.map((r) => [r.name, r.params?.toLocaleString('en-US') ?? 'n/a', r.ir_nodes ?? 'n/a', fmt(r.gflop_per_step),
    r.tierc_compile_s !== undefined ? `${fmt(r.tierc_compile_s)} s (${rel(r.tierc_compile_per_param)})` : na(r.tierc_compile_error),
    r.torch_export_s !== undefined ? `${fmt(r.torch_export_s)} s (${rel(r.torch_export_per_param)})` : na(r.torch_export_error),
    r.tierc_step_s !== undefined ? `${fmt(r.tierc_step_s * 1000)} ms (${rel(r.tierc_step_per_flop)})` : na(r.tierc_train_error),
    r.torch_step_s !== undefined ? `${fmt(r.torch_step_s * 1000)} ms (${rel(r.torch_step_per_flop)})` : na(r.torch_train_error)]);
  return ['## Scaling', '',
    'One size changed at a time from the small model (depth 4, width 128 with MLP 4 × width, 64×64 images in 8×8 patches). Compile times are in-process (tierc: check + lower + initialize + ONNX, three graphs; torch: the three export calls). In brackets: time per parameter (compile) or per matmul FLOP (training step, the peer\'s analytic count) relative to the base row. A value near 1 means the time grows with the work; above 1 at the larger sizes would mean faster growth. Values above 1 at the smaller sizes are fixed costs. Training steps here are short runs (2 timed steps after 1 warm-up step for tierc, 5 after 2 for PyTorch, 1 thread) and vary more than the main table.', '',
    table(['variant', 'parameters', 'IR nodes', 'GFLOP / step', 'tierc compile', 'torch.onnx.export', 'tierc step', 'PyTorch step'], rows), ''].join('\n');
}

function differencesSection({ training, inference }) {
  const items = [
    'Both sides have the same parameters (1,752,065 small, 209,646,337 paper scale) and the same layers: pre-norm blocks with QuickGELU, CLS token, causal text mask, bias-free projections, cosine similarity without a temperature.',
    'End-of-text pooling: tierc\'s graphs and trainer take a `pool_index` input (the position of the end-of-text token, computed by the data pipeline) and pick the row with a one-hot matmul. PyTorch finds it in the graph with `argmax` over the token ids.',
    'tierc\'s ONNX graphs keep the token axis dynamic (at most 32); the torch export has a fixed token axis of 32 because its position table is added whole. Both are fed 32 tokens.',
    'tierc\'s trainer draws a fresh synthetic batch every step (inside the timed step; a few milliseconds); the PyTorch script reuses one batch.',
    'PyTorch uses its fused `log_softmax` for the entropy; tierc computes `softmax` and the entropy from it. Both mask padding the same way.',
    'The paper-scale model is the peer\'s PAPER configuration: a CLIP ViT-B/16 image tower and a 12-layer, 768-wide CLIP text tower. It is not `specs/tier_cxr.tier` (ResNet-50 and CXR-BERT, which need weight and vocabulary files) or `specs/tier_vit.tier` (a 512-wide BERT text tower), so that both sides compile one model.',
  ];
  if (training?.tierc_source === 'fixture') items.push(`tierc trained its IR fixture \`clipTierModule(PEER_SMALL)\` (same parameters and layers, with in-graph end-of-text pooling) because the spec's model failed to train: ${training.spec_failure}`);
  return ['## Differences between the two sides', '', ...items.map((i) => `- ${i}`), ''].join('\n');
}
