import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { applyTransforms, findingNames, findingSlug, generatePhantom, phantomVersion, readManifest, synthesizePhantom, WordPieceTokenizer, type FindingName } from '../../src/data/index.js';
import { tempDir } from './helpers.js';

function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const relative = path.join(sub, name);
      if (statSync(path.join(dir, relative)).isDirectory()) walk(relative);
      else hashes[relative] = createHash('sha256').update(readFileSync(path.join(dir, relative))).digest('hex');
    }
  };
  walk('');
  return hashes;
}

const dir = tempDir();

describe('generatePhantom', () => {
  beforeAll(async () => {
    await generatePhantom({ n: 12, size: 64, seed: 5, outDir: path.join(dir, 'a') });
    await generatePhantom({ n: 12, size: 64, seed: 5, outDir: path.join(dir, 'b') });
    await generatePhantom({ n: 12, size: 64, seed: 6, outDir: path.join(dir, 'c') });
  });

  it('writes the same bytes for the same seed', () => {
    const a = hashTree(path.join(dir, 'a'));
    expect(Object.keys(a)).toContain('manifest.csv');
    expect(Object.keys(a)).toContain('vocab.txt');
    expect(Object.keys(a)).toContain(path.join('images', '00012.png'));
    expect(hashTree(path.join(dir, 'b'))).toEqual(a);
  });

  it('writes different images for another seed', () => {
    const a = hashTree(path.join(dir, 'a'));
    const c = hashTree(path.join(dir, 'c'));
    expect(c[path.join('images', '00001.png')]).not.toBe(a[path.join('images', '00001.png')]);
  });

  it('stamps the generator version and options', () => {
    const stamp = JSON.parse(readFileSync(path.join(dir, 'c', 'phantom.json'), 'utf8'));
    expect(stamp).toEqual({ version: phantomVersion, images: 12, size: 64, seed: 6 });
    expect(phantomVersion).toBe(2);
  });

  it('writes the documented manifest columns', () => {
    const header = readFileSync(path.join(dir, 'a', 'manifest.csv'), 'utf8').split('\n')[0];
    expect(header).toBe(
      'id,patient,image,report,split,Cardiomegaly,Pleural Effusion,Consolidation,Nodule,Pneumothorax,mask_Cardiomegaly,mask_Pleural Effusion,mask_Consolidation,mask_Nodule,mask_Pneumothorax',
    );
  });

  it('has a mask file exactly for each present finding', () => {
    const root = path.join(dir, 'a');
    const manifest = readManifest({
      manifest: path.join(root, 'manifest.csv'),
      image: { column: 'image', root },
      text: { column: 'report' },
      split: { column: 'split' },
      labels: { columns: [...findingNames] },
      masks: Object.fromEntries(findingNames.map((name) => [name, `mask_${name}`])),
    });
    expect(manifest.issues).toEqual([]);
    expect(manifest.rows).toHaveLength(12);
    for (const row of manifest.rows) {
      expect(existsSync(row.imagePath)).toBe(true);
      findingNames.forEach((name, k) => {
        const mask = row.masks[name];
        expect(mask !== null).toBe(row.labels[k] === 1);
        if (mask !== null && mask !== undefined) {
          expect(mask.endsWith(`_${findingSlug(name)}.png`)).toBe(true);
          expect(existsSync(mask)).toBe(true);
        }
      });
    }
  });

  it('trains a vocabulary that covers the reports', () => {
    const root = path.join(dir, 'a');
    const tokenizer = WordPieceTokenizer.fromFile(path.join(root, 'vocab.txt'));
    expect(tokenizer.tokenize('No pleural effusion.')).toEqual(['no', 'pleural', 'effusion', '.']);
  });

  it('refuses a non-empty output folder without force', async () => {
    await expect(generatePhantom({ n: 2, size: 32, outDir: path.join(dir, 'a') })).rejects.toThrow(/exists and is not empty/);
  });
});

describe('phantom content', () => {
  const images = synthesizePhantom({ n: 120, size: 128, seed: 1 });
  const withOnly = (name: FindingName) => images.filter((image) => image.labels[name] === 1);

  it('splits patients about 70/15/15 and never across splits', () => {
    const byPatient = new Map<string, Set<string>>();
    for (const image of images) byPatient.set(image.patient, (byPatient.get(image.patient) ?? new Set()).add(image.split));
    for (const splits of byPatient.values()) expect(splits.size).toBe(1);
    const train = images.filter((image) => image.split === 'train').length / images.length;
    expect(train).toBeGreaterThan(0.6);
    expect(train).toBeLessThan(0.8);
  });

  it('has every finding and normal images', () => {
    for (const name of findingNames) expect(withOnly(name).length).toBeGreaterThan(8);
    expect(images.filter((image) => findingNames.every((name) => image.labels[name] === 0)).length).toBeGreaterThan(20);
  });

  it('enlarges the heart past half the thorax only with cardiomegaly', () => {
    for (const image of images) {
      if (image.labels.Cardiomegaly === 1) expect(image.cardiothoracicRatio).toBeGreaterThan(0.5);
      else expect(image.cardiothoracicRatio).toBeLessThan(0.5);
    }
    // The mask agrees: its widest row spans more than half the thoracic width.
    for (const image of withOnly('Cardiomegaly')) {
      const mask = image.masks.Cardiomegaly as Uint8Array;
      let widest = 0;
      for (let y = 0; y < 128; y++) widest = Math.max(widest, mask.subarray(y * 128, (y + 1) * 128).reduce((sum, v) => sum + v, 0));
      expect(widest / (image.thoracicWidth * 128)).toBeGreaterThan(0.48);
    }
  });

  it('places findings on the side the report names', () => {
    for (const name of ['Pleural Effusion', 'Consolidation', 'Nodule', 'Pneumothorax'] as const) {
      for (const image of withOnly(name)) {
        const mask = image.masks[name] as Uint8Array;
        let sum = 0;
        let count = 0;
        mask.forEach((v, i) => {
          if (v) {
            sum += i % 128;
            count += 1;
          }
        });
        expect(count).toBeGreaterThan(0);
        // The patient's left is on the image's right.
        const side = sum / count > 64 ? 'left' : 'right';
        const sentences = image.report.toLowerCase().split('.');
        const keyword = { 'Pleural Effusion': 'effusion', Consolidation: 'opacity|consolidation', Nodule: 'nodul', Pneumothorax: 'pneumothorax' }[name];
        const sentence = sentences.find((text) => new RegExp(keyword).test(text) && !/\bno\b/.test(text));
        expect(sentence, `${image.id}: ${image.report}`).toMatch(new RegExp(`\\b${side}\\b`));
      }
    }
  });

  it('negates absent findings in some reports', () => {
    expect(images.filter((image) => image.labels['Pleural Effusion'] === 0 && /no (pleural )?effusion/i.test(image.report)).length).toBeGreaterThan(10);
    expect(images.some((image) => /no acute cardiopulmonary/i.test(image.report))).toBe(true);
  });

  it('keeps findings visible at 64 × 64', () => {
    // Mean brightness inside the mask against the mirror region on the other side, after a resize to 64.
    const contrast = (image: (typeof images)[number], name: FindingName): number => {
      const small = applyTransforms({ data: Float32Array.from(image.pixels, (v) => v / 255), channels: 1, height: 128, width: 128 }, [{ op: 'resize', size: 64 }]);
      const mask = image.masks[name] as Uint8Array;
      let inside = 0;
      let mirror = 0;
      let count = 0;
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) {
          if (!mask[2 * y * 128 + 2 * x]) continue;
          inside += small.data[y * 64 + x] as number;
          mirror += small.data[y * 64 + (63 - x)] as number;
          count += 1;
        }
      }
      return count === 0 ? 0 : (inside - mirror) / count;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const only = (name: FindingName) => withOnly(name).filter((image) => findingNames.every((other) => other === name || image.labels[other] === 0));
    expect(median(only('Pleural Effusion').map((image) => contrast(image, 'Pleural Effusion')))).toBeGreaterThan(0.08);
    expect(median(only('Consolidation').map((image) => contrast(image, 'Consolidation')))).toBeGreaterThan(0.08);
    expect(median(only('Nodule').map((image) => contrast(image, 'Nodule')))).toBeGreaterThan(0.15);
    expect(median(only('Pneumothorax').map((image) => contrast(image, 'Pneumothorax')))).toBeLessThan(-0.1);
  });

  it('draws nodules of several pixels at 64 × 64', () => {
    // Pixels of the nodule mask sampled on the 64 × 64 grid: a radius of 0.035–0.05 of the image
    // width covers about 15–32 of them.
    const areas = withOnly('Nodule').map((image) => {
      const mask = image.masks.Nodule as Uint8Array;
      let count = 0;
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) count += mask[2 * y * 128 + 2 * x] as number;
      return count;
    });
    areas.sort((a, b) => a - b);
    expect(areas[0]).toBeGreaterThanOrEqual(12);
    expect(areas[Math.floor(areas.length / 2)]).toBeGreaterThanOrEqual(18);
  });
});

describe('tierc data phantom', () => {
  it('writes the dataset and a contact sheet', async () => {
    const io: CliIo & { out: string; err: string } = { out: '', err: '', cwd: dir, env: {}, isTTY: false, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
    const code = await run(['data', 'phantom', '--n', '6', '--size', '48', '--seed', '2', '-o', 'cli', '--contact-sheet', 'sheet.png'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toContain('Wrote 6 synthetic 48×48 images');
    expect(readFileSync(path.join(dir, 'sheet.png')).subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(await run(['data', 'phantom', '--n', '6', '--size', '48', '-o', 'cli'], io)).toBe(1);
    expect(io.err).toContain('--force');
  });
});
