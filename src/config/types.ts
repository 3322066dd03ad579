// Typed configs read from a spec's settings blocks, shaped like the options the data loader,
// trainer, evaluator and ONNX exporter take, so wiring a spec to them is a few field copies.
// Paths are absolute, resolved against the folder of the file that declares the block. Every
// config lists in `defaulted` the options the spec left out and a default filled in.
import type { Span } from '../diagnostics/types.js';
import type { ManifestOptions, TransformSpec } from '../data/index.js';

export type { ManifestOptions, TransformSpec };

interface ConfigBase {
  /** Dotted option paths that were not written and took their default, for `tierc explain`. */
  defaulted: string[];
  span: Span;
}

/** `data NAME { … }`: a manifest and how to read it; `ManifestOptions` is the data loader's input. */
export interface DataConfig extends ConfigBase, ManifestOptions {
  name: string;
  /** 'fail' stops at the first unusable image; 'skip' drops it and reports it. Default 'fail'. */
  onMissingFile: 'fail' | 'skip';
}

/** `preprocess [NAME] { … }`: the deterministic image pipeline and the tokenizer settings. */
export interface PreprocessConfig extends ConfigBase {
  name: string | undefined;
  /** Steps applied to every image (evaluation) and after augmentation (training). */
  image: TransformSpec[];
  /** Height and width the pipeline ends at; 224 when it sets none. */
  imageSize: number;
  /** Channels the pipeline ends with: 3 after `to_rgb`, else 1. */
  channels: number;
  text: {
    /** WordPiece `vocab.txt` or Hugging Face `tokenizer.json`; absent for a model without a tokenizer file. */
    tokenizer?: string;
    maxLen: number;
    padding: 'longest' | 'max_length';
  };
}

export type Duration = { unit: 'epochs' | 'steps'; value: number };

export interface OptimizerConfig {
  kind: 'adam' | 'adamw' | 'sgd';
  lr: number;
  weightDecay: number;
  /** Adam and AdamW only. */
  betas: [number, number];
  eps: number;
  /** SGD only. */
  momentum: number;
}

export type LrSchedule =
  | { kind: 'constant' }
  /** Linear warm-up over `warmupSteps`, then cosine decay to `minLr` at the end of training. */
  | { kind: 'cosine'; warmupSteps: number; minLr: number };

export interface CheckpointConfig {
  every: Duration;
  /** Checkpoints kept: the last `count`, or the best `count` by an eval metric. */
  keep: { count: number; mode: 'last' } | { count: number; mode: 'best'; eval: string; metric: string };
}

/** `train [NAME] { … }` */
export interface TrainConfig extends ConfigBase {
  name: string | undefined;
  model: string;
  /** The data block and split to train on; split 'train' unless written (all rows of a data block without a split are in 'train'). */
  data: { name: string; split: string };
  /** The preprocess block by name; undefined means the spec's only (or unnamed) one. */
  preprocess: string | undefined;
  batch: number;
  duration: Duration;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  /** Random steps applied before the preprocess pipeline's image steps. */
  augment: TransformSpec[];
  /**
   * Parameter name prefixes that stay fixed, in addition to the encoders' `freeze` options. The
   * lowered module of the trained model already has these parameters marked not trainable.
   */
  freeze: string[];
  checkpoint: CheckpointConfig;
  seed: number;
  /** Eval blocks run after each epoch. */
  eval: string[];
}

export interface ZeroShotConfig {
  /** Label name → positive prompts, in spec order; the evaluator's `ZeroShotPrompts.labels`. */
  labels: Record<string, string[]>;
  /** Shared negatives; `{label}` is filled per label. */
  negatives: string[];
  score: 'difference' | 'softmax2';
}

export interface HeatmapConfig {
  label: string;
  /** Label whose map is subtracted ("No Finding"); none when absent. */
  reference: string | undefined;
  upsample: 'nearest' | 'bilinear';
  /** Number of images to draw. */
  images: number;
  percentiles: [number, number];
}

/** `eval NAME { … }` */
export interface EvalConfig extends ConfigBase {
  name: string;
  /**
   * The data block and split to score. Left out, the split is 'test' for data with a split
   * column, 'validate' for a grouped split without a test part, and 'train' (every row) for
   * data without a split.
   */
  data: { name: string; split: string };
  model: string | undefined;
  preprocess: string | undefined;
  batch: number;
  zeroshot: ZeroShotConfig | undefined;
  metrics: { auroc: { bootstrap: number | false } };
  heatmaps: HeatmapConfig | undefined;
  /** Rank-ordered [CLS]-to-patch similarities over this many images; undefined when not asked. */
  similarities: { images: number } | undefined;
  /** Checkpoints whose scores are averaged: the best `count` by the training checkpoint rule. */
  ensemble: number;
}

export type OnnxGraphName = 'image_tower' | 'text_tower' | 'similarity_map' | 'zeroshot';

/** `export onnx { … }`; fields named as the ONNX backend's `OnnxCompileOptions`. */
export interface ExportConfig extends ConfigBase {
  format: 'onnx';
  model: string;
  checkpoint: string | undefined;
  opset: number;
  graphs: OnnxGraphName[];
  dynamic: string[];
  /** Output folder; default `export/<model>` next to the spec. */
  output: string;
}

/** Every config of a program. */
export interface SpecConfigs {
  data: DataConfig[];
  preprocess: PreprocessConfig[];
  train: TrainConfig[];
  eval: EvalConfig[];
  export: ExportConfig[];
}
