// `tierc train --resume` on a run whose newest checkpoint lacks a file or has a truncated
// optimizer file. The error is a catalogued diagnostic that names the checkpoint folder, the
// file and what to do, never the raw ENOENT text. Reading weights for eval needs no optimizer file.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import { generatePhantom } from '../../../src/data/index.js';
import { loadSpecPlan, loadWeights } from '../../../src/pipeline/index.js';
import { specHash } from '../../../src/backends/tfjs/index.js';
import { captureIo } from '../../cli/capture.js';

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

async function tierc(cwd: string, ...argv: string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, stderr: io.err.join('') };
}

describe('resuming from a damaged checkpoint', () => {
  let dir: string;
  const train = ['train', 'tiny.tier', '--steps', '3', '--batch', '4', '--backend', 'cpu', '--out', 'run'];
  const newest = () => join(dir, 'run', 'checkpoints', 'step-00000003');

  beforeAll(async () => {
    dir = tempDir('resume-files');
    await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    // Checkpoints every 2 steps and after the last: step-00000002 and step-00000003.
    const first = await tierc(dir, ...train);
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
  });

  it('names a missing optimizer file', async () => {
    const optimizer = join(newest(), 'optimizer.safetensors');
    renameSync(optimizer, `${optimizer}.moved`);
    try {
      const result = await tierc(dir, ...train, '--resume');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('TIER6019');
      expect(result.stderr).toContain(`The checkpoint folder '${newest()}' has no 'optimizer.safetensors', which resuming needs`);
      expect(result.stderr).toContain("so that --resume continues from 'step-00000002'");
      expect(result.stderr).toContain('train without --resume into a new run folder (--out)');
      expect(result.stderr).not.toContain('ENOENT');
    } finally {
      renameSync(`${optimizer}.moved`, optimizer);
    }
  });

  it('names a missing model file', async () => {
    const model = join(newest(), 'model.safetensors');
    renameSync(model, `${model}.moved`);
    try {
      const result = await tierc(dir, ...train, '--resume');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('TIER6019');
      expect(result.stderr).toContain("has no 'model.safetensors', which resuming needs");
      expect(result.stderr).not.toContain('ENOENT');
    } finally {
      renameSync(`${model}.moved`, model);
    }
  });

  it('names a truncated optimizer file', async () => {
    const optimizer = join(newest(), 'optimizer.safetensors');
    const bytes = readFileSync(optimizer);
    writeFileSync(optimizer, bytes.subarray(0, Math.floor(bytes.length / 2)));
    try {
      const result = await tierc(dir, ...train, '--resume');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('TIER6006');
      expect(result.stderr).toContain(`'${join(newest(), 'optimizer.safetensors')}' is not a valid safetensors file`);
      expect(result.stderr).toContain('truncated file?');
      expect(result.stderr).toContain("so that --resume continues from 'step-00000002'");
    } finally {
      writeFileSync(optimizer, bytes);
    }
  });

  it('names an optimizer file of another model', async () => {
    const optimizer = join(newest(), 'optimizer.safetensors');
    const bytes = readFileSync(optimizer);
    copyFileSync(join(newest(), 'model.safetensors'), optimizer);
    try {
      const result = await tierc(dir, ...train, '--resume');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('TIER6006');
      expect(result.stderr).toContain("does not fit this model's optimizer (The optimizer state has no slot");
      expect(result.stderr).toContain("so that --resume continues from 'step-00000002'");
    } finally {
      writeFileSync(optimizer, bytes);
    }
  });

  it('suggests a new run without an older checkpoint', async () => {
    const single = join(dir, 'single');
    mkdirSync(join(single, 'checkpoints'), { recursive: true });
    for (const name of ['settings.json', 'metrics.jsonl']) copyFileSync(join(dir, 'run', name), join(single, name));
    const copy = join(single, 'checkpoints', 'step-00000003');
    mkdirSync(copy);
    for (const name of ['model.safetensors', 'state.json']) copyFileSync(join(newest(), name), join(copy, name));
    const result = await tierc(dir, ...train.slice(0, -1), 'single', '--resume');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("has no 'optimizer.safetensors'");
    expect(result.stderr).toContain(`train without --resume into a new run folder (--out), or delete '${join(single, 'checkpoints')}' to start this run over`);
  });

  it('reads weights without the optimizer file', () => {
    const plan = loadSpecPlan('tiny.tier', { cwd: dir });
    const optimizer = join(newest(), 'optimizer.safetensors');
    renameSync(optimizer, `${optimizer}.moved`);
    try {
      const loaded = loadWeights(join('run', 'checkpoints', 'step-00000003'), dir, specHash(plan.model.module));
      expect(loaded.step).toBe(3);
      expect(loaded.weights.size).toBeGreaterThan(0);
    } finally {
      renameSync(`${optimizer}.moved`, optimizer);
    }
  });

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
