import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { fixtures, tempDir } from './helpers.js';

function captureIo(cwd: string, isTTY = false): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, isTTY, stdout: (text: string) => void (io.out += text), stderr: (text: string) => void (io.err += text) };
  return io;
}

describe('tierc tokenizer train', () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'reports.csv'), 'text,split\n"ab ab ab abc",train\nzz zz zz,test\n');

  it('writes a vocabulary learned from one split', async () => {
    const io = captureIo(dir);
    const code = await run(['tokenizer', 'train', '--manifest', 'reports.csv', '--text-column', 'text', '--vocab-size', '12', '--split-column', 'split', '-o', 'vocab.txt'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(path.join(dir, 'vocab.txt'), 'utf8')).toBe('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\n##a\n##b\n##c\nab\n');
    expect(io.out).toContain('Wrote 12 tokens learned from 1 texts');
  });

  it('rejects a missing text column', async () => {
    const io = captureIo(dir);
    expect(await run(['tokenizer', 'train', '--manifest', 'reports.csv', '--text-column', 'report', '--vocab-size', '50', '-o', 'v.txt'], io)).toBe(1);
    expect(io.err).toContain("Column 'report' is not in the manifest");
  });

  it('rejects a tiny vocabulary size as a usage error', async () => {
    const io = captureIo(dir);
    expect(await run(['tokenizer', 'train', '--manifest', 'reports.csv', '--text-column', 'text', '--vocab-size', '3', '-o', 'v.txt'], io)).toBe(2);
  });
});

describe('tierc tokenizer encode', () => {
  it('prints tokens and ids', async () => {
    const io = captureIo(fixtures);
    expect(await run(['tokenizer', 'encode', 'The heart is enlarged.', '--tokenizer', 'tokenizer/vocab.txt', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({ ids: [2, 5, 6, 7, 8, 9, 10, 11, 3], tokens: ['[CLS]', 'the', 'heart', 'is', 'en', '##large', '##d', '.', '[SEP]'], fullLength: 9 });
  });
});

describe('tierc data check on a terminal', () => {
  it('draws a progress bar on stderr and clears it', async () => {
    const io = captureIo(fixtures, true);
    expect(await run(['data', 'check', '--manifest', 'good.csv', '--root', 'bad', '--image-column', 'path', '--text-column', 'report'], io)).toBe(0);
    expect(io.err).toContain('checking [');
    expect(io.out).toContain('The dataset is ready for training.');
  });
});
