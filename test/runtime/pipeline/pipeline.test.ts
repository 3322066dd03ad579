// The whole pipeline on a freshly generated 48-image phantom and a one-layer model: train three
// steps on the spec's data, evaluate the checkpoint, check the ONNX graphs against the tfjs
// forward pass, and build the HTML report. It checks that every artifact exists and that the
// numbers are finite and in their ranges.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import { generatePhantom } from '../../../src/data/index.js';
import { evaluateSpec, loadSpecPlan, patchWasmOneHot, trainSpec, verifySpec, type SpecPlan } from '../../../src/pipeline/index.js';
import { writeReport } from '../../../src/report/index.js';
import { selectBackend } from '../../../src/runtime/index.js';

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

function captureIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), cwd, env: {}, isTTY: false }, out, err };
}

describe('spec pipeline on a tiny phantom', () => {
  let dir: string;
  let plan: SpecPlan;
  const runDir = () => join(dir, 'runs', 'tiny');

  beforeAll(async () => {
    dir = tempDir('pipeline');
    await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    plan = loadSpecPlan('tiny.tier', { cwd: dir });
  });

  it('trains on the spec data and writes the run folder', async () => {
    const result = await trainSpec(plan, { cwd: dir, workers: 0 });
    expect(result.steps).toBe(3);
    expect(result.batch).toBe(8);
    const lines = readFileSync(join(runDir(), 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    expect(lines.map((line) => line.step)).toEqual([1, 2, 3]);
    for (const line of lines) {
      expect(Number.isFinite(line.loss)).toBe(true);
      expect(Number.isFinite(line['loss/clip'])).toBe(true);
      expect(Number.isFinite(line['loss/words'])).toBe(true);
    }
    const settings = JSON.parse(readFileSync(join(runDir(), 'settings.json'), 'utf8')) as { spec: { name: string }; steps: number; batch: number };
    expect(settings.spec.name).toBe('tiny');
    expect(settings.steps).toBe(3);
    expect(settings.batch).toBe(8);
    // Every 2 steps and after the last: steps 2 and 3, both kept by 'keep last 2'.
    expect(existsSync(join(runDir(), 'checkpoints', 'step-00000002', 'model.safetensors'))).toBe(true);
    expect(result.checkpoint).toBe(join(runDir(), 'checkpoints', 'step-00000003'));
  });

  it('evaluates the checkpoint and writes the eval files', async () => {
    const result = await evaluateSpec(plan, { cwd: dir, weights: [runDir()] });
    expect(result.eval).toBe('tiny_test');
    // The run kept the last 2 checkpoints, so the run folder means its newest one.
    expect(result.checkpointsUsed).toEqual([{ path: join(runDir(), 'checkpoints', 'step-00000003'), step: 3, choice: 'newest' }]);
    expect(result.images).toBeGreaterThan(0);
    expect(result.table.rows.map((row) => row.label)).toEqual(['Cardiomegaly', 'Pleural Effusion', 'Consolidation', 'Nodule', 'Pneumothorax']);
    for (const row of result.table.rows) if (row.auroc !== null) expect(row.auroc).toBeGreaterThanOrEqual(0), expect(row.auroc).toBeLessThanOrEqual(1);
    const entropy = result.entropy.cosine!;
    expect(entropy.uniform).toBeCloseTo(Math.log(16), 10);
    expect(entropy.mean).toBeGreaterThan(0);
    expect(entropy.mean).toBeLessThanOrEqual(Math.log(16) + 1e-6);
    // At temperature 1 cosines keep the entropy near uniform; the model's sim / 0.1 may go lower.
    expect(result.entropy.model!.mean).toBeLessThanOrEqual(entropy.mean + 1e-6);
    for (const file of ['eval.json', 'heatmaps.json', 'similarity.json', 'eval-summary.json']) expect(existsSync(join(runDir(), file))).toBe(true);
    for (const entry of result.localization) {
      expect(entry.images).toBeGreaterThan(0);
      expect(entry.pointingGame).toBeGreaterThanOrEqual(0);
      expect(entry.pointingGame).toBeLessThanOrEqual(1);
    }
  });

  it('matches the ONNX graphs to the tfjs forward pass', async () => {
    const result = await verifySpec(plan, { cwd: dir, weights: runDir(), exportDir: join(runDir(), 'onnx') });
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.comparisons.map((c) => `${c.graph}/${c.output}`).sort()).toEqual([
      'image_tower/image_embedding', 'image_tower/patch_embeddings', 'similarity_map/similarity',
      'text_tower/text_embedding', 'text_tower/token_embeddings', 'zeroshot/scores',
    ]);
    for (const c of result.comparisons) expect(c.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(existsSync(join(runDir(), 'onnx', 'zeroshot.onnx'))).toBe(true);
  });

  it('runs the exported zero-shot graph with the spec preprocessing', async () => {
    // The graph's metadata carries resize, crop and normalize, so `tierc run` scores an image as evaluation does.
    const ranIo = captureIo(dir);
    const image = join('phantom', 'images', '00001.png');
    expect(await run(['run', join('runs', 'tiny', 'onnx', 'zeroshot.onnx'), '--image', image, '--json'], ranIo.io)).toBe(0);
    const printed = ranIo.out.join('');
    expect(printed).toContain('Cardiomegaly');
    const onnxDump = captureIo(dir);
    expect(await run(['dump', join('runs', 'tiny', 'onnx', 'image_tower.onnx')], onnxDump.io)).toBe(0);
    expect(onnxDump.out.join('')).toContain('tierc.preprocess');
  });

  it('builds the HTML report from the run folder', async () => {
    const built = await writeReport(runDir(), join(runDir(), 'report.html'));
    expect(built.sections).toContain('Zero-shot AUROC');
    expect(existsSync(join(runDir(), 'report.html'))).toBe(true);
  });

  it('runs eval SPEC and verify through the CLI', async () => {
    const evalIo = captureIo(dir);
    expect(await run(['eval', 'tiny.tier', '--weights', 'runs/tiny', '--json', '--run', 'runs/elsewhere'], evalIo.io)).toBe(0);
    expect(existsSync(join(dir, 'runs', 'elsewhere', 'eval.json'))).toBe(true);
    const summary = JSON.parse(evalIo.out.join('')) as { eval: string; meanAuroc: number | null; checkpointsUsed: Array<{ step: number; choice: string }> };
    expect(summary.eval).toBe('tiny_test');
    expect(summary.checkpointsUsed.map((used) => [used.step, used.choice])).toEqual([[3, 'newest']]);
    const verifyIo = captureIo(dir);
    expect(await run(['verify', 'tiny.tier', '--weights', 'runs/tiny/checkpoints/step-00000003'], verifyIo.io)).toBe(0);
    expect(verifyIo.out.join('')).toContain('zeroshot');
  });

  it('checks the spec data through the CLI', async () => {
    const checked = captureIo(dir);
    expect(await run(['data', 'check', 'tiny.tier'], checked.io)).toBe(0);
    expect(checked.out.join('')).toContain('48 rows, 48 usable');
    expect(checked.out.join('')).toContain('The dataset is ready for training.');
    const usage = captureIo(dir);
    expect(await run(['data', 'check'], usage.io)).toBe(2);
    expect(usage.err.join('')).toContain('pass a spec, or the options --manifest, --root, --image-column, --text-column');
  });

  it('rejects missing weights with exit code 1', async () => {
    const { io, err } = captureIo(dir);
    expect(await run(['eval', 'tiny.tier', '--weights', 'runs/none'], io)).toBe(1);
    expect(err.join('')).toContain("The weights 'runs/none' do not exist");
  });
});

describe('wasm OneHot fix', () => {
  it('returns float ones on wasm', async () => {
    await patchWasmOneHot();
    const report = await selectBackend({ force: 'wasm' });
    expect(report.chosen).toBe('wasm');
    const hot = tf.oneHot(tf.tensor1d([1, 2, 0], 'int32'), 3, 1, 0, 'float32');
    expect(Array.from(await hot.data())).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    hot.dispose();
  });
});
