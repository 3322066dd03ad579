// `npm run demo`: the whole TIER pipeline on the synthetic chest radiograph phantom, on the CPU.
// It generates the phantom if it is missing or was written by another generator version. It
// trains three models with the same seed, batch and steps: specs/phantom_small.tier (entropy
// weights 0.1, similarity temperature 0.1), specs/phantom_t1.tier (weights 0.1 at temperature 1,
// as the published loss) and specs/phantom_baseline.tier (weights 0). It evaluates each on the
// test split at its final checkpoint (the last training step), because the comparison keeps the
// seed and budget fixed. It writes one HTML report comparing them, exports phantom_small to ONNX,
// checks it against onnxruntime and prints a summary table. Everything goes under
// runs/phantom_demo/, so the demo never deletes the runs/<model> folders that `tierc train` uses. The data are synthetic: the numbers show that the pipeline works and how the
// regularizer moves the entropy, not anything about real x-rays.
//
// Environment: TIERC_DEMO_STEPS (default 200) and TIERC_DEMO_BATCH (default 16) set the training
// budget of each model; TIERC_DEMO_BACKEND forces a tfjs backend. Invalid values stop the demo
// with exit code 2 before it deletes or trains anything.
import { existsSync, mkdirSync, readFileSync, rmSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
if (!existsSync(path.join(dist, 'pipeline', 'index.js'))) {
  process.stderr.write('demo: the compiled library is missing; run `npm run build` first.\n');
  process.exit(1);
}
const { BACKEND_ORDER, isBackendName } = await import(path.join(dist, 'runtime', 'backend.js'));
const settingsProblems = [];
const steps = wholeNumberSetting('TIERC_DEMO_STEPS', 200);
const batch = wholeNumberSetting('TIERC_DEMO_BATCH', 16);
const backend = process.env.TIERC_DEMO_BACKEND || undefined;
if (backend !== undefined && !isBackendName(backend)) {
  settingsProblems.push(`TIERC_DEMO_BACKEND is '${backend}', which is not a backend name; use one of ${backendNames()}, or leave it unset to choose automatically.`);
}
if (settingsProblems.length > 0) {
  for (const problem of settingsProblems) process.stderr.write(`demo: ${problem}\n`);
  process.exit(2);
}
const { generatePhantom, loadMask, phantomVersion } = await import(path.join(dist, 'data', 'index.js'));
const pipeline = await import(path.join(dist, 'pipeline', 'index.js'));
const report = await import(path.join(dist, 'report', 'index.js'));
const { renderDiagnostics } = await import(path.join(dist, 'diagnostics', 'index.js'));

const phantomDir = path.join(root, 'specs', 'data', 'phantom');
const phantomOptions = { n: 600, size: 128, seed: 1 };
// Run folders of the demo's own models, apart from the runs/<model> folders of `tierc train`.
const demoDir = path.join(root, 'runs', 'phantom_demo');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (text) => process.stderr.write(`[demo ${elapsed()}] ${text}\n`);

try {
  await main();
} catch (error) {
  if (error?.diagnostics) process.stderr.write(renderDiagnostics(error.diagnostics, { sources: (file) => error.sources?.get(file) }));
  else if (error?.diagnostic) process.stderr.write(renderDiagnostics([error.diagnostic], {}));
  else if (error?.issue) process.stderr.write(`demo: ${error.message}\n`);
  else throw error;
  process.exitCode = 1;
}

async function main() {
  const stale = phantomProblem();
  if (stale !== undefined) {
    log(`generating the synthetic phantom in ${path.relative(root, phantomDir)} (${stale})`);
    const summary = await generatePhantom({ ...phantomOptions, outDir: phantomDir, force: true });
    log(`phantom: ${summary.images} images`);
  } else {
    log(`using the phantom in ${path.relative(root, phantomDir)}`);
  }

  // `temperature` is the similarity temperature each spec sets (phantom_baseline keeps
  // phantom_small's 0.1); the report's entropy table shows it.
  const models = [
    { spec: 'specs/phantom_small.tier', label: 'TIER (λ = 0.1, T = 0.1)', temperature: 0.1 },
    { spec: 'specs/phantom_t1.tier', label: 'TIER (λ = 0.1, T = 1)', temperature: 1 },
    { spec: 'specs/phantom_baseline.tier', label: 'baseline (λ = 0)', temperature: 0.1 },
  ];
  for (const model of models) {
    model.plan = pipeline.loadSpecPlan(model.spec, { cwd: root });
    model.outDir = path.join(demoDir, model.plan.model.name);
    // The demo owns the folders under runs/phantom_demo/: a fresh run never resumes an older one.
    rmSync(model.outDir, { recursive: true, force: true });
    log(`training ${model.plan.model.name} for ${steps} steps of ${batch}`);
    let lastPrint = 0;
    model.train = await pipeline.trainSpec(model.plan, { cwd: root, outDir: model.outDir, steps, batch, ...(backend ? { backend } : {}), settings: { data: { name: 'chest radiograph phantom', synthetic: true, description: '600 synthetic 128×128 images, seed 1' } } }, {
      onStep(m) {
        if (m.step === steps || performance.now() - lastPrint > 30000) {
          lastPrint = performance.now();
          log(`  step ${m.step}/${steps} loss ${m.loss.toFixed(4)} (${Object.entries(m.terms).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')})`);
        }
      },
    });
    log(`  trained in ${model.train.seconds.toFixed(0)} s on ${model.train.backend}`);
  }
  // Every model is scored at its last step. A run folder alone would resolve to the checkpoint
  // with the best validation AUROC, which can be an earlier step for each model.
  for (const model of models) {
    model.final = finalCheckpoint(model);
    log(`evaluating ${model.plan.model.name} on the test split (${model.final.description})`);
    model.eval = await pipeline.evaluateSpec(model.plan, { cwd: root, weights: [model.final.path], eval: 'phantom_test', outDir: model.outDir, name: model.label, ...(backend ? { backend } : {}) });
  }

  const [regularized] = models;
  const compareDir = path.join(demoDir, 'comparison');
  rmSync(compareDir, { recursive: true, force: true });
  mkdirSync(compareDir, { recursive: true });
  writeComparison(compareDir, models);
  const reportFile = path.join(demoDir, 'report.html');
  log('writing the HTML report');
  const built = await report.writeReport(compareDir, reportFile, { title: 'tierc demo: TIER vs baseline on the synthetic phantom' });

  log('exporting ONNX and checking it against onnxruntime-node');
  const verified = await pipeline.verifySpec(regularized.plan, { cwd: root, weights: regularized.final.path, exportDir: path.join(regularized.outDir, 'onnx'), ...(backend ? { backend } : {}) });

  const chance = await pointingChance(regularized.plan, regularized.plan.evals.find((config) => config.name === 'phantom_test')?.data.split ?? 'test');
  printSummary(models, verified, reportFile, built, chance);
  if (!verified.ok) process.exitCode = 1;
}

/** Reads a whole-number environment setting of at least 1, recording a problem when it is invalid. */
function wholeNumberSetting(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) {
    settingsProblems.push(`${name} is '${text}', which is not a whole number of at least 1; set it to a value such as ${fallback}, or leave it unset for ${fallback}.`);
    return fallback;
  }
  return Number(text);
}

function backendNames() {
  return BACKEND_ORDER.map((name) => `'${name}'`).join(', ');
}

/** Returns the checkpoint folder of a model's last training step; throws when training wrote none there. */
function finalCheckpoint(model) {
  const folder = model.train.checkpoint;
  const state = folder === undefined ? undefined : JSON.parse(readFileSync(path.join(folder, 'state.json'), 'utf8'));
  if (state?.step !== steps) {
    throw Object.assign(new Error(`training ${model.plan.model.name} wrote no checkpoint at its last step ${steps} in '${path.relative(root, model.outDir)}'.`), { issue: true });
  }
  return { path: folder, step: steps, description: `final checkpoint, step ${steps}` };
}

/**
 * Returns the pointing-game hit rate of a heatmap whose hottest patch is random. For each label
 * that is the mean share of the image inside the mask, over the images of the split that have
 * one, and the labels are averaged as the evaluation averages the pointing game.
 */
async function pointingChance(plan, split) {
  const dataset = pipeline.openSpecDataset(plan, 'evaluate');
  const rows = dataset.rows(split);
  const perLabel = [];
  for (const label of dataset.manifest.labelNames) {
    const shares = [];
    for (const row of rows) {
      const file = row.masks?.[label];
      if (!file) continue;
      const mask = await loadMask(file, plan.preprocess.image);
      const inside = mask.data.reduce((sum, value) => sum + value, 0);
      if (inside > 0) shares.push(inside / mask.data.length);
    }
    if (shares.length > 0) perLabel.push(shares.reduce((a, b) => a + b, 0) / shares.length);
  }
  return perLabel.length > 0 ? perLabel.reduce((a, b) => a + b, 0) / perLabel.length : undefined;
}

/** Returns why the phantom must be (re)generated, or undefined when the one on disk is current. */
function phantomProblem() {
  if (!existsSync(path.join(phantomDir, 'manifest.csv'))) return 'it is missing';
  const stampFile = path.join(phantomDir, 'phantom.json');
  if (!existsSync(stampFile)) return 'it has no phantom.json, so an older generator wrote it';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return 'its phantom.json is not valid JSON';
  }
  if (stamp.version !== phantomVersion) return `generator version ${stamp.version} wrote it; the current one is ${phantomVersion}`;
  if (stamp.images !== phantomOptions.n || stamp.size !== phantomOptions.size || stamp.seed !== phantomOptions.seed) return 'it was written with other options';
  return undefined;
}

/**
 * Writes a run folder that compares the models: the first model's training curves and heatmaps,
 * and every model's AUROC table and similarity set.
 */
function writeComparison(dir, models) {
  const [regularized] = models;
  const settings = JSON.parse(readFileSync(path.join(regularized.outDir, 'settings.json'), 'utf8'));
  report.writeSettings(dir, { ...settings, spec: { ...settings.spec, name: models.map((model) => model.plan.model.name).join(' vs ') }, compared: models.map((model) => model.label), checkpoint: `final checkpoint of each model, step ${steps}`, 'training curves and heatmaps of': regularized.label });
  cpSync(path.join(regularized.outDir, 'metrics.jsonl'), path.join(dir, 'metrics.jsonl'));
  const heatmaps = JSON.parse(readFileSync(path.join(regularized.outDir, 'heatmaps.json'), 'utf8'));
  writeFileSync(path.join(dir, 'heatmaps.json'), `${JSON.stringify({ ...heatmaps, model: regularized.label })}\n`);
  cpSync(path.join(regularized.outDir, 'heatmaps'), path.join(dir, 'heatmaps'), { recursive: true });
  report.writeEvaluation(dir, models.map((model) => ({ name: model.label, table: model.eval.table })));
  const similarity = models.map((model) => {
    const file = path.join(model.outDir, 'similarity.json');
    const body = JSON.parse(readFileSync(file, 'utf8'));
    const entry = body.models[0];
    const loaded = { name: model.label, temperature: model.temperature, similarity: report.readTensor(model.outDir, entry.similarity, file, 'similarity') };
    if (entry.tokenSimilarity) loaded.tokenSimilarity = report.readTensor(model.outDir, entry.tokenSimilarity, file, 'tokenSimilarity');
    if (entry.tokenCounts) loaded.tokenCounts = entry.tokenCounts;
    return loaded;
  });
  report.writeSimilarityInputs(dir, 'pooled', similarity);
}

/**
 * Computes the lowest entropy of softmax(cos / temperature) over n patches, reached with k cosines
 * at +1 and the rest at -1; `peaks` fixes k, otherwise the best k is searched.
 */
function lowestEntropy(n, temperature, peaks) {
  const entropyWith = (k) => {
    const high = Math.exp(2 / temperature);
    const total = k * high + (n - k);
    const p = high / total;
    const q = 1 / total;
    return -(k * p * Math.log(p) + (n - k) * q * Math.log(q));
  };
  if (peaks !== undefined) return { entropy: entropyWith(peaks), peaks };
  let best = { entropy: Infinity, peaks: 1 };
  for (let k = 1; k < n; k++) {
    const entropy = entropyWith(k);
    if (entropy < best.entropy) best = { entropy, peaks: k };
  }
  return best;
}

function printSummary(models, verified, reportFile, built, chance) {
  const fmt = (value, digits = 3) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
  const header = ['model', 'mean AUROC', 'pointing game', 'mask hit rate', 'entropy (T = 0.1)', 'entropy (T = 1)', 'train time'];
  const lowTemperatureEntropy = (m) => (m.plan.model.name === 'phantom_t1' ? undefined : m.eval.entropy.model?.mean);
  const rows = models.map((m) => [
    m.label,
    fmt(m.eval.meanAuroc),
    fmt(m.eval.meanPointingGame),
    fmt(m.eval.meanHitRate),
    fmt(lowTemperatureEntropy(m), 4),
    fmt(m.eval.entropy.cosine?.mean, 4),
    `${m.train.seconds.toFixed(0)} s`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');

  const [reg, t1, base] = models;
  const out = [];
  out.push('', `tierc demo on the synthetic phantom (test split, ${reg.eval.images} images; ${reg.final.description} of each model; ${steps} steps of batch ${batch} per model on tfjs-${reg.train.backend}; data are synthetic)`, '');
  out.push(line(header), ...rows.map(line), '');

  out.push(`AUROC 0.5 is chance; a pointing game that picks a random patch would score ${fmt(chance)} (the mean share of the image inside the masks).`);
  const uniform = reg.eval.entropy.model?.uniform;
  const patches = Math.round(Math.exp(uniform ?? 0));
  out.push(`Entropy is of each report token's softmax over the ${patches} patches (uniform = ${fmt(uniform, 4)} nats), on cosines divided by T; lower means sharper token-to-patch attention.`);
  const diff = (a, b) => fmt((a ?? NaN) - (b ?? NaN), 4);
  out.push(`TIER at T = 0.1 minus baseline: entropy ${diff(lowTemperatureEntropy(reg), lowTemperatureEntropy(base))} at T = 0.1; AUROC ${fmt(reg.eval.meanAuroc - base.eval.meanAuroc)}; pointing game ${fmt((reg.eval.meanPointingGame ?? NaN) - (base.eval.meanPointingGame ?? NaN))}.`);
  out.push(`TIER at T = 1 minus baseline: entropy ${diff(t1.eval.entropy.cosine?.mean, base.eval.entropy.cosine?.mean)} at T = 1; AUROC ${fmt(t1.eval.meanAuroc - base.eval.meanAuroc)}; pointing game ${fmt((t1.eval.meanPointingGame ?? NaN) - (base.eval.meanPointingGame ?? NaN))}.`);
  const single = lowestEntropy(patches, 1, 1);
  const floor = lowestEntropy(patches, 1);
  out.push(`At T = 1 a cosine in [-1, 1] keeps the entropy over ${patches} patches within ${fmt(floor.entropy, 3)}..${fmt(Math.log(patches), 3)} nats (${fmt(single.entropy, 3)} with one patch at +1 and the rest at -1, ${fmt(floor.entropy, 3)} with ${floor.peaks} at +1), so the regularizer at T = 1 can barely move it.`);
  out.push(`At T = 0.1 the range is ${fmt(lowestEntropy(patches, 0.1).entropy, 3)}..${fmt(Math.log(patches), 3)} nats.`);

  const worst = verified.comparisons.reduce((max, c) => Math.max(max, c.maxAbsDiff), 0);
  out.push(`ONNX check of ${reg.plan.model.name}: ${verified.comparisons.length} outputs of ${new Set(verified.comparisons.map((c) => c.graph)).size} graphs, max abs diff ${worst.toExponential(2)} (tolerance ${verified.tolerance}): ${verified.ok ? 'ok' : 'FAILED'}; graphs in ${path.relative(root, path.join(reg.outDir, 'onnx'))}`);
  out.push(`Report: ${path.relative(root, reportFile)} (${built.sections.join(', ')})`);
  out.push(`Total time ${elapsed()}.`, '');
  process.stdout.write(out.join('\n') + '\n');
}
