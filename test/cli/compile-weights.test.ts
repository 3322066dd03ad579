// `tierc compile --target onnx --weights PATH` where PATH names no weights: an empty folder or a
// missing path gets the same TIER8002 message as `tierc eval` and `tierc verify`, exit code 1,
// and no output folder.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tierc-compile-weights-'));
  mkdirSync(join(dir, 'phantom'));
  writeFileSync(join(dir, 'phantom', 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the'].join('\n') + '\n');
  copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
  mkdirSync(join(dir, 'empty'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tierc(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIo(dir);
  const code = await run(argv, io);
  return { code, stderr: io.err.join('') };
}

/** Returns the first diagnostic line of a command's stderr. */
function firstError(stderr: string): string {
  return stderr.split('\n').find((line) => line.includes('error TIER')) ?? '';
}

describe('compile --weights without weights', () => {
  it('empty folder matches eval and verify', async () => {
    const compiled = await tierc('compile', 'tiny.tier', '--target', 'onnx', '--weights', 'empty', '-o', 'out');
    expect(compiled.code).toBe(1);
    expect(firstError(compiled.stderr)).toBe("error TIER8002: The folder 'empty' contains no checkpoint (step-NNNNNNNN/ with state.json); train first or pass a checkpoint folder.");
    expect(compiled.stderr).not.toContain('ENOENT');
    expect(existsSync(join(dir, 'out'))).toBe(false);

    const evaluated = await tierc('eval', 'tiny.tier', '--weights', 'empty');
    expect(evaluated.code).toBe(1);
    expect(firstError(evaluated.stderr)).toBe(firstError(compiled.stderr));
    const verified = await tierc('verify', 'tiny.tier', '--weights', 'empty', '--export', 'exported');
    expect(verified.code).toBe(1);
    expect(firstError(verified.stderr)).toBe(firstError(compiled.stderr));
  });

  it('missing path matches eval', async () => {
    const compiled = await tierc('compile', 'tiny.tier', '--target', 'onnx', '--weights', 'nowhere', '-o', 'out');
    expect(compiled.code).toBe(1);
    expect(firstError(compiled.stderr)).toBe("error TIER8002: The weights 'nowhere' do not exist; pass a checkpoint folder, a run folder or a .safetensors file.");
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const evaluated = await tierc('eval', 'tiny.tier', '--weights', 'nowhere');
    expect(firstError(evaluated.stderr)).toBe(firstError(compiled.stderr));
  });

  it('names a checkpoint folder without model.safetensors', async () => {
    mkdirSync(join(dir, 'step-00000001'));
    writeFileSync(join(dir, 'step-00000001', 'state.json'), '{"step": 1}\n');
    const compiled = await tierc('compile', 'tiny.tier', '--target', 'onnx', '--weights', 'step-00000001', '-o', 'out');
    expect(compiled.code).toBe(1);
    expect(firstError(compiled.stderr)).toContain(`error TIER4013: The checkpoint folder '${join(dir, 'step-00000001')}' has no 'model.safetensors'`);
    expect(compiled.stderr).not.toContain('ENOENT');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
