// A run whose newest step folder lacks state.json (a copy or a write cut short) is not a
// checkpoint. `tierc train --resume` and the commands that take `--weights RUN` then use an older
// checkpoint, and each names the skipped folder and the checkpoint it uses in a TIER6022 warning.
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../src/data/index.js';
import { tempDir, tierc } from './cli-run.js';

describe('newest checkpoint without state.json', () => {
  let dir: string;
  const train = ['train', 'tiny.tier', '--batch', '4', '--backend', 'cpu', '--out', 'run'];
  const folder = (step: number) => join(dir, 'run', 'checkpoints', `step-${String(step).padStart(8, '0')}`);
  const warning = () => `warning TIER6022: The checkpoint folder '${folder(3)}' has no state.json`;

  beforeAll(async () => {
    dir = tempDir('skipped-checkpoint');
    await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    // Checkpoints every 2 steps and after the last: step-00000002 and step-00000003.
    const first = await tierc(dir, ...train, '--steps', '3');
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    renameSync(join(folder(3), 'state.json'), join(folder(3), 'state.json.moved'));
  }, 120_000);

  it('eval names the skipped folder', async () => {
    const result = await tierc(dir, 'eval', 'tiny.tier', '--weights', 'run', '--run', 'eval-out', '--backend', 'cpu');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(warning());
    expect(result.stderr).toContain("so the run's checkpoint is chosen among the older ones: 'step-00000002' (step 2)");
    expect(result.stderr).toContain("complete or delete 'step-00000003' to stop this warning");
    expect(result.stdout).toContain(`checkpoint ${folder(2)} (step 2, newest in its run)`);
  }, 120_000);

  it('verify names the skipped folder', async () => {
    const result = await tierc(dir, 'verify', 'tiny.tier', '--weights', 'run', '--backend', 'cpu');
    expect(result.stderr).toContain(warning());
    expect(result.stdout).toContain(`with ${folder(2)}`);
    expect(result.code).toBe(0);
  }, 120_000);

  it('compile names the skipped folder', async () => {
    const result = await tierc(dir, 'compile', 'tiny.tier', '--target', 'onnx', '--weights', 'run', '--graphs', 'image_tower', '-o', 'build');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(warning());
    expect(result.stderr).toContain("'step-00000002' (step 2)");
  }, 120_000);

  it('resume names the skipped folder and continues from the older one', async () => {
    const result = await tierc(dir, ...train, '--steps', '4', '--resume');
    expect(result.stderr).toContain(warning());
    expect(result.stderr).toContain("so --resume continues from the older checkpoint 'step-00000002' (step 2) instead");
    expect(result.code).toBe(0);
    // Resuming from step 2 drops the metrics rows after it, so steps 3 and 4 appear once.
    const steps = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: number; split?: string });
    expect(steps.filter((row) => row.split === undefined).map((row) => row.step)).toEqual([1, 2, 3, 4]);
    const state = JSON.parse(readFileSync(join(folder(4), 'state.json'), 'utf8')) as { step: number };
    expect(state.step).toBe(4);
  }, 120_000);

  it('resume without any readable state.json names the folders', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'checkpoints', 'step-00000001'), { recursive: true });
    writeFileSync(join(empty, 'checkpoints', 'step-00000001', 'state.json'), '{"step": 1,');
    const result = await tierc(dir, ...train.slice(0, -1), 'empty', '--steps', '2', '--resume');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error TIER6015: There is no checkpoint in '${join(empty, 'checkpoints')}' to resume from ('step-00000001' has an unreadable state.json (`);
  }, 120_000);

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
