// Tests an encoder's `init:` file in an emitted train.js. The program loads the file that `tierc
// train` loads, resolved against the spec's folder at compile time, so it runs from any working
// folder. It gives the same first-step loss and reports missing and mis-shaped tensors with the
// same diagnostics. A run without the file starts from other weights and another loss.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../src/data/index.js';
import { initializeParams } from '../../../src/ir/init.js';
import type { IrModule } from '../../../src/ir/types.js';
import { loadSpecPlan } from '../../../src/pipeline/index.js';
import { encodeSafetensors, type SafeTensor } from '../../../src/runtime/safetensors.js';
import { tempDir, tierc } from './cli-run.js';

const FLAGS = ['--steps', '1', '--batch', '4', '--backend', 'cpu'];

async function node(cwd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stderr: failed.stderr ?? '' };
  }
}

function firstLoss(runDir: string): number {
  const first = JSON.parse(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as { step: number; loss: number };
  expect(first.step).toBe(1);
  return first.loss;
}

/** Extracts the code and message of each rendered diagnostic, without the file position before them. */
function diagnosticLines(stderr: string): string[] {
  return stderr.split('\n').map((line) => /((?:error|warning) TIER\d{4}: .*)$/.exec(line)?.[1]).filter((line): line is string => line !== undefined);
}

describe('init files in the emitted program', () => {
  let dir: string;
  let tensors: Map<string, SafeTensor>;
  const weightsFile = () => join(dir, 'specs', 'weights', 'vit.safetensors');

  beforeAll(async () => {
    dir = tempDir('program-init');
    mkdirSync(join(dir, 'specs', 'weights'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    await generatePhantom({ outDir: join(dir, 'specs', 'phantom'), n: 48, size: 64, seed: 3 });
    const spec = readFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), 'utf8');
    const withInit = spec.replace('heads: 2, act: quick_gelu)', 'heads: 2, act: quick_gelu, init: "weights/vit.safetensors")');
    expect(withInit).not.toBe(spec);
    writeFileSync(join(dir, 'specs', 'tiny.tier'), withInit);
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'specs', 'plain.tier'));

    // The image encoder's weights from another seed, under their names inside the encoder.
    const plan = loadSpecPlan(join('specs', 'tiny.tier'), { cwd: dir });
    const params = plan.model.module.params.filter((param) => param.pretrained !== undefined);
    expect(params.length).toBeGreaterThan(4);
    const values = initializeParams({ params } as IrModule, 99);
    tensors = new Map(params.map((param) => [param.pretrained!.tensor, { dtype: 'F32', shape: param.shape, data: values.get(param.name)! }]));
    writeFileSync(weightsFile(), encodeSafetensors(tensors));

    const compiled = await tierc(dir, 'compile', join('specs', 'tiny.tier'), '--target', 'tfjs', '-o', 'build');
    expect(compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
  }, 120_000);

  it('records the resolved file in train.js', () => {
    const program = readFileSync(join(dir, 'build', 'tiny', 'train.js'), 'utf8');
    const literal = /const INIT_FILES = (\{[^;]*\});/.exec(program)?.[1];
    expect(literal).toBeDefined();
    expect(JSON.parse(literal!.replace(/,(\s*\})/g, '$1'))).toEqual({ [join('specs', 'tiny.tier')]: { 'weights/vit.safetensors': weightsFile() } });
    expect(program).toContain('initFiles: INIT_FILES');
  });

  it('gives the first-step loss of tierc train', async () => {
    const cli = await tierc(dir, 'train', join('specs', 'tiny.tier'), ...FLAGS, '--out', join('runs', 'cli'));
    expect(cli.stderr).not.toContain('error');
    expect(cli.code).toBe(0);
    // Run from another folder: the init file must not resolve against the working folder.
    const program = await node(join(dir, 'elsewhere'), [join(dir, 'build', 'tiny', 'train.js'), ...FLAGS, '--out', join('..', 'runs', 'program')]);
    expect(program.stderr).toBe('');
    expect(program.code).toBe(0);
    const plain = await tierc(dir, 'train', join('specs', 'plain.tier'), ...FLAGS, '--out', join('runs', 'plain'));
    expect(plain.code).toBe(0);

    const loss = firstLoss(join(dir, 'runs', 'cli'));
    expect(Number.isFinite(loss)).toBe(true);
    expect(firstLoss(join(dir, 'runs', 'program'))).toBe(loss);
    expect(firstLoss(join(dir, 'runs', 'plain'))).not.toBe(loss);
  }, 180_000);

  it('reports missing and mis-shaped tensors as tierc train does', async () => {
    const broken = new Map(tensors);
    const [missing, misshaped] = [...broken.keys()].filter((name) => broken.get(name)!.shape.length === 2);
    broken.delete(missing!);
    const wrong = broken.get(misshaped!)!;
    broken.set(misshaped!, { dtype: 'F32', shape: [wrong.shape[1]!, wrong.shape[0]!], data: wrong.data });
    expect(wrong.shape[0]).not.toBe(wrong.shape[1]);
    writeFileSync(weightsFile(), encodeSafetensors(broken));
    try {
      const cli = await tierc(dir, 'train', join('specs', 'tiny.tier'), ...FLAGS, '--out', join('runs', 'broken-cli'));
      const program = await node(join(dir, 'elsewhere'), [join(dir, 'build', 'tiny', 'train.js'), ...FLAGS, '--out', join('..', 'runs', 'broken-program')]);
      expect(cli.code).toBe(1);
      expect(program.code).toBe(1);
      const lines = diagnosticLines(cli.stderr);
      expect(lines.some((line) => line.startsWith(`error TIER6007: The weights file '${weightsFile()}' has no tensor '${missing}'`))).toBe(true);
      expect(lines.some((line) => line.startsWith(`error TIER6009: Tensor '${misshaped}' in '${weightsFile()}' has shape [${wrong.shape[1]}, ${wrong.shape[0]}]`))).toBe(true);
      expect(diagnosticLines(program.stderr)).toEqual(lines);
      expect(program.stderr).not.toMatch(/\n\s+at /);
    } finally {
      writeFileSync(weightsFile(), encodeSafetensors(tensors));
    }
  }, 120_000);

  it('loads the file for a spec without data, as tierc train does', async () => {
    // Without a data block both train on the same synthetic batches.
    const small = readFileSync(join(process.cwd(), 'test', 'fixtures', 'specs', 'small-clip.tier'), 'utf8');
    writeFileSync(join(dir, 'specs', 'synthetic.tier'), small.replace('heads: 2)\n  text encoder', 'heads: 2, init: "weights/small-vit.safetensors")\n  text encoder'));
    writeFileSync(join(dir, 'specs', 'synthetic-plain.tier'), small);
    const plan = loadSpecPlan(join('specs', 'synthetic.tier'), { cwd: dir });
    const params = plan.model.module.params.filter((param) => param.pretrained !== undefined);
    expect(params.length).toBeGreaterThan(4);
    const values = initializeParams({ params } as IrModule, 99);
    writeFileSync(join(dir, 'specs', 'weights', 'small-vit.safetensors'), encodeSafetensors(new Map(params.map((param) => [param.pretrained!.tensor, { dtype: 'F32', shape: param.shape, data: values.get(param.name)! }]))));
    expect((await tierc(dir, 'compile', join('specs', 'synthetic.tier'), '--target', 'tfjs', '-o', 'build')).code).toBe(0);

    const cli = await tierc(dir, 'train', join('specs', 'synthetic.tier'), '--steps', '1', '--backend', 'cpu', '--out', join('runs', 'synthetic-cli'));
    expect(cli.stderr).not.toContain('error');
    expect(cli.code).toBe(0);
    const program = await node(join(dir, 'elsewhere'), [join(dir, 'build', 'm', 'train.js'), '--steps', '1', '--backend', 'cpu', '--out', join('..', 'runs', 'synthetic-program')]);
    expect(program.stderr).toBe('');
    expect(program.code).toBe(0);
    expect((await tierc(dir, 'train', join('specs', 'synthetic-plain.tier'), '--steps', '1', '--backend', 'cpu', '--out', join('runs', 'synthetic-plain'))).code).toBe(0);

    const loss = firstLoss(join(dir, 'runs', 'synthetic-cli'));
    expect(firstLoss(join(dir, 'runs', 'synthetic-program'))).toBe(loss);
    expect(firstLoss(join(dir, 'runs', 'synthetic-plain'))).not.toBe(loss);
  }, 120_000);

  it('cleans up', () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
