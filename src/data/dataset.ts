// One entry point for a spec's `data`, `preprocess` and `train.augment` blocks: reads the
// manifest and the tokenizer once and builds loaders for a split, with the test-time steps or
// the training steps (the preprocessing crop replaced by the augmentation).
import { DataError, type DataIssue } from './errors.js';
import type { ImageDecodeOptions } from './image.js';
import { readManifest, type Manifest, type ManifestOptions, type ManifestRow } from './manifest.js';
import { createLoader, type DataLoader } from './loader.js';
import { loadTokenizer } from './tokenizer/index.js';
import type { TextTokenizer } from './tokenizer/types.js';
import { describePreprocess, type PreprocessMetadata, type TransformSpec } from './transforms.js';

export interface DatasetOptions {
  manifest: ManifestOptions;
  image?: ImageDecodeOptions;
  onMissing?: 'fail' | 'skip';
  /** vocab.txt or tokenizer.json, the maximum length, and the padding rule. */
  tokenizer: { path: string; maxLen: number; padding?: 'longest' | 'max_length'; lowercase?: boolean };
  /** Test-time steps, for example resize(256) | center_crop(224) | to_rgb | normalize. */
  preprocess: TransformSpec[];
  /** Training-time random steps; see `trainingTransforms` for how they combine with `preprocess`. */
  augment?: TransformSpec[];
}

export interface LoaderRequest {
  split: string;
  batchSize: number;
  /** Training uses the augmentation and shuffles; evaluation uses the test-time steps in file order. */
  training: boolean;
  seed?: number;
  workers?: number;
  prefetch?: number;
  dropLast?: boolean;
  layout?: 'nchw' | 'nhwc';
}

export interface Dataset {
  manifest: Manifest;
  tokenizer: TextTokenizer;
  /** Rows of one split. */
  rows(split: string): ManifestRow[];
  loader(request: LoaderRequest): DataLoader;
  /** The test-time preprocessing, for ONNX metadata. */
  preprocessMetadata(): PreprocessMetadata;
}

const cropOps = new Set(['center_crop', 'random_resized_crop']);

/**
 * Builds the training steps. An augmentation with its own crop (random_resized_crop) replaces
 * the first crop of the test-time steps, as torchvision training pipelines do. Any other
 * augmentation runs after that crop. Either way 'to_rgb' and 'normalize' stay last.
 */
export function trainingTransforms(preprocess: readonly TransformSpec[], augment: readonly TransformSpec[]): TransformSpec[] {
  if (augment.length === 0) return preprocess.slice();
  const crop = preprocess.findIndex((step) => cropOps.has(step.op));
  const augmentCrops = augment.some((step) => cropOps.has(step.op));
  if (crop >= 0 && augmentCrops) return [...preprocess.slice(0, crop), ...augment, ...preprocess.slice(crop + 1)];
  if (crop >= 0) return [...preprocess.slice(0, crop + 1), ...augment, ...preprocess.slice(crop + 1)];
  const tail = preprocess.findIndex((step) => step.op === 'to_rgb' || step.op === 'normalize');
  const at = tail >= 0 ? tail : preprocess.length;
  return [...preprocess.slice(0, at), ...augment, ...preprocess.slice(at)];
}

/** Reads the manifest and tokenizer; throws `DataError` when a manifest row has an error that `onMissing` does not skip. */
export function openDataset(options: DatasetOptions): Dataset {
  const manifest = readManifest(options.manifest);
  // 'skip' covers rows without a usable image file; bad labels, texts or paths still fail.
  const skippable = (issue: DataIssue): boolean => options.onMissing === 'skip' && issue.code === 'TIER5011';
  const errors = manifest.issues.filter((issue: DataIssue) => issue.severity === 'error' && !skippable(issue));
  if (errors.length > 0) {
    const first = errors[0] as DataIssue;
    throw new DataError({ ...first, message: `${first.message} (${errors.length === 1 ? '1 row has errors' : `${errors.length} rows have errors`}; run 'tierc data check' to list them)` });
  }
  const tokenizer = loadTokenizer(options.tokenizer.path, { lowercase: options.tokenizer.lowercase ?? true });
  const rows = (split: string): ManifestRow[] => manifest.rows.filter((row) => row.split === split);
  return {
    manifest,
    tokenizer,
    rows,
    loader(request) {
      const selected = rows(request.split);
      if (selected.length === 0) {
        const present = [...new Set(manifest.rows.map((row) => row.split))].map((name) => `'${name}'`).join(', ');
        throw new DataError({ code: 'TIER5009', file: manifest.file, message: `Split '${request.split}' has no rows; the manifest has splits ${present || 'none'}.` });
      }
      return createLoader({
        rows: selected,
        root: options.manifest.image.root,
        manifestFile: manifest.file,
        imageColumn: options.manifest.image.column,
        ...(options.image !== undefined ? { image: options.image } : {}),
        transforms: request.training ? trainingTransforms(options.preprocess, options.augment ?? []) : options.preprocess,
        tokenizer,
        text: { maxLen: options.tokenizer.maxLen, padding: options.tokenizer.padding ?? 'longest' },
        batchSize: request.batchSize,
        shuffle: request.training,
        dropLast: request.dropLast ?? false,
        seed: request.seed ?? 0,
        ...(request.workers !== undefined ? { workers: request.workers } : {}),
        ...(request.prefetch !== undefined ? { prefetch: request.prefetch } : {}),
        onMissing: options.onMissing ?? 'fail',
        layout: request.layout ?? 'nchw',
      });
    },
    preprocessMetadata: () => describePreprocess(options.preprocess, options.image?.channels ?? 1),
  };
}
