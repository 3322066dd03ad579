// The project's performance targets, each checked against the ratio measured in the run.
// A target without a measurement is 'not available' with the reason, never met.

/** Evaluates each target against the results: [{ id, target, measured, met, note }]. */
export function evaluateTargets(results) {
  const targets = [];
  const add = (id, target, measured, met, note) => targets.push({ id, target, measured, met, note });
  const { training, inference, compile } = results;

  for (const [threads, key] of [[1, 'ratio_t1'], [2, 'ratio_t2']]) {
    const ratio = training?.[key];
    const note = ratio === undefined ? reason(training?.torch_error ?? training?.tierc?.on?.error) : `tierc ${fmt((threads === 1 ? training.tierc.on : training.tierc.t2 ?? training.tierc.on).samples_per_s)} vs PyTorch ${fmt(threads === 1 ? training.torch.t1.on.samples_per_s : training.torch.t2.on.samples_per_s)} samples/s`;
    add(`training, ${threads} thread${threads > 1 ? 's' : ''}`, 'tierc ≥ 0.5× PyTorch samples/s', ratio, ratio === undefined ? undefined : ratio >= 0.5, note);
  }

  const overhead = training?.regularizer?.tierc;
  add('regularizer cost (tierc)', 'step time with λ = 0.1 ≤ 1.10× step time with λ = 0', overhead === undefined ? undefined : 1 + overhead,
    overhead === undefined ? undefined : overhead <= 0.1, overhead === undefined ? reason(training?.regularizer_runs?.tierc?.error ?? training?.error) : `PyTorch: ${fmtRatio(1 + (training.regularizer.torch_t1 ?? NaN))} at 1 thread`);

  const cells = [];
  const nodes = [];
  for (const [graph, entry] of Object.entries(inference?.graphs ?? {})) {
    for (const [setting, cell] of Object.entries(entry.latency_ms ?? {})) if (cell.ratio !== undefined) cells.push({ graph, setting, ratio: cell.ratio });
    if (entry.torch_nodes !== undefined && entry.tierc_nodes !== undefined) nodes.push({ graph, tierc: entry.tierc_nodes, torch: entry.torch_nodes });
  }
  if (cells.length > 0) {
    const worst = cells.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const met = cells.filter((c) => c.ratio <= 1).length;
    add('ONNX latency', 'tierc latency ≤ torch-exported graph latency in every setting', worst.ratio, met === cells.length,
      `${met} of ${cells.length} graph/batch/thread settings met; worst: ${worst.graph} ${worst.setting}`);
  } else add('ONNX latency', 'tierc latency ≤ torch-exported graph latency in every setting', undefined, undefined, reason(inference?.torch_error ?? inference?.error));
  if (nodes.length > 0) {
    const worst = nodes.reduce((a, b) => (b.tierc / b.torch > a.tierc / a.torch ? b : a));
    add('ONNX node count', 'tierc graphs have fewer nodes than the torch-exported graphs', worst.tierc / worst.torch, nodes.every((n) => n.tierc < n.torch),
      nodes.map((n) => `${n.graph} ${n.tierc} vs ${n.torch}`).join(', '));
  } else add('ONNX node count', 'tierc graphs have fewer nodes than the torch-exported graphs', undefined, undefined, reason(inference?.torch_error ?? inference?.error));

  for (const scale of ['small', 'paper']) {
    const entry = compile?.[scale];
    const speedup = entry?.speedup_vs_export;
    const note = speedup === undefined ? reason(entry?.skipped ?? entry?.torch_error ?? entry?.tierc_error)
      : `tierc ${fmt(entry.tierc_wall_s)} s (whole command) vs torch.onnx.export ${fmt(entry.torch_export_s)} s (export calls only); by CPU time ${fmtRatio(entry.speedup_cpu)}`;
    add(`compile, ${scale}`, 'tierc compile ≥ 10× faster than torch.onnx.export', speedup, speedup === undefined ? undefined : speedup >= 10, note);
  }
  return targets;
}

function reason(text) {
  return `not available: ${text ?? 'not measured'}`;
}

/** Formats a number with three significant digits (whole numbers from 100 up). */
export function fmt(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function fmtRatio(value) {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}
