// The synthetic chest radiograph phantom: deterministic images, finding masks, reports and a
// manifest grouped into train/validate/test by patient, plus a WordPiece vocabulary trained on
// the train reports, and phantom.json with the generator version and options. Everything comes
// from the seed, so the same options give the same bytes.
import { rename, rm, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../errors.js';
import { assignGroupValues } from '../manifest.js';
import { createRandom, mixSeed } from '../random.js';
import { trainWordPiece } from '../tokenizer/train.js';
import { cardiothoracicRatio, drawAnatomy, type Anatomy } from './anatomy.js';
import { csvLine } from './csv.js';
import { drawFindings, findingNames, presentFindings, type FindingName } from './findings.js';
import { renderPhantom } from './render.js';
import { writeReport } from './reports.js';
import { makeFolder } from '../../driver/folders.js';
import { errorNaming, temporaryPath } from '../../driver/temporary.js';

export { findingNames, type FindingName } from './findings.js';

export interface PhantomOptions {
  /** Number of images; default 600. */
  n?: number;
  /** Width and height in pixels; default 128. */
  size?: number;
  /** Default 1. */
  seed?: number;
  /** Output folder; it must not exist or be empty unless `force` is set. */
  outDir: string;
  force?: boolean;
  /** Vocabulary size cap for vocab.txt; default 1000 (training stops earlier when no pair repeats). */
  vocabSize?: number;
}

export interface PhantomImage {
  id: string;
  patient: string;
  split: string;
  report: string;
  labels: Record<FindingName, 0 | 1>;
  /** 8-bit grayscale pixels, row-major. */
  pixels: Uint8Array;
  /** Heart width over thoracic width, and the thoracic width as a fraction of the image width. */
  cardiothoracicRatio: number;
  thoracicWidth: number;
  masks: Partial<Record<FindingName, Uint8Array>>;
}

export interface PhantomSummary {
  outDir: string;
  images: number;
  patients: number;
  size: number;
  seed: number;
  splits: Record<string, number>;
  positives: Record<FindingName, number>;
  normal: number;
  vocabSize: number;
}

export const phantomSplitFractions = { train: 0.7, validate: 0.15, test: 0.15 };

/**
 * Version of the generator's output, written to phantom.json. It goes up whenever the same
 * options give different images, masks or reports, so a caller can tell a stale phantom apart.
 */
export const phantomVersion = 2;

/** Contents of phantom.json: the generator version and the options that made the dataset. */
export interface PhantomStamp {
  version: number;
  images: number;
  size: number;
  seed: number;
}

/** Returns the mask file suffix of a finding: 'Pleural Effusion' becomes 'pleural-effusion'. */
export function findingSlug(name: FindingName): string {
  return name.toLowerCase().replace(/\s+/g, '-');
}

/** Generates the images, masks, labels and reports in memory. */
export function synthesizePhantom(options: { n?: number; size?: number; seed?: number }): PhantomImage[] {
  const n = options.n ?? 600;
  const size = options.size ?? 128;
  const seed = options.seed ?? 1;
  if (!(Number.isInteger(n) && n > 0)) throw new DataError({ code: 'TIER5040', message: `The phantom image count must be a positive integer, but it is ${n}.` });
  if (!(Number.isInteger(size) && size >= 32 && size <= 2048)) throw new DataError({ code: 'TIER5040', message: `The phantom image size must be an integer from 32 to 2048, but it is ${size}.` });

  const patientRandom = createRandom(mixSeed(seed, 0x9a71e47));
  const images: PhantomImage[] = [];
  let patientIndex = 0;
  while (images.length < n) {
    const patient = `P${String(patientIndex + 1).padStart(5, '0')}`;
    const base = drawAnatomy(createRandom(mixSeed(seed, patientIndex, 1)));
    const studies = 1 + (patientRandom.next() < 0.35 ? 1 : 0) + (patientRandom.next() < 0.1 ? 1 : 0);
    for (let study = 0; study < studies && images.length < n; study++) {
      const index = images.length;
      const anatomy: Anatomy = structuredClone(base);
      const jitter = createRandom(mixSeed(seed, index, 5));
      anatomy.tilt += jitter.uniform(-0.015, 0.015);
      anatomy.midline += jitter.uniform(-0.006, 0.006);
      const findings = drawFindings(anatomy, createRandom(mixSeed(seed, index, 2)));
      const rendered = renderPhantom(anatomy, findings, size, createRandom(mixSeed(seed, index, 3)));
      const present = presentFindings(findings);
      const labels = Object.fromEntries(findingNames.map((name) => [name, present.includes(name) ? 1 : 0])) as Record<FindingName, 0 | 1>;
      const pixels = new Uint8Array(size * size);
      for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round((rendered.image[i] as number) * 255);
      images.push({
        id: String(index + 1).padStart(5, '0'),
        patient,
        split: '',
        report: writeReport(findings, present, createRandom(mixSeed(seed, index, 4))),
        labels,
        pixels,
        cardiothoracicRatio: cardiothoracicRatio(anatomy),
        thoracicWidth: 2 * anatomy.lateralDistance,
        masks: rendered.masks,
      });
    }
    patientIndex += 1;
  }
  const patients = [...new Set(images.map((image) => image.patient))];
  const assignment = assignGroupValues('phantom', patients, phantomSplitFractions, seed);
  for (const image of images) image.split = assignment.get(image.patient) ?? 'train';
  return images;
}

/** Encodes 8-bit grayscale pixels as a PNG. */
export function encodeGrayPng(pixels: Uint8Array, size: number): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
}

/** Writes the phantom to `outDir` through a temporary folder, so a failure leaves no half-written dataset. */
export async function generatePhantom(options: PhantomOptions, onProgress?: (done: number, total: number) => void): Promise<PhantomSummary> {
  const size = options.size ?? 128;
  const seed = options.seed ?? 1;
  const outDir = path.resolve(options.outDir);
  if (existsSync(outDir) && (await readdir(outDir)).length > 0 && !options.force) {
    throw new DataError({ code: 'TIER5040', file: outDir, message: 'The output folder exists and is not empty; choose another folder or pass --force to replace it.' });
  }
  const images = synthesizePhantom(options);
  const temp = temporaryPath(outDir, 'partial');
  try {
    return await writePhantom(images, outDir, temp, size, seed, options.vocabSize ?? 1000, onProgress);
  } catch (error) {
    // Removing the temporary folder fails too when its parent is a file; the first error is reported.
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw errorNaming(errorNaming(error, temp, outDir), temporaryPath(outDir, 'old'), outDir);
  }
}

async function writePhantom(
  images: PhantomImage[], outDir: string, temp: string, size: number, seed: number, vocabSize: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<PhantomSummary> {
  await rm(temp, { recursive: true, force: true });
  makeFolder(path.join(temp, 'images'));
  makeFolder(path.join(temp, 'masks'));

  const header = ['id', 'patient', 'image', 'report', 'split', ...findingNames, ...findingNames.map((name) => `mask_${name}`)];
  let manifest = csvLine(header);
  let done = 0;
  const writeImage = async (image: PhantomImage): Promise<string[]> => {
    const imagePath = `images/${image.id}.png`;
    await writeFile(path.join(temp, imagePath), await encodeGrayPng(image.pixels, size));
    const maskCells: string[] = [];
    for (const name of findingNames) {
      const mask = image.masks[name];
      if (mask === undefined) {
        maskCells.push('');
        continue;
      }
      const maskPath = `masks/${image.id}_${findingSlug(name)}.png`;
      const pixels = Uint8Array.from(mask, (value) => value * 255);
      await writeFile(path.join(temp, maskPath), await encodeGrayPng(pixels, size));
      maskCells.push(maskPath);
    }
    done += 1;
    onProgress?.(done, images.length);
    return [image.id, image.patient, imagePath, image.report, image.split, ...findingNames.map((name) => String(image.labels[name])), ...maskCells];
  };
  // sharp encodes on its own thread pool, so a few images are written at a time; rows keep image order.
  const chunk = 8;
  for (let start = 0; start < images.length; start += chunk) {
    const rows = await Promise.all(images.slice(start, start + chunk).map(writeImage));
    for (const row of rows) manifest += csvLine(row);
  }
  await writeFile(path.join(temp, 'manifest.csv'), manifest);
  const vocab = trainWordPiece(
    images.filter((image) => image.split === 'train').map((image) => image.report),
    { vocabSize },
  );
  await writeFile(path.join(temp, 'vocab.txt'), `${vocab.join('\n')}\n`);
  const stamp: PhantomStamp = { version: phantomVersion, images: images.length, size, seed };
  await writeFile(path.join(temp, 'phantom.json'), `${JSON.stringify(stamp, null, 2)}\n`);

  if (existsSync(outDir)) {
    const old = temporaryPath(outDir, 'old');
    await rename(outDir, old);
    await rename(temp, outDir);
    await rm(old, { recursive: true, force: true });
  } else {
    makeFolder(path.dirname(outDir));
    await rename(temp, outDir);
  }
  return summarize(images, outDir, size, seed, vocab.length);
}

function summarize(images: PhantomImage[], outDir: string, size: number, seed: number, vocabSize: number): PhantomSummary {
  const splits: Record<string, number> = {};
  const positives = Object.fromEntries(findingNames.map((name) => [name, 0])) as Record<FindingName, number>;
  let normal = 0;
  for (const image of images) {
    splits[image.split] = (splits[image.split] ?? 0) + 1;
    let any = false;
    for (const name of findingNames) {
      positives[name] += image.labels[name];
      any ||= image.labels[name] === 1;
    }
    if (!any) normal += 1;
  }
  return { outDir, images: images.length, patients: new Set(images.map((image) => image.patient)).size, size, seed, splits, positives, normal, vocabSize };
}
