// Errors of commands that write through a temporary name name the path the user gave, never the
// temporary one (`x.partial-PID`, `vocab.txt.partial-PID`, `tiny.ir.txt.tmp-PID`).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { errorNaming, temporaryPath } from '../../src/driver/temporary.js';
import { captureIo } from './capture.js';

const dir = mkdtempSync(join(tmpdir(), 'tierc-temporary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A regular file where the commands below expect a folder.
writeFileSync(join(dir, 'file'), 'not a folder\n');

async function tierc(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const io = captureIo(dir);
  const code = await run(argv, io);
  return { code, stderr: io.err.join('') };
}

describe('temporary paths in errors', () => {
  it('data phantom names the output folder', async () => {
    const result = await tierc('data', 'phantom', '-o', 'file/x', '--n', '4', '--size', '32');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("tierc: cannot use 'file/x': a part of the path is a file, not a folder (lstat). Check the path and its permissions, then run the command again.\n");
  });

  it('data phantom names the contact sheet', async () => {
    const result = await tierc('data', 'phantom', '-o', 'phantom', '--n', '4', '--size', '32', '--contact-sheet', 'file/sheet.png');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot use 'file/sheet.png': a part of the path is a file");
    expect(result.stderr).not.toContain('partial');
  });

  it('tokenizer train names the output file', async () => {
    writeFileSync(join(dir, 'reports.csv'), 'report\nthe heart is enlarged\nno effusion\n');
    const result = await tierc('tokenizer', 'train', '--manifest', 'reports.csv', '--text-column', 'report', '--vocab-size', '20', '-o', 'file/vocab.txt');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot use 'file/vocab.txt': a part of the path is a file");
    expect(result.stderr).not.toContain('partial');
  });

  it('compile names the file it writes', async () => {
    mkdirSync(join(dir, 'phantom'), { recursive: true });
    writeFileSync(join(dir, 'phantom', 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the'].join('\n') + '\n');
    copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    // A folder where compile writes tiny.ir.txt makes the final rename fail.
    mkdirSync(join(dir, 'build', 'tiny.ir.txt'), { recursive: true });
    const result = await tierc('compile', 'tiny.tier', '--target', 'ir', '-o', 'build');
    expect(result.stderr).not.toMatch(/\.tmp-\d+/);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`'${join(dir, 'build', 'tiny.ir.txt')}'`);
  });
});

describe('errorNaming', () => {
  it('rewrites path, dest and message', () => {
    const error = Object.assign(new Error("EISDIR: illegal operation on a directory, rename '/a/b.tmp-7' -> '/a/b'"), { code: 'EISDIR', path: '/a/b.tmp-7', dest: '/a/b' });
    errorNaming(error, '/a/b.tmp-7', '/a/b');
    expect(error.path).toBe('/a/b');
    expect(error.dest).toBe('/a/b');
    expect(error.message).toBe("EISDIR: illegal operation on a directory, rename '/a/b'");
  });

  it('names paths inside a temporary folder', () => {
    const temporary = temporaryPath('/out/phantom', 'partial');
    expect(temporary).toBe(`/out/phantom.partial-${process.pid}`);
    const error = Object.assign(new Error(`ENOSPC: no space left on device, open '${temporary}/images/1.png'`), { path: `${temporary}/images/1.png` });
    errorNaming(error, temporary, '/out/phantom');
    expect(error.path).toBe('/out/phantom/images/1.png');
    expect(error.message).toBe("ENOSPC: no space left on device, open '/out/phantom/images/1.png'");
  });
});
