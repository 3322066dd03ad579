// Zero-shot classification scores. Each prompt embedding is L2-normalized (a no-op when the text
// tower already normalizes), each set is averaged and re-normalized, and each image embedding is
// normalized. A label's score per image is
//
//   difference: cos(img, pos) − cos(img, neg)                       (CheXpert protocol)
//   softmax2:   exp(s·cos(img,pos)) / (exp(s·cos(img,pos)) + exp(s·cos(img,neg)))
//             = σ(s · (cos(img,pos) − cos(img,neg)))                 (PadChest protocol)
//
// with logit scale s = 1 by default, which is the plain two-way softmax over the two cosines.
// Both rules rank the images of one checkpoint identically, so a single model's AUROC depends
// on neither the rule nor s. The rules differ once an ensemble averages scores over checkpoints.
import { EvalError } from './errors.js';
import type { LabelPolicy, LabelValue } from './labels.js';
import type { BootstrapOptions } from './metrics.js';
import { expandPrompts, type ExpandedPrompts, type ZeroShotPrompts } from './prompts.js';
import { aurocTable, type AurocTable } from './table.js';
import { dot, meanVector, normalized, type Tensor, type Vector } from './tensor.js';

/** Encodes texts to one embedding each, in order; either backend's text tower fits this. */
export type TextEncoder = (texts: string[]) => Promise<Float32Array[]>;

export type ScoreRule = 'difference' | 'softmax2';

export interface ScoreOptions {
  /** Default 'difference'. */
  rule?: ScoreRule;
  /** Multiplies both cosines before the softmax of 'softmax2'; ignored by 'difference'. Default 1. */
  logitScale?: number;
}

export interface LabelPromptEmbeddings {
  label: string;
  /** Mean of the positive prompt embeddings, re-normalized. */
  positive: Float64Array;
  /** Mean of the negative prompt embeddings, re-normalized. */
  negative: Float64Array;
}

export interface PromptEmbeddings {
  width: number;
  labels: LabelPromptEmbeddings[];
  /** Mean of the reference ("No Finding") prompts, re-normalized; null when there are none. */
  reference: Float64Array | null;
}

export interface ZeroShotScores {
  labels: string[];
  imageCount: number;
  /** Label → one score per image. */
  scores: Record<string, Float64Array>;
  rule: ScoreRule;
  logitScale: number;
  /** Number of checkpoints averaged (1 for a single model). */
  checkpoints: number;
}

/** Encodes every distinct prompt once and averages each label's positive and negative sets. */
export async function embedPrompts(prompts: ExpandedPrompts, encodeText: TextEncoder): Promise<PromptEmbeddings> {
  const texts = [
    ...new Set([...prompts.labels.flatMap((entry) => [...entry.positives, ...entry.negatives]), ...prompts.reference]),
  ];
  const embeddings = await encodeText(texts);
  if (!Array.isArray(embeddings) || embeddings.length !== texts.length) {
    throw new EvalError({
      code: 'TIER7012',
      message: `The text encoder returned ${Array.isArray(embeddings) ? embeddings.length : 'no'} embeddings for ${texts.length} prompts.`,
    });
  }
  const byText = new Map(texts.map((text, index) => [text, embeddings[index] as Float32Array]));
  const width = (embeddings[0] as Float32Array).length;
  for (const [text, embedding] of byText) {
    if (embedding.length !== width) {
      throw new EvalError({ code: 'TIER7013', message: `The embedding of prompt '${text}' has width ${embedding.length}, but the first has width ${width}.` });
    }
  }
  const average = (set: string[], what: string): Float64Array =>
    normalized(meanVector(set.map((text) => normalized(byText.get(text) as Float32Array, `prompt '${text}'`)), what), what);

  return {
    width,
    labels: prompts.labels.map((entry) => ({
      label: entry.label,
      positive: average(entry.positives, `the positive prompts of '${entry.label}'`),
      negative: average(entry.negatives, `the negative prompts of '${entry.label}'`),
    })),
    reference: prompts.reference.length > 0 ? average(prompts.reference, 'the reference prompts') : null,
  };
}

/** Scores every image for every label. `images` is [image, dim] as rows or as a rank-2 tensor. */
export function scoreImages(images: readonly Vector[] | Tensor, prompts: PromptEmbeddings, options: ScoreOptions = {}): ZeroShotScores {
  const rule = options.rule ?? 'difference';
  const logitScale = options.logitScale ?? 1;
  if (rule !== 'difference' && rule !== 'softmax2') {
    throw new EvalError({ code: 'TIER7016', message: `Score rule '${String(rule)}' is not 'difference' or 'softmax2'.` });
  }
  if (!(Number.isFinite(logitScale) && logitScale > 0)) {
    throw new EvalError({ code: 'TIER7016', message: `The logit scale must be a positive finite number, not ${logitScale}.` });
  }
  const rows = imageRows(images);
  const scores: Record<string, Float64Array> = {};
  for (const entry of prompts.labels) scores[entry.label] = new Float64Array(rows.length);

  rows.forEach((row, index) => {
    if (row.length !== prompts.width) {
      throw new EvalError({
        code: 'TIER7013',
        message: `Image embedding ${index} has width ${row.length}, but the prompt embeddings have width ${prompts.width}.`,
      });
    }
    const image = normalized(row, `image ${index}`);
    for (const entry of prompts.labels) {
      const difference = dot(image, entry.positive) - dot(image, entry.negative);
      const score = rule === 'difference' ? difference : 1 / (1 + Math.exp(-logitScale * difference));
      (scores[entry.label] as Float64Array)[index] = score;
    }
  });
  return { labels: prompts.labels.map((entry) => entry.label), imageCount: rows.length, scores, rule, logitScale, checkpoints: 1 };
}

/** Averages the scores of several checkpoints, label by label and image by image. */
export function ensembleScores(sets: readonly ZeroShotScores[]): ZeroShotScores {
  const first = sets[0];
  if (first === undefined) throw new EvalError({ code: 'TIER7015', message: 'An ensemble needs at least one checkpoint.' });
  sets.forEach((set, index) => {
    const sameLabels = set.labels.length === first.labels.length && set.labels.every((label, k) => label === first.labels[k]);
    if (!sameLabels || set.imageCount !== first.imageCount) {
      throw new EvalError({
        code: 'TIER7015',
        message: `Checkpoint ${index} scored labels [${set.labels.join(', ')}] on ${set.imageCount} images, but checkpoint 0 scored [${first.labels.join(', ')}] on ${first.imageCount}.`,
      });
    }
  });
  const scores: Record<string, Float64Array> = {};
  for (const label of first.labels) {
    const mean = new Float64Array(first.imageCount);
    for (const set of sets) {
      const column = set.scores[label] as Float64Array;
      for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) + (column[i] as number) / sets.length;
    }
    scores[label] = mean;
  }
  const checkpoints = sets.reduce((sum, set) => sum + set.checkpoints, 0);
  return { ...first, scores, checkpoints };
}

export interface CheckpointEmbeddings {
  /** A name for messages, for example the checkpoint file. */
  name?: string;
  /** Global image embeddings of the evaluation images, [image, dim], in the order of the label columns. */
  imageEmbeddings: readonly Vector[] | Tensor;
  /** This checkpoint's text tower. */
  encodeText: TextEncoder;
}

export interface ZeroShotEvaluationInput {
  /** One entry per checkpoint; several are ensembled by averaging their scores. */
  checkpoints: readonly CheckpointEmbeddings[];
  prompts: ZeroShotPrompts;
  /** Label name → one label value per image; every prompt label needs a column, extra columns are ignored. */
  labels: Readonly<Record<string, readonly LabelValue[]>>;
  score?: ScoreOptions;
  policy?: LabelPolicy;
  /** Default false (point estimates only). */
  bootstrap?: BootstrapOptions | false;
}

export interface ZeroShotEvaluation {
  prompts: ExpandedPrompts;
  /** Scores of each checkpoint, in input order. */
  perCheckpoint: ZeroShotScores[];
  /** The ensemble mean (equal to the single checkpoint's scores when there is one). */
  scores: ZeroShotScores;
  table: AurocTable;
}

/** Runs zero-shot evaluation end to end: expand prompts, embed them per checkpoint, score, ensemble, AUROC. */
export async function evaluateZeroShot(input: ZeroShotEvaluationInput): Promise<ZeroShotEvaluation> {
  const prompts = expandPrompts(input.prompts);
  const perCheckpoint: ZeroShotScores[] = [];
  for (const [index, checkpoint] of input.checkpoints.entries()) {
    try {
      const embeddings = await embedPrompts(prompts, checkpoint.encodeText);
      perCheckpoint.push(scoreImages(checkpoint.imageEmbeddings, embeddings, input.score));
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      // Name the checkpoint, because the same prompts may fail only with one text tower.
      const where = `checkpoint '${checkpoint.name ?? index}'`;
      const location = error.issue.location === undefined ? where : `${where}, ${error.issue.location}`;
      throw new EvalError({ ...error.issue, location });
    }
  }
  const scores = ensembleScores(perCheckpoint);
  const truth: Record<string, readonly LabelValue[]> = {};
  for (const label of scores.labels) {
    const column = input.labels[label];
    if (column === undefined) {
      throw new EvalError({ code: 'TIER7007', location: 'labels', message: `Label '${label}' has prompts but no label column.` });
    }
    truth[label] = column;
  }
  const table = aurocTable(scores.scores, truth, { ...(input.policy ? { policy: input.policy } : {}), bootstrap: input.bootstrap ?? false });
  return { prompts, perCheckpoint, scores, table };
}

function imageRows(images: readonly Vector[] | Tensor): Vector[] {
  if (!('shape' in images) || Array.isArray(images)) return [...(images as readonly Vector[])];
  const tensorValue = images as Tensor;
  if (tensorValue.shape.length !== 2) {
    throw new EvalError({ code: 'TIER7024', message: `Image embeddings have shape [${tensorValue.shape.join(', ')}], but they must have shape [image, dim].` });
  }
  const [count, width] = tensorValue.shape as [number, number];
  return Array.from({ length: count }, (_, i) => tensorValue.data.subarray(i * width, (i + 1) * width));
}
