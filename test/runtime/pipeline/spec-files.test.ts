// Files a spec names for training, seen from a working folder other than the spec's. A pretrained
// file that an encoder's `init:` names resolves against the spec's folder, and a missing one is
// TIER6020 naming the file. A missing vocabulary names its path.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startingWeights } from '../../../src/backends/tfjs/index.js';
import { run } from '../../../src/cli/run.js';
import { generatePhantom } from '../../../src/data/index.js';
import { loadSpecPlan } from '../../../src/pipeline/index.js';
import { encodeSafetensors } from '../../../src/runtime/safetensors.js';
import { captureIo } from '../../cli/capture.js';

let dir: string;

async function tierc(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIo(dir);
  const code = await run(argv, io);
  return { code, stderr: io.err.join('') };
}

beforeAll(async () => {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'test', '.tmp', 'spec-files-'));
  // The spec and its files live in spec/; the commands run in the folder above it.
  await generatePhantom({ outDir: join(dir, 'spec', 'phantom'), n: 24, size: 64, seed: 3 });
  const tiny = readFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), 'utf8');
  const withInit = tiny.replace('act: quick_gelu)', 'act: quick_gelu, init: "weights/vit.safetensors")');
  expect(withInit).not.toBe(tiny);
  writeFileSync(join(dir, 'spec', 'tiny.tier'), withInit);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spec files from another folder', () => {
  it('resolves init against the spec folder', () => {
    const plan = loadSpecPlan(join('spec', 'tiny.tier'), { cwd: dir });
    const pretrained = plan.model.module.params.filter((param) => param.pretrained !== undefined);
    expect(pretrained.length).toBeGreaterThan(0);
    const tensors = new Map(pretrained.map((param) => {
      const size = param.shape.reduce((a, b) => a * b, 1);
      return [param.pretrained!.tensor, { dtype: 'F32' as const, shape: param.shape, data: new Float32Array(size).fill(0.25) }];
    }));
    mkdirSync(join(dir, 'spec', 'weights'), { recursive: true });
    writeFileSync(join(dir, 'spec', 'weights', 'vit.safetensors'), encodeSafetensors(tensors));
    try {
      const weights = startingWeights(plan.model.module, 1, {}, dir);
      for (const param of pretrained) expect(Array.from(new Set(weights.get(param.name)!)), param.name).toEqual([0.25]);
    } finally {
      rmSync(join(dir, 'spec', 'weights'), { recursive: true, force: true });
    }
  });

  it('train names a missing init file', async () => {
    const result = await tierc('train', join('spec', 'tiny.tier'), '--steps', '1', '--batch', '4', '--backend', 'cpu', '--out', 'run-init');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error TIER6020: The pretrained weights file '${join(dir, 'spec', 'weights', 'vit.safetensors')}' that 'init:' names does not exist`);
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('train names a missing vocabulary', async () => {
    copyFileSync(join(dir, 'spec', 'tiny.tier'), join(dir, 'spec', 'novocab.tier'));
    writeFileSync(join(dir, 'spec', 'novocab.tier'), readFileSync(join(dir, 'spec', 'tiny.tier'), 'utf8')
      .replace(', init: "weights/vit.safetensors"', '')
      .replace('text: tokenizer "phantom/vocab.txt"', 'text: tokenizer "missing/vocab.txt"'));
    const result = await tierc('train', join('spec', 'novocab.tier'), '--steps', '1', '--batch', '4', '--backend', 'cpu', '--out', 'run-vocab');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'spec', 'missing', 'vocab.txt')}: The vocabulary file does not exist.`);
  });
});
