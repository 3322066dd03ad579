// Training throughput, the regularizer's cost and training memory: tierc's tfjs trainer
// (bench/tierc/train.mjs) against the PyTorch peer (bench/peer/train_bench.py) on the same
// small model, batch 32, AdamW, λ = 0.1, at 1 and 2 threads. Runs of the two sides alternate
// within each round, so load from other processes falls on both. A step time is the median
// over rounds of each run's median step time after warm-up. A ratio is the median over
// rounds of the ratio within each round. The regularizer's cost is measured in pairs of
// steps with and without the entropy terms inside one process on each side.
import { runChild } from '../lib/proc.mjs';
import { PYTHON, peerEnv } from '../lib/peer.mjs';
import { median } from '../lib/util.mjs';

const SPEC = 'bench/specs/peer_small.tier';

/** Returns the arguments of bench/tierc/train.mjs for λ on or off, by spec or by tierc's IR fixture. */
export function tiercModelArgs(source, lambdaOn) {
  if (source === 'spec') return lambdaOn ? ['--spec', SPEC, '--model', 'peer_small'] : ['--spec', SPEC, '--model', 'peer_small_baseline', '--drop-zero-losses'];
  return lambdaOn ? ['--fixture'] : ['--fixture', '--clip-only'];
}

/**
 * Trains with bench/tierc/train.mjs on the wasm backend with the given number of threads
 * (default 1); `extraEnv` adds variables, such as TIERC_NATIVE=0 for XNNPACK's products.
 */
export function tiercTrain(args, steps, warmup, timeoutS = 900, threads = 1, extraEnv = {}) {
  const env = { TIERC_WASM_THREADS: String(threads), ...extraEnv };
  return runChild('node', ['bench/tierc/train.mjs', ...args, '--wasm-threads', String(threads), '--steps', String(steps), '--warmup', String(warmup)], { timeoutS, env });
}

export function torchTrain(threads, args, steps, warmup, env = {}) {
  return runChild(PYTHON, ['bench/peer/train_bench.py', '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup), ...args], { env: peerEnv(env), timeoutS: 900 });
}

/** Chooses what tierc trains: the spec when its model trains, else tierc's IR fixture of the same model. */
function chooseSource(ctx, plan) {
  const probe = tiercTrain(tiercModelArgs('spec', true), 1, 1);
  if (probe.ok && probe.json) return { source: 'spec', failure: undefined };
  ctx.log(`  training ${SPEC} failed (${probe.error}); using tierc's IR fixture of the same model`);
  return { source: 'fixture', failure: probe.error ?? 'no output' };
}

export function benchTraining(ctx) {
  const plan = ctx.quick ? { rounds: 1, steps: 4, warmup: 2, torchSteps: 10, torchWarmup: 2, pairs: 4 } : { rounds: 3, steps: 6, warmup: 2, torchSteps: 12, torchWarmup: 2, pairs: 10 };
  const { source, failure } = chooseSource(ctx, plan);
  const out = { plan, tierc_source: source, spec_failure: failure, runs: [] };

  let waitPolicy = {};
  if (ctx.peer.available) {
    // OpenMP's default spin-waiting can lose to passive waiting on a busy 2-core machine, so the peer gets the faster policy.
    const active = torchTrain(2, [], 6, 2);
    const passive = torchTrain(2, [], 6, 2, { OMP_WAIT_POLICY: 'PASSIVE' });
    const activeS = active.json?.median_step_s ?? Infinity;
    const passiveS = passive.json?.median_step_s ?? Infinity;
    waitPolicy = passiveS < activeS ? { OMP_WAIT_POLICY: 'PASSIVE' } : {};
    out.omp_wait_policy = { default_step_s: activeS, passive_step_s: passiveS, chosen: passiveS < activeS ? 'PASSIVE' : 'default' };
  }

  for (let round = 0; round < plan.rounds; round++) {
    ctx.log(`training round ${round + 1}/${plan.rounds}`);
    const jobs = [
      () => out.runs.push(record('tierc', 1, true, round, tiercTrain(tiercModelArgs(source, true), plan.steps, plan.warmup))),
      () => out.runs.push(record('tierc', 2, true, round, tiercTrain(tiercModelArgs(source, true), plan.steps, plan.warmup, 900, 2))),
      // What a machine without a C compiler gets: every product on XNNPACK's wasm kernels.
      () => out.runs.push(record('tierc-xnnpack', 1, true, round, tiercTrain(tiercModelArgs(source, true), plan.steps, plan.warmup, 900, 1, { TIERC_NATIVE: '0' }))),
    ];
    if (ctx.peer.available) {
      jobs.push(() => out.runs.push(record('torch', 1, true, round, torchTrain(1, [], plan.torchSteps, plan.torchWarmup))));
      jobs.push(() => out.runs.push(record('torch', 2, true, round, torchTrain(2, [], plan.torchSteps, plan.torchWarmup, waitPolicy))));
    }
    // Odd rounds reverse the order, so a drift in load does not favour one side.
    for (const job of round % 2 === 0 ? jobs : [...jobs].reverse()) job();
  }

  ctx.log('training: regularizer cost in pairs of steps');
  out.regularizer_runs = {};
  const pairArgs = source === 'spec'
    ? ['--spec', SPEC, '--model', 'peer_small', '--baseline', 'peer_small_baseline']
    : undefined;
  if (pairArgs) {
    const run = runChild('node', ['bench/tierc/regularizer.mjs', ...pairArgs, '--pairs', String(plan.pairs)], { timeoutS: 900, env: { TIERC_WASM_THREADS: '1' } });
    out.regularizer_runs.tierc = run.ok ? run.json : { error: run.error };
  } else out.regularizer_runs.tierc = { error: `the spec's models do not train (${failure}), so the pair of λ = 0.1 and λ = 0 models is not available` };
  if (ctx.peer.available) {
    for (const threads of [1, 2]) {
      const run = torchTrain(threads, ['--pair'], plan.torchSteps, plan.torchWarmup, threads === 2 ? waitPolicy : {});
      out.regularizer_runs[`torch_t${threads}`] = run.ok ? run.json : { error: run.error };
    }
  }

  if (!ctx.quick) {
    ctx.log('training: profiles');
    const profiled = tiercTrain([...tiercModelArgs(source, true), '--profile'], 2, 1);
    out.tierc_profile = profiled.ok ? { kernels: profiled.json?.profile?.slice(0, 15), steps: 3 } : { error: profiled.error };
    if (ctx.peer.available) {
      const torchProfile = torchTrain(1, ['--profile'], 5, 2);
      out.torch_profile = torchProfile.ok ? torchProfile.json?.profile_ms_per_step : { error: torchProfile.error };
    }
  }
  return summarize(out, ctx);
}

function record(engine, threads, lambdaOn, round, run) {
  const json = run.json ?? {};
  return {
    engine, threads, lambda: lambdaOn ? 0.1 : 0, round, ok: run.ok && run.json !== undefined, error: run.error,
    median_step_s: json.median_step_s, samples_per_s: json.samples_per_s, params: json.params, backend: json.backend,
    wasm_simd: json.wasm_simd, wasm_threads: json.wasm_threads, matmul_kernels: json.matmul_kernels, native_threads: json.native_threads, max_rss_mib: json.max_rss_mib, wall_s: run.wallS, cpu_s: run.cpuS, final_loss: json.final_loss,
  };
}

function summarize(out, ctx) {
  const pick = (engine, threads, lambda) => out.runs.filter((r) => r.ok && r.engine === engine && r.threads === threads && r.lambda === lambda);
  const batch = 32;
  const cell = (engine, threads, lambda) => {
    const runs = pick(engine, threads, lambda);
    const failed = out.runs.find((r) => !r.ok && r.engine === engine && r.threads === threads && r.lambda === lambda);
    if (runs.length === 0) return { error: failed?.error ?? 'not run' };
    const step = median(runs.map((r) => r.median_step_s));
    return { step_s: step, samples_per_s: batch / step, runs: runs.length, max_rss_mib: median(runs.map((r) => r.max_rss_mib)), params: runs[0].params, backend: runs[0].backend };
  };
  out.tierc = { on: cell('tierc', 1, 0.1), t2: cell('tierc', 2, 0.1), xnnpack: cell('tierc-xnnpack', 1, 0.1) };
  out.tierc_kernels = [...new Set(pick('tierc', 1, 0.1).map((r) => r.matmul_kernels))];
  out.torch = { t1: { on: cell('torch', 1, 0.1) }, t2: { on: cell('torch', 2, 0.1) } };
  // Ratios pair runs of the same round, which ran minutes apart at most, and take the median over rounds.
  const paired = (a, b) => {
    const values = [];
    for (let round = 0; round < out.plan.rounds; round++) {
      const x = out.runs.find((r) => r.ok && r.round === round && r.engine === a.engine && r.threads === a.threads);
      const y = out.runs.find((r) => r.ok && r.round === round && r.engine === b.engine && r.threads === b.threads);
      if (x && y) values.push(y.median_step_s / x.median_step_s);
    }
    return values.length > 0 ? { median: median(values), rounds: values } : undefined;
  };
  const t1 = paired({ engine: 'tierc', threads: 1 }, { engine: 'torch', threads: 1 });
  const t2 = paired({ engine: 'tierc', threads: 2 }, { engine: 'torch', threads: 2 });
  const xnnpack = paired({ engine: 'tierc-xnnpack', threads: 1 }, { engine: 'torch', threads: 1 });
  out.ratio_xnnpack = xnnpack?.median;
  out.ratio_t1 = t1?.median;
  out.ratio_t2 = t2?.median;
  out.ratio_rounds = { t1: t1?.rounds, t2: t2?.rounds };
  out.tierc_threads_used = [...new Set(pick('tierc', 2, 0.1).map((r) => r.native_threads ?? r.wasm_threads))];
  out.regularizer = Object.fromEntries(Object.entries(out.regularizer_runs).map(([k, v]) => [k, v.overhead]));
  if (!ctx.peer.available) out.torch_error = `peer not available: ${ctx.peer.reason}`;
  return out;
}
