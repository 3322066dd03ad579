// Writers for the run directory, so the trainer and the demo produce exactly the layout that
// `loadRunDirectory` reads (README.md beside this file). Every file is written through a
// temporary name and a rename, except metrics.jsonl, which grows one line per logged step.
import { appendLineToFile } from '../driver/append.js';
import path from 'node:path';
import { EvalError, type Tensor } from '../eval/index.js';
import { writeAtomically, writeFailure } from './files.js';
import { aurocFormat, type NamedTable } from './scores.js';
import { makeFolder } from '../driver/folders.js';

export interface SettingsInput {
  spec: { name: string; file?: string; hash?: string };
  backend?: string;
  seeds?: Record<string, number>;
  steps?: number;
  epochs?: number;
  batch?: number;
  tiercVersion?: string;
  createdAt?: string;
  data?: { name?: string; synthetic: boolean; description?: string };
  /** Further settings shown as given, for example the loss weights. */
  [key: string]: unknown;
}

/** Writes settings.json, creating the run directory when needed. */
export function writeSettings(dir: string, settings: SettingsInput): void {
  makeFolder(dir);
  writeAtomically(path.join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * Appends one step to metrics.jsonl; NaN and infinite values are written as null (a gap). A
 * failed write leaves the file's earlier lines and raises TIER7035.
 */
export function appendMetrics(dir: string, record: { step: number } & Record<string, number | string | null>): void {
  const line: Record<string, number | string | null> = {};
  for (const [key, value] of Object.entries(record)) line[key] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  const file = path.join(dir, 'metrics.jsonl');
  try {
    appendLineToFile(file, `${JSON.stringify(line)}\n`);
  } catch (error) {
    throw new EvalError({ code: 'TIER7035', file, message: writeFailure(file, error) });
  }
}

/** Writes eval.json from AUROC tables, one per model; a single unnamed table uses the plain form. */
export function writeEvaluation(dir: string, tables: readonly NamedTable[]): void {
  const only = tables[0];
  const body = tables.length === 1 && only !== undefined ? { format: aurocFormat, ...only } : { models: tables.map((entry) => ({ format: aurocFormat, ...entry })) };
  writeAtomically(path.join(dir, 'eval.json'), `${JSON.stringify(body)}\n`);
}

/** Writes a tensor as raw little-endian float32 at `relative` inside `dir` and returns its reference. */
export function writeTensor(dir: string, relative: string, value: Tensor): { file: string; shape: number[] } {
  const file = path.join(dir, relative);
  makeFolder(path.dirname(file));
  const bytes = Buffer.alloc(value.data.length * 4);
  for (let i = 0; i < value.data.length; i++) bytes.writeFloatLE(value.data[i] as number, i * 4);
  writeAtomically(file, bytes);
  return { file: relative.split(path.sep).join('/'), shape: [...value.shape] };
}

export interface HeatmapWriteInput {
  /** Patch embeddings [image, patch, dim], one row per image below. */
  patches: Tensor;
  /** Prompt embedding per label, and the reference's under its name. */
  prompts: Record<string, ArrayLike<number>>;
  reference?: string;
  labels?: string[];
  grid?: [number, number];
  percentiles?: [number, number];
  upsample?: 'nearest' | 'bilinear';
  draw?: number;
  /** Name of the model whose patch embeddings these are; the report names it above the heatmaps. */
  model?: string;
  /** Paths relative to the run directory (copy or link the images and masks into it). */
  images: { id: string; image?: string; masks?: Record<string, string> }[];
}

/** Writes heatmaps.json and its patch tensor (heatmaps/patches.f32). */
export function writeHeatmapInputs(dir: string, input: HeatmapWriteInput): void {
  if (input.images.length !== input.patches.shape[0]) {
    throw new EvalError({ code: 'TIER7024', message: `There are ${input.images.length} images but the patches have shape [${input.patches.shape.join(', ')}].` });
  }
  const { patches, prompts, ...rest } = input;
  const body = {
    ...rest,
    patches: writeTensor(dir, path.join('heatmaps', 'patches.f32'), patches),
    prompts: Object.fromEntries(Object.entries(prompts).map(([name, vector]) => [name, Array.from(vector)])),
  };
  writeAtomically(path.join(dir, 'heatmaps.json'), `${JSON.stringify(body)}\n`);
}

export interface SimilarityWriteModel {
  name: string;
  /** Pooled-token-to-patch cosines [image, patch]. */
  similarity: Tensor;
  /** Token-to-patch similarities [image, token, patch], for the entropy table: cosines, or cosines divided by `temperature`. */
  tokenSimilarity?: Tensor;
  tokenCounts?: number[];
  /** Temperature that divides the cosines of `tokenSimilarity`; the entropy table shows it. */
  temperature?: number;
}

/** Writes similarity.json and one tensor file per model and kind under similarity/. */
export function writeSimilarityInputs(dir: string, token: string, models: readonly SimilarityWriteModel[]): void {
  const entries = models.map((model, index) => {
    const entry: Record<string, unknown> = { name: model.name, similarity: writeTensor(dir, path.join('similarity', `model${index}-pooled.f32`), model.similarity) };
    if (model.tokenSimilarity !== undefined) entry.tokenSimilarity = writeTensor(dir, path.join('similarity', `model${index}-tokens.f32`), model.tokenSimilarity);
    if (model.tokenCounts !== undefined) entry.tokenCounts = model.tokenCounts;
    if (model.temperature !== undefined) entry.temperature = model.temperature;
    return entry;
  });
  writeAtomically(path.join(dir, 'similarity.json'), `${JSON.stringify({ token, models: entries })}\n`);
}
