// Where `tierc compile` writes: DIR/<model>/, a package.json and a note for a tfjs program that
// cannot import 'tierc/runtime' where it lies, and clear errors for output folders that cannot be made.
import { existsSync, mkdirSync, statSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder, outputFolderProblem } from '../../src/cli/output-folder.js';
import { run } from '../../src/cli/run.js';
import { tiercResolvesFrom } from '../../src/cli/tfjs-package.js';
import { captureIo } from './capture.js';

const root = resolve(import.meta.dirname, '../..');
const outside = mkdtempSync(join(tmpdir(), 'tierc-compile-out-'));
mkdirSync(join(root, 'test', '.tmp'), { recursive: true });
const inside = mkdtempSync(join(root, 'test', '.tmp', 'compile-out-'));
afterAll(() => {
  rmSync(outside, { recursive: true, force: true });
  rmSync(inside, { recursive: true, force: true });
});

const spec = join(root, 'specs', 'phantom_small.tier');

describe('compile tfjs outside the package', () => {
  it('writes a package.json and a note', async () => {
    const io = captureIo(outside);
    expect(await run(['compile', spec, '--target', 'tfjs', '-o', 'build'], io)).toBe(0);
    const folder = join(outside, 'build', 'phantom_small');
    expect(io.out.join('')).toBe(['model.js', 'train.js', 'package.json'].map((file) => `wrote ${join(folder, file)}\n`).join(''));

    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { type: string; dependencies: Record<string, string> };
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies).toEqual({ tierc: `file:${root}` });

    const note = io.err.join('');
    expect(note).toContain(`${join(folder, 'train.js')} imports 'tierc/runtime', which does not resolve from '${folder}'.`);
    expect(note).toContain("Run 'npm install' in that folder first");
  });

  it('keeps an existing package.json', async () => {
    const folder = join(outside, 'kept', 'phantom_small');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'package.json'), '{"private": true}\n');
    const io = captureIo(outside);
    expect(await run(['compile', spec, '--target', 'tfjs', '-o', 'kept'], io)).toBe(0);
    expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe('{"private": true}\n');
    expect(io.err.join('')).toContain(`add tierc to its dependencies ("tierc": "file:${root}")`);
  });
});

describe('compile tfjs inside the package', () => {
  it('writes the program only', async () => {
    const io = captureIo(inside);
    expect(await run(['compile', spec, '--target', 'tfjs', '-o', 'build'], io)).toBe(0);
    expect(io.err).toEqual([]);
    expect(existsSync(join(inside, 'build', 'phantom_small', 'train.js'))).toBe(true);
    expect(existsSync(join(inside, 'build', 'phantom_small', 'package.json'))).toBe(false);
  });

  it('resolves tierc from the repository only', () => {
    expect(tiercResolvesFrom(inside)).toBe(true);
    expect(tiercResolvesFrom(outside)).toBe(false);
  });
});

describe('compile output folder', () => {
  it('fails under /proc without hanging', async () => {
    const io = captureIo(outside);
    expect(await run(['compile', spec, '--target', 'onnx', '-o', '/proc/tierc-missing/out', '--graphs', 'image_tower'], io)).toBe(1);
    expect(io.err.join('')).toContain("tierc compile: cannot write into '/proc/tierc-missing/out': ENOENT");
    expect(existsSync('/proc/tierc-missing')).toBe(false);
  });

  it('rejects a file as an ancestor', () => {
    const file = join(outside, 'plain-file');
    writeFileSync(file, 'x');
    expect(outputFolderProblem(join(file, 'sub', 'out'))).toBe(
      `cannot create the output directory '${join(file, 'sub', 'out')}' because '${file}' is a file; choose another output directory with -o.`,
    );
  });

  it('accepts a missing folder under a writable one', () => {
    expect(outputFolderProblem(join(outside, 'new', 'deeper'))).toBeUndefined();
  });

  it('makeFolder creates missing levels', () => {
    const deep = join(outside, 'made', 'one', 'two');
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('makeFolder throws under /proc', () => {
    expect(() => makeFolder('/proc/tierc-missing/out')).toThrow(/ENOENT/);
  });
});
