// One image of a batch, from path to model-ready tensor. The path must stay inside the root,
// symbolic links included. The image is decoded, then transformed with a generator seeded by
// (seed, epoch, row), so a sample looks the same whichever worker decodes it and when.
import { toIssue, type DataIssue } from './errors.js';
import { decodeImageFile, type ImageDecodeOptions } from './image.js';
import { resolveExistingInsideRoot } from './paths.js';
import { createRandom, mixSeed } from './random.js';
import { applyTransforms, type TransformSpec } from './transforms.js';

/** Everything a worker needs to turn a path into a tensor; plain data so it can be posted to a worker. */
export interface ImageStage {
  root: string;
  decode: ImageDecodeOptions;
  transforms: TransformSpec[];
  seed: number;
  /** [channels, height, width] every sample must have after the transforms. */
  shape: [number, number, number];
  /** Memory order of each sample in the batch: channels first (default) or channels last. */
  layout?: 'nchw' | 'nhwc';
}

export interface SampleJob {
  /** 0-based manifest row index; it seeds the augmentation. */
  rowIndex: number;
  row: number;
  line: number;
  /** Path as written in the manifest, relative to the root. */
  image: string;
  manifestFile: string;
  imageColumn: string;
}

export interface BatchImages {
  /** [jobs, channels, height, width] (or channels last); failed positions are left as zeros. */
  images: Float32Array;
  failures: Array<{ position: number; issue: DataIssue }>;
}

/** Decodes and transforms the images of one batch in order. */
export async function loadBatchImages(jobs: readonly SampleJob[], stage: ImageStage, epoch: number): Promise<BatchImages> {
  const [channels, height, width] = stage.shape;
  const size = channels * height * width;
  const images = new Float32Array(jobs.length * size);
  const failures: BatchImages['failures'] = [];
  for (let position = 0; position < jobs.length; position++) {
    const job = jobs[position] as SampleJob;
    const where = { file: job.manifestFile, row: job.row, line: job.line, column: job.imageColumn };
    try {
      const resolved = resolveExistingInsideRoot(stage.root, job.image);
      if (!resolved.ok) {
        failures.push({ position, issue: { code: resolved.reason === 'missing' ? 'TIER5011' : 'TIER5010', severity: 'error', message: resolved.message, ...where } });
        continue;
      }
      const decoded = await decodeImageFile(resolved.path, stage.decode);
      const random = createRandom(mixSeed(stage.seed, epoch, job.rowIndex));
      const image = applyTransforms(decoded, stage.transforms, random);
      if (image.channels !== channels || image.height !== height || image.width !== width) {
        failures.push({ position, issue: { code: 'TIER5031', severity: 'error', message: `The image became [${image.channels}, ${image.height}, ${image.width}] after preprocessing, but the batch needs [${channels}, ${height}, ${width}].`, ...where } });
        continue;
      }
      if (stage.layout === 'nhwc') writeChannelsLast(image.data, images, position * size, channels, height * width);
      else images.set(image.data, position * size);
    } catch (error) {
      const issue = toIssue(error, 'TIER5014', where);
      // The decoder names the image file; the manifest location is more useful, with the image path in the message.
      failures.push({ position, issue: { ...issue, ...where, message: `Image '${job.image}': ${issue.message}` } });
    }
  }
  return { images, failures };
}

/** Copies a planar (channel, row, column) image into `target` as (row, column, channel). */
function writeChannelsLast(planar: Float32Array, target: Float32Array, offset: number, channels: number, pixels: number): void {
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < pixels; i++) target[offset + i * channels + c] = planar[c * pixels + i] as number;
  }
}
