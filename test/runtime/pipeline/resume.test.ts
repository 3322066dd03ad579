// Resuming a spec-driven training run: a checkpoint from another batch size or another spec is
// rejected before anything in the run folder changes, and metrics.jsonl rows written after the
// newest checkpoint (by a run that stopped between checkpoints) are dropped before new rows go in.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../src/data/index.js';
import { loadSpecPlan, PipelineError, trainSpec, type SpecPlan } from '../../../src/pipeline/index.js';
import { TrainingError } from '../../../src/runtime/errors.js';

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

function metricSteps(runDir: string): number[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { step: number }).step);
}

function settingsBatch(runDir: string): number {
  return (JSON.parse(readFileSync(join(runDir, 'settings.json'), 'utf8')) as { batch: number }).batch;
}

/** Returns the diagnostic code and message of a rejected training call. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PipelineError) return { code: error.diagnostics[0]!.code, message: error.diagnostics[0]!.message };
    if (error instanceof TrainingError) return { code: error.diagnostic.code, message: error.diagnostic.message };
    throw error;
  }
  throw new Error('training was expected to fail');
}

describe('resuming a spec training run', () => {
  let dir: string;
  let plan: SpecPlan;

  beforeAll(async () => {
    dir = tempDir('resume');
    await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    plan = loadSpecPlan('tiny.tier', { cwd: dir });
  });

  it('rejects a different batch size', async () => {
    const runDir = join(dir, 'runs', 'batch');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 2, batch: 4 });
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 3, batch: 8, resume: true }));
    expect(code).toBe('TIER6017');
    expect(message).toContain(join(runDir, 'checkpoints', 'step-00000002'));
    expect(message).toContain('batch size 4');
    expect(message).toContain('--batch 4');
    expect(settingsBatch(runDir)).toBe(4);
    expect(metricSteps(runDir)).toEqual([1, 2]);
  });

  it('resumes with the same batch size', async () => {
    const runDir = join(dir, 'runs', 'same');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 2, batch: 4 });
    const result = await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 3, batch: 4, resume: true });
    expect(result.checkpoint).toBe(join(runDir, 'checkpoints', 'step-00000003'));
    expect(metricSteps(runDir)).toEqual([1, 2, 3]);
  });

  it('rejects a changed loss weight', async () => {
    const runDir = join(dir, 'runs', 'weight');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 2 });
    writeFileSync(join(dir, 'changed.tier'), readFileSync(join(dir, 'tiny.tier'), 'utf8').replace('model tiny(lambda_words: 0.1)', 'model tiny(lambda_words: 0.3)'));
    const changed = loadSpecPlan('changed.tier', { cwd: dir });
    const { code, message } = await rejection(trainSpec(changed, { cwd: dir, outDir: runDir, workers: 0, steps: 3, resume: true }));
    expect(code).toBe('TIER6005');
    expect(message).toContain(join(runDir, 'checkpoints', 'step-00000002'));
    expect(message).toContain("'words'");
    expect(message).toContain('0.1');
    expect(message).toContain('0.3');
    expect(message).toContain('--out');
    expect(metricSteps(runDir)).toEqual([1, 2]);
  });

  it('rejects a changed loss weight by the spec hash alone', async () => {
    const runDir = join(dir, 'runs', 'weight-hash');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 2 });
    // Without settings.json only the checkpoint's spec hash records the old weight.
    rmSync(join(runDir, 'settings.json'));
    writeFileSync(join(dir, 'changed-hash.tier'), readFileSync(join(dir, 'tiny.tier'), 'utf8').replace('model tiny(lambda_words: 0.1)', 'model tiny(lambda_words: 0.3)'));
    const changed = loadSpecPlan('changed-hash.tier', { cwd: dir });
    const { code, message } = await rejection(trainSpec(changed, { cwd: dir, outDir: runDir, workers: 0, steps: 3, resume: true }));
    expect(code).toBe('TIER6005');
    expect(message).toContain(join(runDir, 'checkpoints', 'step-00000002'));
    expect(message).toContain('was written for a different model, loss weights or temperatures');
    expect(message).toContain('--out');
    expect(metricSteps(runDir)).toEqual([1, 2]);
  });

  it('rejects a changed model width', async () => {
    const runDir = join(dir, 'runs', 'width');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 2 });
    writeFileSync(join(dir, 'wide.tier'), readFileSync(join(dir, 'tiny.tier'), 'utf8').replace('head image_proj = linear(32 -> 16)', 'head image_proj = linear(32 -> 24)').replace('head text_proj  = linear(32 -> 16)', 'head text_proj  = linear(32 -> 24)'));
    const wide = loadSpecPlan('wide.tier', { cwd: dir });
    const { code, message } = await rejection(trainSpec(wide, { cwd: dir, outDir: runDir, workers: 0, steps: 3, resume: true }));
    expect(code).toBe('TIER6005');
    expect(message).toContain(join(runDir, 'checkpoints', 'step-00000002'));
    expect(message).toContain('--out');
    expect(metricSteps(runDir)).toEqual([1, 2]);
  });

  it('drops metrics rows after the checkpoint', async () => {
    const runDir = join(dir, 'runs', 'metrics');
    // Checkpoints at steps 2 and 3; removing step 3 leaves metrics.jsonl one row past the newest checkpoint.
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 3 });
    rmSync(join(runDir, 'checkpoints', 'step-00000003'), { recursive: true });
    expect(metricSteps(runDir)).toEqual([1, 2, 3]);
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, steps: 4, resume: true });
    expect(metricSteps(runDir)).toEqual([1, 2, 3, 4]);
    expect(existsSync(join(runDir, 'metrics.jsonl.tmp'))).toBe(false);
  });
});
