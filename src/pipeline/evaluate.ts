// Evaluates trained checkpoints of a spec on an eval block's split: zero-shot AUROC (scores
// averaged over the checkpoints), heatmaps with the pointing game and the mask-weighted hit rate
// for every label that has masks, and token-to-patch entropy statistics. It writes eval.json,
// heatmaps.json, similarity.json and eval-summary.json into the run directory.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { specHash } from '../ir/hash.js';
import type { EvalConfig } from '../config/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import {
  embedPrompts,
  evaluateZeroShot,
  expandPrompts,
  labelHeatmaps,
  localizationScores,
  patchEntropyStats,
  pooledPatchSimilarity,
  tokenPatchSimilarity,
  type AurocTable,
  type EntropyStats,
  type LabelValue,
  type MaskImage,
  type Tensor,
  type ZeroShotPrompts,
} from '../eval/index.js';
import type { BackendName } from '../runtime/backend.js';
import { writeEvaluation, writeHeatmapInputs, writeSimilarityInputs } from '../report/write.js';
import { writeAtomically } from '../report/files.js';
import { embedSplit, promptEncoder, type SplitEmbeddings } from './embed.js';
import { createForwardRunner, type ForwardRunner } from './forward.js';
import { openSpecDataset } from './source.js';
import { PipelineError, type SpecPlan } from './spec.js';
import { maskView, modelView, writeGrayPng } from './views.js';
import { loadWeights, type LoadedWeights } from './weights.js';
import { makeFolder } from '../driver/folders.js';

export interface EvalSpecOptions {
  cwd: string;
  /** Checkpoints to ensemble (folders, run folders or .safetensors files). */
  weights: string[];
  /** The eval block by name; default the first one of the model. */
  eval?: string;
  /** Run directory for the output files; default the first weights' run folder, else `runs/<model>`. */
  outDir?: string;
  backend?: BackendName;
  /** Bootstrap resamples for AUROC intervals; default the eval block's setting. */
  bootstrap?: number | false;
  /** Name of the model in eval.json and similarity.json; default the model name. */
  name?: string;
  /** Receives warnings, such as TIER6022 for a run folder's newest checkpoint that was skipped. */
  onDiagnostic?(diagnostic: Diagnostic): void;
}

export interface LabelLocalization {
  label: string;
  /** Images of the split with a non-empty mask for the label. */
  images: number;
  pointingGame: number | null;
  hitRate: number | null;
}

export type EntropySummary = Omit<EntropyStats, 'perImage'>;

export interface EvalSpecResult {
  model: string;
  name: string;
  eval: string;
  split: string;
  images: number;
  checkpoints: string[];
  /** Each evaluated checkpoint: its path, step, and for a run folder how it was chosen ('newest' or 'best by METRIC (VALUE)'). */
  checkpointsUsed: Array<{ path: string; step: number | null; choice: string | null }>;
  backend: BackendName;
  table: AurocTable;
  meanAuroc: number | null;
  localization: LabelLocalization[];
  /** Means over the labels with masks. */
  meanPointingGame: number | null;
  meanHitRate: number | null;
  entropy: {
    /** Entropy of softmax over patches of the model's own `similarity` output (its temperature included). */
    model: EntropySummary | undefined;
    /** The same over plain cosines at temperature 1, the input of the unmodified regularizer. */
    cosine: EntropySummary | undefined;
  };
  outDir: string;
  seconds: number;
}

/** Evaluates `options.weights` on the eval block's split and writes the run directory files. */
export async function evaluateSpec(plan: SpecPlan, options: EvalSpecOptions): Promise<EvalSpecResult> {
  const started = performance.now();
  const config = chooseEval(plan, options.eval);
  if (config.zeroshot === undefined) {
    throw new PipelineError([makeDiagnostic('TIER8001', `Eval block '${config.name}' has no zeroshot section with prompts, which evaluation needs.`, config.span)], plan.checked.sources);
  }
  if (options.weights.length === 0) throw new PipelineError([makeDiagnostic('TIER8002', 'No weights were given; pass --weights with a checkpoint folder or a run folder.', undefined)]);
  const hash = specHash(plan.model.module);
  const loaded = options.weights.map((given) => loadWeights(given, options.cwd, hash));
  for (const warning of loaded.flatMap((weights) => weights.warnings ?? [])) options.onDiagnostic?.(warning);
  const outDir = resolve(options.cwd, options.outDir ?? runFolderOf(loaded[0] as LoadedWeights) ?? `runs/${plan.model.name}`);
  const dataset = openSpecDataset(plan, 'evaluate');
  const preprocess = plan.preprocess!;
  const text = { maxLen: preprocess.text.maxLen, padding: preprocess.text.padding };

  const runners: ForwardRunner[] = [];
  try {
    const embeddings: SplitEmbeddings[] = [];
    for (const weights of loaded) {
      const runner = await createForwardRunner(plan.model.module, weights.weights, { specFile: plan.specFile, ...(options.backend ? { backend: options.backend } : {}) });
      runners.push(runner);
      embeddings.push(await embedSplit(runner, dataset, config.data.split, config.batch));
    }
    const first = embeddings[0] as SplitEmbeddings;
    const firstRunner = runners[0] as ForwardRunner;
    const prompts: ZeroShotPrompts = { labels: config.zeroshot.labels, negatives: config.zeroshot.negatives };
    const labels = labelColumns(first, dataset.manifest.labelNames);
    const bootstrap = options.bootstrap ?? config.metrics.auroc.bootstrap;
    const zeroShot = await evaluateZeroShot({
      checkpoints: embeddings.map((split, index) => ({
        name: (loaded[index] as LoadedWeights).name,
        imageEmbeddings: split.image,
        encodeText: promptEncoder(runners[index] as ForwardRunner, dataset.tokenizer, text),
      })),
      prompts,
      labels,
      score: { rule: config.zeroshot.score },
      bootstrap: bootstrap === false ? false : { resamples: bootstrap, seed: 0 },
    });

    // Heatmaps and entropies come from the first checkpoint, because they compare patch maps, not scores.
    const promptEmbeddings = await embedPrompts(zeroShot.prompts, promptEncoder(firstRunner, dataset.tokenizer, text));
    const localization: LabelLocalization[] = [];
    const masksByLabel = new Map<string, (MaskImage | null)[]>();
    if (first.patches !== undefined) {
      for (const entry of promptEmbeddings.labels) {
        const masks = await Promise.all(first.rows.map((row) => (row.masks[entry.label] ? maskView(row.masks[entry.label] as string, preprocess.image) : null)));
        if (!masks.some((mask) => mask !== null)) continue;
        masksByLabel.set(entry.label, masks);
        const heatmaps = labelHeatmaps(first.patches, entry.positive, {
          reference: promptEmbeddings.reference,
          ...(config.heatmaps ? { percentiles: config.heatmaps.percentiles } : {}),
        });
        const scores = localizationScores(heatmaps, masks, config.heatmaps?.upsample ?? 'nearest');
        localization.push({ label: entry.label, images: scores.images, pointingGame: scores.pointingGame, hitRate: scores.hitRate });
      }
    }
    const modelEntropy = first.similarity ? summary(patchEntropyStats(first.similarity, { tokenCounts: first.tokenCounts })) : undefined;
    const cosine = first.tokens && first.patches ? tokenPatchSimilarity(first.tokens, first.patches) : undefined;
    const cosineEntropy = cosine ? summary(patchEntropyStats(cosine, { tokenCounts: first.tokenCounts })) : undefined;

    const name = options.name ?? plan.model.name;
    const scored = loaded.map((weights) => ({ name: weights.name, step: weights.step ?? null, ...(weights.choice !== undefined ? { choice: weights.choice } : {}) }));
    makeFolder(outDir);
    writeEvaluation(outDir, [{ name, table: zeroShot.table, checkpoints: scored }]);
    if (first.patches !== undefined) await writeHeatmaps(outDir, name, first, promptEmbeddings, masksByLabel, config, preprocess.image);
    if (first.patches !== undefined && first.text !== undefined) {
      // The model's own similarity is its cosines divided by its temperature; plain cosines have temperature 1.
      let temperature: number | undefined = 1;
      if (first.similarity !== undefined) temperature = cosine === undefined ? undefined : similarityTemperature(first.similarity, cosine);
      writeSimilarityInputs(outDir, 'pooled', [
        {
          name,
          similarity: pooledPatchSimilarity(first.text, first.patches),
          ...(first.similarity ?? cosine ? { tokenSimilarity: (first.similarity ?? cosine) as Tensor, tokenCounts: first.tokenCounts } : {}),
          ...(temperature !== undefined ? { temperature } : {}),
        },
      ]);
    }
    const result: EvalSpecResult = {
      model: plan.model.name,
      name,
      eval: config.name,
      split: config.data.split,
      images: first.rows.length,
      checkpoints: loaded.map((weights) => weights.path),
      checkpointsUsed: loaded.map((weights) => ({ path: weights.path, step: weights.step ?? null, choice: weights.choice ?? null })),
      backend: firstRunner.backend,
      table: zeroShot.table,
      meanAuroc: zeroShot.table.macro.auroc,
      localization,
      meanPointingGame: meanOf(localization.map((entry) => entry.pointingGame)),
      meanHitRate: meanOf(localization.map((entry) => entry.hitRate)),
      entropy: { model: modelEntropy, cosine: cosineEntropy },
      outDir,
      seconds: (performance.now() - started) / 1000,
    };
    writeAtomically(join(outDir, 'eval-summary.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    for (const runner of runners) runner.dispose();
  }
}

function chooseEval(plan: SpecPlan, wanted: string | undefined): EvalConfig {
  const names = plan.evals.map((config) => `'${config.name}'`).join(', ') || 'none';
  const config = wanted === undefined ? plan.evals[0] : plan.evals.find((entry) => entry.name === wanted);
  if (config === undefined) {
    const message = wanted === undefined ? `Model '${plan.model.name}' has no eval block; add one with a zeroshot section.` : `Eval block '${wanted}' is not declared; the spec declares ${names}.`;
    throw new PipelineError([makeDiagnostic('TIER8001', message, undefined)], plan.checked.sources);
  }
  return config;
}

function runFolderOf(weights: LoadedWeights): string | undefined {
  const match = /^(.*)[/\\]checkpoints[/\\]step-\d{8}$/.exec(weights.path);
  return match?.[1];
}

/** Label columns in embedding order: 1 or 0 where known, null where the policy ignores the value. */
export function labelColumns(split: SplitEmbeddings, names: readonly string[]): Record<string, LabelValue[]> {
  const columns: Record<string, LabelValue[]> = {};
  names.forEach((label, k) => {
    columns[label] = split.rows.map((row) => (row.labelMask[k] === 1 ? (row.labels[k] as number) : null));
  });
  return columns;
}

async function writeHeatmaps(
  outDir: string,
  model: string,
  split: SplitEmbeddings,
  prompts: Awaited<ReturnType<typeof embedPrompts>>,
  masks: Map<string, (MaskImage | null)[]>,
  config: EvalConfig,
  steps: Parameters<typeof modelView>[1],
): Promise<void> {
  const reference = config.heatmaps?.reference ?? 'No Finding';
  const images = [];
  for (const [index, row] of split.rows.entries()) {
    const id = row.id.replace(/[^A-Za-z0-9_-]/g, '_');
    const view = await modelView(row.imagePath, steps);
    const image = `heatmaps/${id}.png`;
    await writeGrayPng(join(outDir, image), view.data, view.width, view.height);
    const written: Record<string, string> = {};
    for (const [label, list] of masks) {
      const mask = list[index];
      if (!mask) continue;
      const file = `heatmaps/${id}-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.png`;
      await writeGrayPng(join(outDir, file), mask.data, mask.width, mask.height, true);
      written[label] = file;
    }
    images.push({ id: row.id, image, ...(Object.keys(written).length > 0 ? { masks: written } : {}) });
  }
  const vectors: Record<string, ArrayLike<number>> = {};
  for (const entry of prompts.labels) vectors[entry.label] = entry.positive;
  if (prompts.reference !== null) vectors[reference] = prompts.reference;
  writeHeatmapInputs(outDir, {
    patches: split.patches as Tensor,
    prompts: vectors,
    ...(prompts.reference !== null ? { reference } : {}),
    labels: prompts.labels.map((entry) => entry.label),
    percentiles: config.heatmaps?.percentiles ?? [1, 99],
    upsample: config.heatmaps?.upsample ?? 'nearest',
    draw: config.heatmaps?.images ?? 4,
    model,
    images,
  });
}

/**
 * Returns the temperature T for which `similarity` equals `cosine` / T, by least squares and
 * rounded to 4 significant digits. Returns undefined when no single T fits every entry within
 * 1e-3, as for a similarity that is not a scaled cosine.
 */
function similarityTemperature(similarity: Tensor, cosine: Tensor): number | undefined {
  if (similarity.data.length !== cosine.data.length) return undefined;
  let product = 0;
  let squared = 0;
  for (let i = 0; i < similarity.data.length; i++) {
    product += (cosine.data[i] as number) * (similarity.data[i] as number);
    squared += (similarity.data[i] as number) ** 2;
  }
  if (!(squared > 0)) return undefined;
  const temperature = product / squared;
  for (let i = 0; i < similarity.data.length; i++) {
    if (!(Math.abs((cosine.data[i] as number) - temperature * (similarity.data[i] as number)) <= 1e-3)) return undefined;
  }
  return temperature > 0 ? Number(temperature.toPrecision(4)) : undefined;
}

function summary(stats: EntropyStats): EntropySummary {
  const { perImage: _perImage, ...rest } = stats;
  return rest;
}

function meanOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : null;
}
