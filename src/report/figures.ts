// Computes the report's figures and tables from a loaded run directory: training curves,
// heatmap overlays with the localization table, and the rank-ordered similarity chart with
// the token-to-patch entropy table. Pictures come back as PNG buffers.
import sharp from 'sharp';
import {
  EvalError,
  labelHeatmaps,
  localizationScores,
  patchEntropyStats,
  rankOrderedSimilarity,
  type EntropyStats,
  type LocalizationSummary,
  type MaskImage,
} from '../eval/index.js';
import { trainingCurvesSvg, type MetricsRecord } from './plots/curves.js';
import { renderHeatmapOverlay } from './plots/heatmap.js';
import { rankedSimilaritySvg } from './plots/rank.js';
import { svgToPng } from './plots/svg.js';
import type { HeatmapInputs, RunDirectory } from './rundir.js';

export interface Picture {
  caption: string;
  png: Buffer;
  /** Pixel size as displayed (the PNG may be drawn at twice this for sharp text). */
  width: number;
}

export interface LocalizationRow {
  label: string;
  summary: LocalizationSummary;
  /** Similarity values mapped to 0 and 1 by the percentile scaling. */
  range: { low: number; high: number };
}

export interface EntropyRow {
  model: string;
  stats: EntropyStats;
  /** Temperature of the similarities, when the run directory records it. */
  temperature?: number;
}

export interface Figures {
  curves: Picture | null;
  overlays: { label: string; pictures: Picture[] }[];
  localization: LocalizationRow[];
  reference?: string;
  ranked: Picture | null;
  entropy: EntropyRow[];
}

/** Computes every figure whose inputs the run directory has. */
export async function computeFigures(run: RunDirectory, overlaySize = 256): Promise<Figures> {
  const figures: Figures = { curves: null, overlays: [], localization: [], ranked: null, entropy: [] };
  if (run.metrics !== null) {
    const svg = trainingCurvesSvg(run.metrics, { title: curvesTitle(run.metrics) });
    figures.curves = { caption: 'Every logged loss term and the learning rate against the training step.', png: await svgToPng(svg), width: svgWidth(svg) };
  }
  if (run.heatmaps !== null) {
    await addHeatmaps(run.heatmaps, figures, overlaySize);
  }
  if (run.similarity !== null) {
    const models = run.similarity.models.map((model) => ({ name: model.name, ranked: rankOrderedSimilarity(model.similarity) }));
    const svg = rankedSimilaritySvg(models, { token: run.similarity.token });
    figures.ranked = {
      caption: `For each image the ${run.similarity.token}-to-patch cosine similarities sorted in descending order; the line is the mean over images and the band ± one standard deviation.`,
      png: await svgToPng(svg),
      width: svgWidth(svg),
    };
    for (const model of run.similarity.models) {
      if (model.tokenSimilarity === undefined) continue;
      const options = model.tokenCounts === undefined ? {} : { tokenCounts: model.tokenCounts };
      const row: EntropyRow = { model: model.name, stats: patchEntropyStats(model.tokenSimilarity, options) };
      if (model.temperature !== undefined) row.temperature = model.temperature;
      figures.entropy.push(row);
    }
  }
  return figures;
}

/** Titles the curves with the number of training steps; evaluation lines logged during training are counted apart. */
export function curvesTitle(records: readonly MetricsRecord[]): string {
  const training = new Set(records.filter((record) => record.split === undefined || record.split === 'train').map((record) => record.step)).size;
  const evaluations = records.length - records.filter((record) => record.split === undefined || record.split === 'train').length;
  const steps = `${training} training ${training === 1 ? 'step' : 'steps'}`;
  return evaluations === 0 ? `Training curves (${steps})` : `Training curves (${steps}, ${evaluations} ${evaluations === 1 ? 'evaluation' : 'evaluations'})`;
}

async function addHeatmaps(inputs: HeatmapInputs, figures: Figures, overlaySize: number): Promise<void> {
  const reference = inputs.reference === undefined ? null : (inputs.prompts[inputs.reference] as Float32Array);
  if (inputs.reference !== undefined) figures.reference = inputs.reference;
  const maskCache = new Map<string, MaskImage>();
  for (const label of inputs.labels) {
    const set = labelHeatmaps(inputs.patches, inputs.prompts[label] as Float32Array, {
      ...(inputs.grid === undefined ? {} : { grid: inputs.grid }),
      percentiles: inputs.percentiles,
      reference,
    });
    const masks: (MaskImage | null)[] = [];
    for (const image of inputs.images) {
      const maskPath = image.masks[label];
      masks.push(maskPath === undefined ? null : await decodeMask(maskPath, maskCache));
    }
    figures.localization.push({ label, summary: localizationScores(set, masks, inputs.upsample), range: set.range });

    // Draw images with a mask for this label first: they show whether the heat lands on the finding.
    const cells = set.grid[0] * set.grid[1];
    const drawable = inputs.images.map((image, index) => ({ image, index })).filter((entry) => entry.image.image !== undefined);
    drawable.sort((a, b) => Number(masks[b.index] !== null) - Number(masks[a.index] !== null));
    const pictures: Picture[] = [];
    for (const { image, index } of drawable.slice(0, inputs.draw)) {
      const mask = masks[index];
      const png = await renderHeatmapOverlay({
        image: await readImage(image.image as string),
        heatmap: set.maps.data.subarray(index * cells, (index + 1) * cells),
        grid: set.grid,
        upsample: inputs.upsample,
        ...(mask === null || mask === undefined ? {} : { mask: { data: Uint8Array.from(mask.data), width: mask.width, height: mask.height } }),
        title: label,
        subtitle: reference === null ? `image ${image.id}` : `image ${image.id}, minus '${inputs.reference}'`,
        size: overlaySize,
        legend: reference === null ? { high: 'most similar', low: 'least similar' } : { high: `more '${label}'`, low: `more '${inputs.reference}'` },
        scale: reference === null ? 'unit' : 'signed',
      });
      pictures.push({ caption: `${label}, image ${image.id}`, png, width: (await sharp(png).metadata()).width ?? overlaySize });
    }
    figures.overlays.push({ label, pictures });
  }
}

async function readImage(file: string): Promise<Buffer> {
  try {
    return await sharp(file).toBuffer();
  } catch (error) {
    throw new EvalError({ code: 'TIER7036', file, message: `The image cannot be decoded: ${(error as Error).message}.` });
  }
}

async function decodeMask(file: string, cache: Map<string, MaskImage>): Promise<MaskImage> {
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  try {
    const { data, info } = await sharp(file).removeAlpha().toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const mask = { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
    cache.set(file, mask);
    return mask;
  } catch (error) {
    throw new EvalError({ code: 'TIER7036', file, message: `The mask cannot be decoded: ${(error as Error).message}.` });
  }
}

function svgWidth(svg: string): number {
  const match = /width="(\d+)"/.exec(svg);
  return match === null ? 640 : Number(match[1]);
}
