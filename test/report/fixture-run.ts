// Writes a small synthetic run directory for report tests: drawn x-ray-like images with heart
// and effusion masks, patch embeddings whose cardiomegaly direction is strong inside the heart,
// training metrics, two models' zero-shot scores and their similarity statistics.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createStream } from '../../src/eval/random.js';

const side = 112;
const grid = 7;
const width = 16;

interface Case {
  cardiomegaly: 0 | 1;
  effusion: 0 | 1;
}

/** Fills a buffer of side×side with 1 inside the ellipse. */
function ellipse(cx: number, cy: number, rx: number, ry: number): Uint8Array {
  const mask = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) mask[y * side + x] = 1;
  return mask;
}

function heartMask(entry: Case): Uint8Array {
  return entry.cardiomegaly === 1 ? ellipse(60, 70, 26, 20) : ellipse(60, 72, 16, 14);
}

function effusionMask(): Uint8Array {
  // The lower part of the right lung (left side of the image).
  const lung = ellipse(33, 55, 17, 36);
  for (let y = 0; y < 72; y++) for (let x = 0; x < side; x++) lung[y * side + x] = 0;
  return lung;
}

async function writeGray(file: string, pixels: Uint8Array): Promise<void> {
  await sharp(Buffer.from(pixels), { raw: { width: side, height: side, channels: 1 } }).png().toFile(file);
}

/** Writes the run directory and returns the number of images. */
export async function writeFixtureRun(dir: string, options: { images?: number; withMetrics?: boolean } = {}): Promise<number> {
  const stream = createStream(11, 'fixture');
  const noise = (): number => (stream.float() - 0.5) * 0.6;
  const count = options.images ?? 6;
  const cases: Case[] = Array.from({ length: count }, (_, index) => ({ cardiomegaly: index % 2 === 0 ? 1 : 0, effusion: index % 3 === 0 ? 1 : 0 }));
  mkdirSync(path.join(dir, 'heatmaps'), { recursive: true });

  const patches = new Float32Array(count * grid * grid * width);
  for (const [index, entry] of cases.entries()) {
    const heart = heartMask(entry);
    const effusion = entry.effusion === 1 ? effusionMask() : new Uint8Array(side * side);
    const leftLung = ellipse(33, 55, 17, 36);
    const rightLung = ellipse(87, 55, 17, 36);
    const lungs = leftLung.map((value, i) => value | (rightLung[i] as number));
    const pixels = new Uint8Array(side * side);
    for (let i = 0; i < pixels.length; i++) {
      const base = 150 - (lungs[i] as number) * 90 + (heart[i] as number) * 80 + (effusion[i] as number) * 60;
      pixels[i] = Math.max(0, Math.min(255, Math.round(base + noise() * 30)));
    }
    await writeGray(path.join(dir, 'heatmaps', `img${index}.png`), pixels);
    if (entry.cardiomegaly === 1) await writeGray(path.join(dir, 'heatmaps', `img${index}-cardiomegaly.png`), heart.map((v) => v * 255));
    if (entry.effusion === 1) await writeGray(path.join(dir, 'heatmaps', `img${index}-effusion.png`), effusion.map((v) => v * 255));

    // Patch embedding: axis 0 = cardiomegaly, axis 1 = effusion, axis 2 = normal lung, others noise.
    for (let p = 0; p < grid * grid; p++) {
      const cy = Math.floor((Math.floor(p / grid) + 0.5) * (side / grid));
      const cx = Math.floor(((p % grid) + 0.5) * (side / grid));
      const at = cy * side + cx;
      const offset = (index * grid * grid + p) * width;
      for (let j = 0; j < width; j++) patches[offset + j] = noise() * 0.5;
      patches[offset] = (patches[offset] as number) + (heart[at] as number) * (entry.cardiomegaly === 1 ? 2 : 0.6);
      patches[offset + 1] = (patches[offset + 1] as number) + (effusion[at] as number) * 2;
      patches[offset + 2] = (patches[offset + 2] as number) + (lungs[at] as number) * (1 - (effusion[at] as number)) * 1.2;
    }
  }
  writeFileSync(path.join(dir, 'heatmaps', 'patches.f32'), Buffer.from(patches.buffer));
  const axis = (k: number): number[] => Array.from({ length: width }, (_, j) => (j === k ? 1 : 0));
  writeFileSync(
    path.join(dir, 'heatmaps.json'),
    JSON.stringify({
      grid: [grid, grid],
      reference: 'No Finding',
      upsample: 'nearest',
      draw: 3,
      model: 'TIER (λ = 0.1)',
      patches: { file: 'heatmaps/patches.f32', shape: [count, grid * grid, width] },
      prompts: { Cardiomegaly: axis(0), 'Pleural Effusion': axis(1), 'No Finding': axis(2) },
      images: cases.map((entry, index) => ({
        id: `img${index}`,
        image: `heatmaps/img${index}.png`,
        masks: {
          ...(entry.cardiomegaly === 1 ? { Cardiomegaly: `heatmaps/img${index}-cardiomegaly.png` } : {}),
          ...(entry.effusion === 1 ? { 'Pleural Effusion': `heatmaps/img${index}-effusion.png` } : {}),
        },
      })),
    }),
  );

  // Zero-shot scores of two models on 40 images; Nodule has no positives.
  const labels = { Cardiomegaly: [] as number[], Edema: [] as number[], Nodule: [] as number[] };
  const scoresA = { Cardiomegaly: [] as number[], Edema: [] as number[], Nodule: [] as number[] };
  const scoresB = { Cardiomegaly: [] as number[], Edema: [] as number[], Nodule: [] as number[] };
  for (let i = 0; i < 40; i++) {
    const cardio = i % 3 === 0 ? 1 : 0;
    const edema = i % 4 === 0 ? 1 : i % 7 === 0 ? -1 : 0;
    labels.Cardiomegaly.push(cardio);
    labels.Edema.push(edema);
    labels.Nodule.push(0);
    scoresA.Cardiomegaly.push(cardio * 0.3 + stream.float() * 0.5);
    scoresA.Edema.push(Math.max(0, edema) * 0.2 + stream.float() * 0.5);
    scoresA.Nodule.push(stream.float());
    scoresB.Cardiomegaly.push(cardio * 0.15 + stream.float() * 0.5);
    scoresB.Edema.push(Math.max(0, edema) * 0.1 + stream.float() * 0.5);
    scoresB.Nodule.push(stream.float());
  }
  const bootstrap = { resamples: 200, seed: 1 };
  writeFileSync(
    path.join(dir, 'eval.json'),
    JSON.stringify({ models: [{ name: 'TIER (λ = 0.1)', labels, scores: scoresA, bootstrap }, { name: 'baseline (λ = 0)', labels, scores: scoresB, bootstrap }] }),
  );

  // Similarity: the regularized model has a few high cosines and the rest near zero.
  const tokens = 5;
  const similarityModel = (name: string, sharpness: number): object => {
    const similarity: number[] = [];
    const tokenSimilarity: number[] = [];
    for (let n = 0; n < count; n++) {
      for (let p = 0; p < grid * grid; p++) similarity.push(Math.exp(-p / sharpness) * 0.8 + noise() * 0.1);
      for (let t = 0; t < tokens; t++) for (let p = 0; p < grid * grid; p++) tokenSimilarity.push(Math.exp(-((p + t * 7) % 49) / sharpness) - 0.2 + noise() * 0.1);
    }
    return {
      name,
      temperature: 0.1,
      similarity: { shape: [count, grid * grid], data: similarity },
      tokenSimilarity: { shape: [count, tokens, grid * grid], data: tokenSimilarity },
      tokenCounts: Array.from({ length: count }, (_, n) => 3 + (n % 3)),
    };
  };
  writeFileSync(path.join(dir, 'similarity.json'), JSON.stringify({ token: '[CLS]', models: [similarityModel('TIER (λ = 0.1)', 3), { ...similarityModel('baseline (λ = 0)', 25), temperature: undefined }] }));

  if (options.withMetrics !== false) {
    const lines: string[] = [];
    for (let step = 0; step < 300; step++) {
      const clip = 0.8 + 2.6 * Math.exp(-step / 80) + noise() * 0.3;
      const words = 3.80 + 0.09 * Math.exp(-step / 120) + noise() * 0.01;
      const regions = 1.55 + 0.05 * Math.exp(-step / 100) + noise() * 0.01;
      lines.push(JSON.stringify({ step, loss: clip + 0.1 * words + 0.1 * regions, clip, words, regions, lr: 1e-4 }));
      // An evaluation line after every 100th step, as training with eval blocks logs it.
      if (step % 100 === 99) lines.push(JSON.stringify({ step, split: 'validate', eval: 'phantom_validate', loss: clip, mean_auroc: 0.7 }));
    }
    writeFileSync(path.join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  }

  writeFileSync(
    path.join(dir, 'settings.json'),
    JSON.stringify({
      spec: { name: 'tier_phantom', file: 'specs/phantom.tier', hash: 'sha256:3f2a9c' },
      backend: 'tfjs-cpu',
      seeds: { train: 1, data: 7 },
      steps: 300,
      batch: 16,
      tiercVersion: '0.1.0',
      data: { name: 'chest x-ray phantom', synthetic: true, description: '6 drawn images for tests' },
      lambda: { words: 0.1, regions: 0.1 },
      optimizer: { kind: 'adam', lr: 0.0005, betas: [0.9, 0.999] },
    }),
  );
  return count;
}
