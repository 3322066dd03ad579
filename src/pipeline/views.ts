// Images and masks as the model sees them: decoded, then put through the preprocessing's
// geometric steps (resize, crops) without intensity normalization, so a heatmap over the patch
// grid lines up with the picture and the mask it is drawn on and scored against.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { applyTransforms, decodeImageFile, type FloatImage, type TransformSpec } from '../data/index.js';
import type { MaskImage } from '../eval/index.js';
import { makeFolder } from '../driver/folders.js';

const intensitySteps = new Set(['normalize', 'to_rgb', 'color_jitter']);

/** The preprocessing steps that move pixels, without the ones that change their values. */
export function geometricSteps(steps: readonly TransformSpec[]): TransformSpec[] {
  return steps.filter((step) => !intensitySteps.has(step.op));
}

/** Decodes `file` as one channel and applies the geometric steps. */
export async function modelView(file: string, steps: readonly TransformSpec[]): Promise<FloatImage> {
  return applyTransforms(await decodeImageFile(file, { channels: 1 }), geometricSteps(steps));
}

/** A binary mask in the model's view: nonzero where the resampled mask is at least one half. */
export async function maskView(file: string, steps: readonly TransformSpec[]): Promise<MaskImage> {
  const image = await modelView(file, steps);
  const data = new Uint8Array(image.height * image.width);
  for (let i = 0; i < data.length; i++) data[i] = (image.data[i] as number) >= 0.5 ? 1 : 0;
  return { data, width: image.width, height: image.height };
}

/** Writes a one-channel image with values in [0, 1] (or a 0/1 mask) as an 8-bit PNG. */
export async function writeGrayPng(file: string, data: ArrayLike<number>, width: number, height: number, mask = false): Promise<void> {
  const bytes = Buffer.alloc(width * height);
  for (let i = 0; i < bytes.length; i++) {
    const value = data[i] as number;
    bytes[i] = mask ? (value !== 0 ? 255 : 0) : Math.round(Math.min(1, Math.max(0, value)) * 255);
  }
  makeFolder(dirname(file));
  await sharp(bytes, { raw: { width, height, channels: 1 } }).png().toFile(file);
}
