import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { checkDataset, type CheckOptions } from '../../src/data/index.js';
import { badManifest, badRoot, fixtures } from './helpers.js';

const options: CheckOptions = {
  manifest: { manifest: badManifest, image: { column: 'path', root: badRoot }, text: { column: 'report' }, split: { column: 'split' }, labels: { columns: ['Cardiomegaly'] } },
  tokenizer: { path: path.join(fixtures, 'tokenizer/vocab.txt'), maxLen: 8 },
};

function captureIo(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: fixtures, env: {}, isTTY: false, stdout: (text: string) => void (io.out += text), stderr: (text: string) => void (io.err += text) };
  return io;
}

describe('checkDataset on the bad fixture', () => {
  it('lists one error per bad row, in row order', async () => {
    const report = await checkDataset(options);
    expect(report.errors.map((issue) => [issue.row, issue.line, issue.code])).toEqual([
      [2, 3, 'TIER5010'],
      [3, 4, 'TIER5012'],
      [4, 5, 'TIER5014'],
      [5, 6, 'TIER5015'],
      [6, 7, 'TIER5013'],
      [7, 8, 'TIER5011'],
      [8, 9, 'TIER5002'],
      [9, 10, 'TIER5007'],
      [10, 11, 'TIER5008'],
      [12, 14, 'TIER5010'],
    ]);
    expect(report.failsTraining).toBe(true);
    expect(report.rows).toBe(12);
    expect(report.usableRows).toBe(2);
  });

  it('names the image in decode errors', async () => {
    const report = await checkDataset(options);
    expect(report.errors.find((issue) => issue.row === 6)?.message).toBe(
      "Image 'images/huge.png': The image header gives size 40000×40000, above the limit of 16384 pixels per side; resize the image so that neither side exceeds 16384 pixels (tierc data check reads larger images with --max-dimension).",
    );
  });

  it('measures image sizes and token lengths', async () => {
    const report = await checkDataset(options);
    expect(report.images.formats).toEqual({ png: 2 });
    expect(report.images.width).toMatchObject({ min: 8, max: 8 });
    // '[CLS] heart [UNK] is [UNK] . [SEP]' is 7 tokens; the FINDINGS report of row 11 is 10.
    expect(report.tokens).toMatchObject({ min: 7, max: 10, truncated: 1, truncatedRows: [11], maxLen: 8 });
    expect(report.warnings.map((issue) => issue.code)).toEqual(['TIER5021']);
    expect(report.labels).toEqual({ Cardiomegaly: { positive: 0, negative: 2, unknown: 0 } });
    expect(report.splits).toEqual({ train: 1, validate: 1 });
  });

  it('skips unusable images under skip and still fails on the rest', async () => {
    const report = await checkDataset({ ...options, onMissing: 'skip' });
    expect(report.skipped.map((issue) => issue.row)).toEqual([3, 4, 5, 6, 7]);
    expect(report.errors.map((issue) => issue.row)).toEqual([2, 8, 9, 10, 12]);
    expect(report.failsTraining).toBe(true);
  });

  it('passes a clean manifest', async () => {
    const report = await checkDataset({ ...options, manifest: { ...options.manifest, manifest: path.join(fixtures, 'good.csv') } });
    expect(report.errors).toEqual([]);
    expect(report.failsTraining).toBe(false);
  });
});

describe('tierc data check', () => {
  const argv = ['data', 'check', '--manifest', 'bad/manifest.csv', '--root', 'bad', '--image-column', 'path', '--text-column', 'report', '--labels', 'Cardiomegaly'];

  it('exits 1 and prints row-numbered errors', async () => {
    const io = captureIo();
    expect(await run(argv, io)).toBe(1);
    expect(io.out).toContain(`${path.join(badRoot, 'manifest.csv')}:5: row 4, column 'path': Image 'images/truncated.jpg': The JPEG`);
    expect(io.out).toContain('The dataset has errors that would stop training.');
  });

  it('prints JSON on request', async () => {
    const io = captureIo();
    expect(await run([...argv, '--json'], io)).toBe(1);
    const report = JSON.parse(io.out) as { errors: unknown[]; usableRows: number };
    expect(report.errors).toHaveLength(10);
    expect(report.usableRows).toBe(2);
  });

  it('exits 0 for a clean manifest', async () => {
    const io = captureIo();
    expect(await run(['data', 'check', '--manifest', 'good.csv', '--root', 'bad', '--image-column', 'path', '--text-column', 'report'], io)).toBe(0);
    expect(io.out).toContain('The dataset is ready for training.');
  });

  it('rejects an unknown policy as a usage error', async () => {
    const io = captureIo();
    expect(await run([...argv, '--on-missing', 'ignore'], io)).toBe(2);
  });

  it('reports a missing manifest with exit 1', async () => {
    const io = captureIo();
    expect(await run(['data', 'check', '--manifest', 'none.csv', '--root', 'bad', '--image-column', 'path', '--text-column', 'report'], io)).toBe(1);
    expect(io.out).toContain('The manifest does not exist. [TIER5001]');
  });
});
