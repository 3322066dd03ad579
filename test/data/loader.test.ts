import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyTransforms,
  createLoader,
  createRandom,
  decodeImageFile,
  findingNames,
  generatePhantom,
  mixSeed,
  readManifest,
  WordPieceTokenizer,
  type Batch,
  type DataLoader,
  type LoaderOptions,
  type Manifest,
  type TransformSpec,
} from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const phantomDir = path.join(dir, 'phantom');
let manifest: Manifest;
let base: LoaderOptions;

const augment: TransformSpec[] = [
  { op: 'random_resized_crop', size: 32, scale: [0.6, 1], ratio: [0.9, 1.1] },
  { op: 'random_affine', degrees: 10, translate: 0.05, scale: [0.95, 1.05] },
  { op: 'color_jitter', brightness: 0.2, contrast: 0.2 },
  { op: 'to_rgb' },
  { op: 'normalize', mean: 'imagenet', std: 'imagenet' },
];

beforeAll(async () => {
  await generatePhantom({ n: 22, size: 48, seed: 3, outDir: phantomDir });
  manifest = readManifest({
    manifest: path.join(phantomDir, 'manifest.csv'),
    image: { column: 'image', root: phantomDir },
    text: { column: 'report' },
    labels: { columns: [...findingNames] },
  });
  base = {
    rows: manifest.rows,
    root: phantomDir,
    transforms: augment,
    tokenizer: WordPieceTokenizer.fromFile(path.join(phantomDir, 'vocab.txt')),
    text: { maxLen: 16 },
    batchSize: 4,
    seed: 11,
  };
});

async function collect(loader: DataLoader, from: Parameters<DataLoader['batches']>[0]): Promise<Batch[]> {
  const batches: Batch[] = [];
  for await (const batch of loader.batches(from)) batches.push(batch);
  return batches;
}

function fingerprint(batch: Batch): unknown {
  return { rows: Array.from(batch.rowIds), images: Array.from(batch.images), tokens: Array.from(batch.tokenIds), cursor: batch.cursor };
}

describe('DataLoader', () => {
  it('yields shaped batches with aligned texts and labels', async () => {
    const loader = createLoader({ ...base, workers: 0 });
    const [first] = await collect(loader, 0);
    await loader.close();
    expect(loader.batchesPerEpoch).toBe(6);
    expect(first?.imageShape).toEqual([4, 3, 32, 32]);
    expect(first?.images.length).toBe(4 * 3 * 32 * 32);
    const [b, t] = first?.tokenShape ?? [0, 0];
    expect(b).toBe(4);
    expect(t).toBeLessThanOrEqual(16);
    expect(first?.labels.length).toBe(4 * 5);
    first?.rowIds.forEach((rowId, k) => {
      const row = manifest.rows.find((item) => item.index === rowId);
      expect(first.texts[k]).toBe(row?.text);
      expect(Array.from(first.labels.subarray(k * 5, k * 5 + 5))).toEqual(Array.from(row?.labels ?? []));
      expect(first.tokenIds[k * t]).toBe(2);
      expect(first.tokenIds[k * t + (first.eotIndex[k] as number)]).toBe(3);
    });
  });

  it('gives the same batches with two workers as in one thread', async () => {
    const inline = createLoader({ ...base, workers: 0 });
    const threaded = createLoader({ ...base, workers: 2, prefetch: 4 });
    const a = await collect(inline, 1);
    const b = await collect(threaded, 1);
    await inline.close();
    await threaded.close();
    expect(b.map(fingerprint)).toEqual(a.map(fingerprint));
    expect(a.at(-1)?.imageShape[0]).toBe(2);
  });

  it('uses a new order each epoch and repeats it for the same seed', async () => {
    const loader = createLoader({ ...base, workers: 0 });
    const order = (epoch: number) => loader.epochOrder(epoch).map((row) => row.index);
    expect(order(0)).toEqual(order(0));
    expect(order(0)).not.toEqual(order(1));
    expect([...order(0)].sort((x, y) => x - y)).toEqual(manifest.rows.map((row) => row.index));
    await loader.close();
  });

  it('resumes exactly from a cursor', async () => {
    const loader = createLoader({ ...base, workers: 2 });
    const full = await collect(loader, 2);
    const cursor = full[2]?.cursor ?? { epoch: 2, index: 3 };
    expect(cursor).toEqual({ epoch: 2, index: 3 });
    const resumed = await collect(loader, cursor);
    await loader.close();
    expect(resumed.map(fingerprint)).toEqual(full.slice(3).map(fingerprint));
  });

  it('augments each sample from its seed, epoch and row', async () => {
    const loader = createLoader({ ...base, workers: 0, shuffle: false });
    const [first] = await collect(loader, 5);
    await loader.close();
    const row = manifest.rows[1];
    const decoded = await decodeImageFile(row?.imagePath ?? '');
    const expected = applyTransforms(decoded, augment, createRandom(mixSeed(11, 5, row?.index ?? 0)));
    const size = 3 * 32 * 32;
    expect(Array.from(first?.images.subarray(size, 2 * size) ?? [])).toEqual(Array.from(expected.data));
  });

  it('skips a missing image without moving texts', async () => {
    const missing = manifest.rows[2];
    const copy = path.join(dir, 'skip');
    await generatePhantom({ n: 22, size: 48, seed: 3, outDir: copy });
    rmSync(path.join(copy, missing?.image ?? ''));
    const loader = createLoader({ ...base, root: copy, workers: 2, shuffle: false, onMissing: 'skip', transforms: [{ op: 'center_crop', size: 48 }] });
    const [first] = await collect(loader, 0);
    await loader.close();
    expect(Array.from(first?.rowIds ?? [])).toEqual([0, 1, 3]);
    expect(first?.texts).toEqual([0, 1, 3].map((index) => manifest.rows[index]?.text));
    expect(first?.skipped.map((issue) => [issue.code, issue.row])).toEqual([['TIER5017', 3]]);
    const third = await decodeImageFile(path.join(copy, manifest.rows[3]?.image ?? ''));
    expect(Array.from(first?.images.subarray(2 * 48 * 48, 3 * 48 * 48) ?? [])).toEqual(Array.from(third.data));
    expect(loader.stats().skipped).toHaveLength(1);
  });

  it('fails on a missing image by default, naming the row', async () => {
    const rows = [{ ...(manifest.rows[0] as Manifest['rows'][number]), image: 'images/none.png' }];
    const loader = createLoader({ ...base, rows, workers: 2, manifestFile: 'm.csv', imageColumn: 'image' });
    await expect(collect(loader, 0)).rejects.toThrow(/m\.csv:2: row 1, column 'image': File 'images\/none\.png' does not exist/);
    await loader.close();
  });

  it('reports the data-wait fraction', async () => {
    const loader = createLoader({ ...base, workers: 2 });
    await collect(loader, 0);
    const stats = loader.stats();
    await loader.close();
    expect(stats.batches).toBe(6);
    expect(stats.dataWaitFraction).toBeGreaterThan(0);
    expect(stats.dataWaitFraction).toBeLessThanOrEqual(1);
  });

  it('writes channels last on request', async () => {
    const planar = createLoader({ ...base, workers: 0 });
    const last = createLoader({ ...base, workers: 2, layout: 'nhwc' });
    const [a] = await collect(planar, 0);
    const [b] = await collect(last, 0);
    await planar.close();
    await last.close();
    expect(b?.imageShape).toEqual([4, 32, 32, 3]);
    // Sample 1, channel 2, row 5, column 7 in both layouts.
    expect(b?.images[((1 * 32 + 5) * 32 + 7) * 3 + 2]).toBe(a?.images[((1 * 3 + 2) * 32 + 5) * 32 + 7]);
    expect(b?.images[((3 * 32 + 31) * 32 + 0) * 3 + 0]).toBe(a?.images[((3 * 3 + 0) * 32 + 31) * 32 + 0]);
  });

  it('rejects a pipeline without a fixed size', () => {
    expect(() => createLoader({ ...base, transforms: [{ op: 'resize', size: 32 }] })).toThrow(/TIER5031/);
  });

  it('lets the process exit without close()', () => {
    const script = path.join(dir, 'no-close.mjs');
    const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/data/index.js');
    writeFileSync(
      script,
      `import { createLoader, readManifest, WordPieceTokenizer } from ${JSON.stringify(entry)};
const root = ${JSON.stringify(phantomDir)};
const manifest = readManifest({ manifest: root + '/manifest.csv', image: { column: 'image', root }, text: { column: 'report' } });
const loader = createLoader({ rows: manifest.rows, root, transforms: [{ op: 'center_crop', size: 32 }], tokenizer: WordPieceTokenizer.fromFile(root + '/vocab.txt'), text: { maxLen: 8 }, batchSize: 4, workers: 2 });
for await (const batch of loader.batches(0)) { console.log(batch.imageShape.join('x')); break; }
`,
    );
    const result = spawnSync(process.execPath, [script], { timeout: 20_000, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('4x1x32x32');
  });
});
