import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingNames, generatePhantom, loadMask, openDataset, synthesizePhantom, trainingTransforms, type DatasetOptions, type TransformSpec } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const preprocess: TransformSpec[] = [{ op: 'resize', size: 40 }, { op: 'center_crop', size: 32 }, { op: 'to_rgb' }, { op: 'normalize', mean: 'imagenet', std: 'imagenet' }];
const augment: TransformSpec[] = [{ op: 'random_resized_crop', size: 32, ratio: [0.9, 1] }, { op: 'color_jitter', brightness: 0.2 }];

describe('trainingTransforms', () => {
  it('replaces the crop with the augmentation', () => {
    expect(trainingTransforms(preprocess, augment).map((step) => step.op)).toEqual(['resize', 'random_resized_crop', 'color_jitter', 'to_rgb', 'normalize']);
  });

  it('runs an augmentation without a crop after the crop', () => {
    const affine: TransformSpec[] = [{ op: 'random_affine', degrees: 5 }];
    expect(trainingTransforms(preprocess, affine).map((step) => step.op)).toEqual(['resize', 'center_crop', 'random_affine', 'to_rgb', 'normalize']);
  });

  it('inserts before channel steps without a crop', () => {
    expect(trainingTransforms([{ op: 'resize', size: [32, 32] }, { op: 'to_rgb' }], augment).map((step) => step.op)).toEqual(['resize', 'random_resized_crop', 'color_jitter', 'to_rgb']);
  });

  it('keeps the test steps without augmentation', () => {
    expect(trainingTransforms(preprocess, [])).toEqual(preprocess);
  });
});

describe('openDataset', () => {
  const dir = tempDir();
  let options: DatasetOptions;

  beforeAll(async () => {
    await generatePhantom({ n: 20, size: 48, seed: 4, outDir: dir, force: true });
    options = {
      manifest: { manifest: path.join(dir, 'manifest.csv'), image: { column: 'image', root: dir }, text: { column: 'report' }, split: { column: 'split' }, labels: { columns: [...findingNames] } },
      tokenizer: { path: path.join(dir, 'vocab.txt'), maxLen: 24 },
      preprocess,
      augment,
    };
  });

  it('builds split loaders with the right steps', async () => {
    const dataset = openDataset(options);
    const trainRows = dataset.rows('train');
    expect(trainRows.length).toBeGreaterThan(0);
    const loader = dataset.loader({ split: 'train', batchSize: 4, training: true, workers: 0, seed: 1 });
    const first = await loader.batches(0).next();
    await loader.close();
    expect(first.value?.imageShape).toEqual([4, 3, 32, 32]);
    expect(loader.batchesPerEpoch).toBe(Math.ceil(trainRows.length / 4));
  });

  it('reads evaluation splits in file order', async () => {
    const dataset = openDataset(options);
    const loader = dataset.loader({ split: 'test', batchSize: 100, training: false, workers: 0 });
    const first = await loader.batches(0).next();
    await loader.close();
    expect(Array.from(first.value?.rowIds ?? [])).toEqual(dataset.rows('test').map((row) => row.index));
  });

  it('names the splits when one is empty', () => {
    expect(() => openDataset(options).loader({ split: 'valid', batchSize: 2, training: false })).toThrow(/Split 'valid' has no rows; the manifest has splits/);
  });

  it('fails on a bad label even when skipping missing files', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'image,report,split,Cardiomegaly,Pleural Effusion,Consolidation,Nodule,Pneumothorax\nimages/00001.png,No effusion.,train,0,0,0,0,7\n');
    expect(() => openDataset({ ...options, onMissing: 'skip', manifest: { ...options.manifest, manifest: bad } })).toThrow(/Label value '7'.*\(1 row has errors; run 'tierc data check' to list them\)/);
  });

  it('describes the test preprocessing', () => {
    expect(openDataset(options).preprocessMetadata().output_shape).toEqual([3, 32, 32]);
  });
});

describe('loadMask', () => {
  it('aligns a phantom mask with the model input', async () => {
    const dir = tempDir();
    await generatePhantom({ n: 30, size: 48, seed: 4, outDir: dir, force: true });
    const image = synthesizePhantom({ n: 30, size: 48, seed: 4 }).find((item) => item.labels.Cardiomegaly === 1);
    expect(image).toBeDefined();
    const mask = await loadMask(path.join(dir, 'masks', `${image?.id}_cardiomegaly.png`), preprocess);
    expect([mask.height, mask.width]).toEqual([32, 32]);
    // resize(40) then center_crop(32): output pixel (y, x) comes from source around ((y + 4) · 1.2, (x + 4) · 1.2).
    const source = image?.masks.Cardiomegaly as Uint8Array;
    let agree = 0;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const sy = Math.floor((y + 4 + 0.5) * 1.2);
        const sx = Math.floor((x + 4 + 0.5) * 1.2);
        if (mask.data[y * 32 + x] === source[sy * 48 + sx]) agree += 1;
      }
    }
    expect(agree / 1024).toBeGreaterThan(0.95);
    expect(mask.data.reduce((sum, v) => sum + v, 0)).toBeGreaterThan(50);
  });
});

