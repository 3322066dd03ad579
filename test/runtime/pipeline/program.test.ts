// The emitted training program against `tierc train` on specs/phantom_small.tier with a freshly
// generated phantom: both must give the same per-step losses and the same evaluation rows,
// because train.js hands the setup printed into it to the runtime entry `tierc train` uses. Also
// checks --help, --data and the errors for missing data and a resume into another spec's run.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import { generatePhantom } from '../../../src/data/index.js';

const execFileAsync = promisify(execFile);
const cli = join(process.cwd(), 'dist', 'cli', 'main.js');

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

/** Runs a Node script in `cwd`; returns its exit code and output without throwing. */
async function node(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function rows(runDir: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function compileTo(dir: string, spec: string, out: string): Promise<void> {
  const err: string[] = [];
  const io = { stdout: () => undefined, stderr: (text: string) => void err.push(text), cwd: dir, env: {}, isTTY: false };
  const code = await run(['compile', spec, '--target', 'tfjs', '-o', out], io);
  expect(err.join(''), 'compile stderr').toBe('');
  expect(code).toBe(0);
}

describe('emitted training program', () => {
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('program');
    // 100 images give about 70 training rows, two batches of the spec's 32.
    await generatePhantom({ outDir: join(dir, 'data', 'phantom'), n: 100, size: 64, seed: 5 });
    copyFileSync(join(process.cwd(), 'specs', 'phantom_small.tier'), join(dir, 'phantom_small.tier'));
    await compileTo(dir, 'phantom_small.tier', 'build');
  }, 120_000);

  it('matches tierc train step by step', async () => {
    const program = await node(dir, [join('build', 'phantom_small', 'train.js'), '--steps', '5', '--seed', '1', '--out', 'runs/program']);
    expect(program.stderr).toBe('');
    expect(program.code).toBe(0);
    const trained = await node(dir, [cli, 'train', 'phantom_small.tier', '--steps', '5', '--seed', '1', '--out', 'runs/cli']);
    expect(trained.code).toBe(0);

    const lines = program.stdout.trim().split('\n').map((line) => JSON.parse(line) as { step: number; loss?: number; evaluation?: Record<string, number> });
    const printed = lines.filter((line) => line.evaluation === undefined);
    const fromProgram = rows(join(dir, 'runs', 'program'));
    const fromCli = rows(join(dir, 'runs', 'cli'));
    const steps = (list: Record<string, unknown>[]) => list.filter((row) => row.split === undefined);
    expect(printed.map((row) => row.step)).toEqual([1, 2, 3, 4, 5]);
    expect(steps(fromCli).map((row) => row.loss)).toEqual(printed.map((row) => row.loss));
    for (const name of ['loss/clip', 'loss/words', 'loss/regions']) {
      expect(steps(fromProgram).map((row) => row[name]), name).toEqual(steps(fromCli).map((row) => row[name]));
    }

    // About 70 training rows make 2 batches per epoch, so 'every 1 epoch' checkpoints after steps
    // 2, 4 and 5 (the last), and 'keep best 1 by eval.phantom_validate.mean_auroc' evaluates the
    // validation split at each of them.
    const evalRows = (list: Record<string, unknown>[]) => list.filter((row) => row.split !== undefined);
    expect(evalRows(fromProgram)).toEqual(evalRows(fromCli));
    const evaluations = evalRows(fromCli);
    expect(evaluations.map((row) => row.step)).toEqual([2, 4, 5]);
    for (const row of evaluations) {
      expect(row).toMatchObject({ split: 'validate', eval: 'phantom_validate' });
      expect(Number.isFinite(row.loss)).toBe(true);
      expect(row.mean_auroc).toBeGreaterThanOrEqual(0);
      expect(row.mean_auroc).toBeLessThanOrEqual(1);
    }
    // The best checkpoint by AUROC (the earliest among ties) and the newest one stay.
    const best = evaluations.reduce((a, b) => ((b.mean_auroc as number) > (a.mean_auroc as number) ? b : a));
    const kept = [...new Set([best.step as number, 5])].sort().map((step) => `step-${String(step).padStart(8, '0')}`);
    expect(readdirSync(join(dir, 'runs', 'program', 'checkpoints'))).toEqual(kept);
    const state = JSON.parse(readFileSync(join(dir, 'runs', 'program', 'checkpoints', 'step-00000005', 'state.json'), 'utf8')) as { metrics: Record<string, number> };
    expect(state.metrics['eval.phantom_validate.mean_auroc']).toBe(evaluations[2]!.mean_auroc);
    // The program prints each evaluation's metrics on stdout too.
    const printedEvaluations = lines.filter((line) => line.evaluation !== undefined);
    expect(printedEvaluations.map((line) => line.step)).toEqual([2, 4, 5]);
    expect(printedEvaluations[2]!.evaluation!['eval.phantom_validate.loss']).toBe(evaluations[2]!.loss);
  }, 300_000);

  it('prints its options with --help', async () => {
    const help = await node(dir, [join('build', 'phantom_small', 'train.js'), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: node train.js [options]');
    expect(help.stdout).toContain(`of data 'phantom' in '${join(dir, 'data', 'phantom')}'`);
    for (const option of ['--steps N', '--batch N', '--seed N', '--out DIR', '--resume', '--backend NAME', '--data DIR', '--help']) expect(help.stdout).toContain(option);
  });

  it('rejects an unknown option with exit code 2', async () => {
    const result = await node(dir, [join('build', 'phantom_small', 'train.js'), '--step', '5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: Unknown option '--step'; run with --help for the options.\n");
  });

  it('names missing data and the --data option', async () => {
    const result = await node(dir, [join('build', 'phantom_small', 'train.js'), '--steps', '1', '--data', 'nowhere', '--out', 'runs/nowhere']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error TIER8007');
    expect(result.stderr).toContain(`The manifest '${join(dir, 'nowhere', 'manifest.csv')}' of data 'phantom' does not exist`);
    expect(result.stderr).toContain(`laid out like '${join(dir, 'data', 'phantom')}'`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads moved data with --data', async () => {
    renameSync(join(dir, 'data', 'phantom'), join(dir, 'moved'));
    try {
      const missing = await node(dir, [join('build', 'phantom_small', 'train.js'), '--steps', '1', '--out', 'runs/gone']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`The manifest '${join(dir, 'data', 'phantom', 'manifest.csv')}' of data 'phantom' does not exist`);
      expect(missing.stderr).toContain('pass --data DIR');
      const moved = await node(dir, [join('build', 'phantom_small', 'train.js'), '--steps', '1', '--batch', '8', '--data', 'moved', '--out', 'runs/moved']);
      expect(moved.stderr).toBe('');
      expect(moved.code).toBe(0);
      expect(rows(join(dir, 'runs', 'moved')).filter((row) => row.split === undefined).map((row) => row.step)).toEqual([1]);
    } finally {
      renameSync(join(dir, 'moved'), join(dir, 'data', 'phantom'));
    }
  }, 120_000);

  it('rejects resuming a run of another spec', async () => {
    const runDir = join(dir, 'runs', 'program');
    const before = readFileSync(join(runDir, 'checkpoints', 'step-00000005', 'model.safetensors'));
    writeFileSync(join(dir, 'changed.tier'), readFileSync(join(dir, 'phantom_small.tier'), 'utf8').replace('model phantom_small(lambda_words: 0.1,', 'model phantom_small(lambda_words: 0.2,'));
    await compileTo(dir, 'changed.tier', 'changed');
    const result = await node(dir, [join('changed', 'phantom_small', 'train.js'), '--steps', '6', '--resume', '--out', 'runs/program']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error TIER6005');
    expect(result.stderr).toContain("weight 0.1 for loss 'words', and this spec gives it 0.2");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(runDir, 'checkpoints', 'step-00000005', 'model.safetensors')).equals(before)).toBe(true);
    expect(rows(runDir).filter((row) => row.split === undefined).map((row) => row.step)).toEqual([1, 2, 3, 4, 5]);
  }, 120_000);
});
