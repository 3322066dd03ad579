// Loading a run directory (layout in README.md beside this file): settings.json is required;
// metrics.jsonl, eval.json, heatmaps.json and similarity.json are optional, and each absent one
// is reported as a warning so its report section is visibly left out.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EvalError, pooledPatchSimilarity, tokenPatchSimilarity, type EvalIssue, type Tensor, type UpsampleMode } from '../eval/index.js';
import { describeJson, expectNumbers, expectObject, isFile, readJson, readTensor, resolveInRun } from './files.js';
import type { MetricsRecord } from './plots/curves.js';
import { evaluationsFromJson, type NamedTable } from './scores.js';

export interface RunSettings {
  specName: string;
  specFile?: string;
  specHash?: string;
  backend?: string;
  seeds: Record<string, number>;
  steps?: number;
  epochs?: number;
  batch?: number;
  tiercVersion?: string;
  createdAt?: string;
  data: { name?: string; synthetic: boolean; description?: string };
  /** Every other top-level key of settings.json, shown as given. */
  other: Record<string, unknown>;
}

export interface HeatmapImage {
  id: string;
  /** Absolute path of the x-ray, when the image is to be drawn. */
  image?: string;
  /** Label → absolute path of its mask PNG (nonzero = inside). */
  masks: Record<string, string>;
}

export interface HeatmapInputs {
  grid?: [number, number];
  percentiles: [number, number];
  upsample: UpsampleMode;
  /** Name of the prompt whose map is subtracted, usually "No Finding". */
  reference?: string;
  /** Patch embeddings [image, patch, dim]. */
  patches: Tensor;
  prompts: Record<string, Float32Array>;
  /** Labels to map, in order. */
  labels: string[];
  images: HeatmapImage[];
  /** How many overlays to draw per label. */
  draw: number;
  /** Name of the model whose patch embeddings these are, when the file records it. */
  model?: string;
}

export interface SimilarityModel {
  name: string;
  /** Pooled-token-to-patch cosines [image, patch]. */
  similarity: Tensor;
  /** Token-to-patch cosines [image, token, patch], for the entropy table. */
  tokenSimilarity?: Tensor;
  tokenCounts?: number[];
  /** Temperature that divides the cosines of `tokenSimilarity`, when the file records it. */
  temperature?: number;
}

export interface RunDirectory {
  dir: string;
  settings: RunSettings;
  metrics: MetricsRecord[] | null;
  evaluations: NamedTable[] | null;
  heatmaps: HeatmapInputs | null;
  similarity: { token: string; models: SimilarityModel[] } | null;
  warnings: EvalIssue[];
}

const settingsKeys = ['spec', 'backend', 'seed', 'seeds', 'steps', 'epochs', 'batch', 'tiercVersion', 'createdAt', 'data'];

/** Reads every file of a run directory that is present; malformed files raise an EvalError naming the file and value. */
export function loadRunDirectory(dir: string): RunDirectory {
  const settingsPath = path.join(dir, 'settings.json');
  if (!isFile(settingsPath)) {
    throw new EvalError({ code: 'TIER7031', file: settingsPath, message: `The run directory has no settings.json; the run directory layout is described in tierc's src/report/README.md.` });
  }
  const warnings: EvalIssue[] = [];
  const optional = <T>(name: string, what: string, load: (file: string) => T): T | null => {
    const file = path.join(dir, name);
    if (isFile(file)) return load(file);
    warnings.push({ code: 'TIER7034', file, message: `The file is absent, so the report has no ${what}.` });
    return null;
  };
  return {
    dir,
    settings: parseSettings(readJson(settingsPath, 'TIER7031'), settingsPath),
    metrics: optional('metrics.jsonl', 'training curves', (file) => parseMetricsJsonl(readFileSync(file, 'utf8'), file)),
    evaluations: optional('eval.json', 'AUROC table', (file) => evaluationsFromJson(readJson(file), file)),
    heatmaps: optional('heatmaps.json', 'heatmaps or localization table', (file) => parseHeatmaps(readJson(file), file, dir)),
    similarity: optional('similarity.json', 'rank-ordered similarity chart or entropy table', (file) => parseSimilarity(readJson(file), file, dir)),
    warnings,
  };
}

export function parseSettings(value: unknown, file: string): RunSettings {
  const object = expectObject(value, file, '(top level)');
  const spec = expectObject(object.spec, file, 'spec');
  if (typeof spec.name !== 'string' || spec.name === '') {
    throw new EvalError({ code: 'TIER7032', file, location: 'spec.name', message: `Expected the spec name as a non-empty string, found ${describeJson(spec.name)}.` });
  }
  const seeds: Record<string, number> = {};
  if (typeof object.seed === 'number') seeds.seed = object.seed;
  if (object.seeds !== undefined) {
    for (const [name, seed] of Object.entries(expectObject(object.seeds, file, 'seeds'))) {
      if (typeof seed !== 'number') throw new EvalError({ code: 'TIER7032', file, location: `seeds.${name}`, message: `Expected a number, found ${describeJson(seed)}.` });
      seeds[name] = seed;
    }
  }
  const data = object.data === undefined ? {} : expectObject(object.data, file, 'data');
  const settings: RunSettings = {
    specName: spec.name,
    seeds,
    data: { synthetic: data.synthetic === true },
    other: Object.fromEntries(Object.entries(object).filter(([key]) => !settingsKeys.includes(key))),
  };
  if (typeof spec.file === 'string') settings.specFile = spec.file;
  if (typeof spec.hash === 'string') settings.specHash = spec.hash;
  if (typeof object.backend === 'string') settings.backend = object.backend;
  if (typeof object.steps === 'number') settings.steps = object.steps;
  if (typeof object.epochs === 'number') settings.epochs = object.epochs;
  if (typeof object.batch === 'number') settings.batch = object.batch;
  if (typeof object.tiercVersion === 'string') settings.tiercVersion = object.tiercVersion;
  if (typeof object.createdAt === 'string') settings.createdAt = object.createdAt;
  if (typeof data.name === 'string') settings.data.name = data.name;
  if (typeof data.description === 'string') settings.data.description = data.description;
  return settings;
}

/**
 * Parses metrics.jsonl: one JSON object per line with a numeric 'step' and numeric fields (loss
 * terms, 'lr'). Null values become gaps; string fields are ignored except 'split', which prefixes
 * the names of that line's fields (for example 'val/loss') unless it is 'train'. Blank lines are skipped.
 */
export function parseMetricsJsonl(text: string, file: string): MetricsRecord[] {
  const records: MetricsRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const location = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new EvalError({ code: 'TIER7032', file, location, message: `The line is not valid JSON: ${(error as Error).message}.` });
    }
    const object = expectObject(value, file, location);
    if (typeof object.step !== 'number' || !Number.isFinite(object.step)) {
      throw new EvalError({ code: 'TIER7032', file, location, message: `Expected a numeric 'step' field, found ${describeJson(object.step)}.` });
    }
    const prefix = typeof object.split === 'string' && object.split !== 'train' ? `${object.split}/` : '';
    const values: Record<string, number> = {};
    for (const [key, field] of Object.entries(object)) {
      if (key === 'step' || key === 'split' || key === 'epoch') continue;
      if (typeof field === 'number') values[prefix + key] = field;
      else if (field === null) values[prefix + key] = Number.NaN;
    }
    records.push(prefix === '' ? { step: object.step, values } : { step: object.step, values, split: object.split as string });
  });
  return records;
}

function parseHeatmaps(value: unknown, file: string, dir: string): HeatmapInputs {
  const object = expectObject(value, file, '(top level)');
  const patches = readTensor(dir, object.patches, file, 'patches');
  const prompts: Record<string, Float32Array> = {};
  for (const [name, vector] of Object.entries(expectObject(object.prompts, file, 'prompts'))) {
    prompts[name] = Float32Array.from(expectNumbers(vector, file, `prompts.${name}`));
  }
  const reference = typeof object.reference === 'string' ? object.reference : undefined;
  if (reference !== undefined && !(reference in prompts)) {
    throw new EvalError({ code: 'TIER7022', file, location: 'reference', message: `The reference '${reference}' is not one of the prompts [${Object.keys(prompts).join(', ')}].` });
  }
  const labels = object.labels === undefined ? Object.keys(prompts).filter((name) => name !== reference) : stringList(object.labels, file, 'labels');
  for (const label of labels) {
    if (!(label in prompts)) throw new EvalError({ code: 'TIER7022', file, location: 'labels', message: `Label '${label}' has no prompt embedding in 'prompts'.` });
  }
  if (!Array.isArray(object.images)) throw new EvalError({ code: 'TIER7032', file, location: 'images', message: `Expected an array of images, found ${describeJson(object.images)}.` });
  const images = object.images.map((entry, index): HeatmapImage => {
    const image = expectObject(entry, file, `images[${index}]`);
    const result: HeatmapImage = { id: typeof image.id === 'string' ? image.id : String(index), masks: {} };
    if (image.image !== undefined) result.image = resolveInRun(dir, image.image, file, `images[${index}].image`);
    if (image.masks !== undefined) {
      for (const [label, maskPath] of Object.entries(expectObject(image.masks, file, `images[${index}].masks`))) {
        result.masks[label] = resolveInRun(dir, maskPath, file, `images[${index}].masks.${label}`);
      }
    }
    return result;
  });
  if (images.length !== patches.shape[0]) {
    throw new EvalError({ code: 'TIER7024', file, location: 'images', message: `There are ${images.length} images but the patches have shape [${patches.shape.join(', ')}].` });
  }
  const inputs: HeatmapInputs = {
    percentiles: object.percentiles === undefined ? [1, 99] : pair(object.percentiles, file, 'percentiles'),
    upsample: object.upsample === 'bilinear' ? 'bilinear' : 'nearest',
    patches,
    prompts,
    labels,
    images,
    draw: typeof object.draw === 'number' ? object.draw : 4,
  };
  if (object.upsample !== undefined && object.upsample !== 'nearest' && object.upsample !== 'bilinear') {
    throw new EvalError({ code: 'TIER7023', file, location: 'upsample', message: `Upsampling mode ${describeJson(object.upsample)} is not 'nearest' or 'bilinear'.` });
  }
  if (object.grid !== undefined) inputs.grid = pair(object.grid, file, 'grid');
  if (reference !== undefined) inputs.reference = reference;
  if (typeof object.model === 'string') inputs.model = object.model;
  return inputs;
}

function parseSimilarity(value: unknown, file: string, dir: string): { token: string; models: SimilarityModel[] } {
  const object = expectObject(value, file, '(top level)');
  if (!Array.isArray(object.models) || object.models.length === 0) {
    throw new EvalError({ code: 'TIER7032', file, location: 'models', message: 'Expected a non-empty array of models.' });
  }
  const models = object.models.map((entry, index): SimilarityModel => {
    const where = `models[${index}]`;
    const model = expectObject(entry, file, where);
    const name = typeof model.name === 'string' ? model.name : `model ${index + 1}`;
    const similarity =
      model.similarity !== undefined
        ? readTensor(dir, model.similarity, file, `${where}.similarity`)
        : pooledPatchSimilarity(readTensor(dir, model.pooled, file, `${where}.pooled`), readTensor(dir, model.patches, file, `${where}.patches`));
    const result: SimilarityModel = { name, similarity };
    if (model.tokenSimilarity !== undefined) {
      result.tokenSimilarity = readTensor(dir, model.tokenSimilarity, file, `${where}.tokenSimilarity`);
      if (model.temperature !== undefined) {
        if (typeof model.temperature !== 'number' || !(model.temperature > 0) || !Number.isFinite(model.temperature)) {
          throw new EvalError({ code: 'TIER7032', file, location: `${where}.temperature`, message: `Expected a positive number, found ${describeJson(model.temperature)}.` });
        }
        result.temperature = model.temperature;
      }
    } else if (model.tokens !== undefined) {
      // Plain cosines of token and patch embeddings: temperature 1.
      result.tokenSimilarity = tokenPatchSimilarity(readTensor(dir, model.tokens, file, `${where}.tokens`), readTensor(dir, model.patches, file, `${where}.patches`));
      result.temperature = 1;
    }
    if (model.tokenCounts !== undefined) result.tokenCounts = expectNumbers(model.tokenCounts, file, `${where}.tokenCounts`);
    return result;
  });
  return { token: typeof object.token === 'string' ? object.token : '[CLS]', models };
}

function pair(value: unknown, file: string, location: string): [number, number] {
  const numbers = expectNumbers(value, file, location);
  if (numbers.length !== 2) {
    throw new EvalError({ code: 'TIER7023', file, location, message: `Expected two numbers, found ${numbers.length}.` });
  }
  return [numbers[0] as number, numbers[1] as number];
}

function stringList(value: unknown, file: string, location: string): string[] {
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new EvalError({ code: 'TIER7032', file, location, message: `Expected an array of strings, found ${describeJson(value)}.` });
  }
  return value as string[];
}
