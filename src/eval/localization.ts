// Zero-shot localization: heatmaps of patch-to-prompt similarity and the scores that compare
// them with ground-truth masks.
//
// A label's heatmap for one image is the cosine of each patch embedding with the label's prompt
// embedding, reshaped to the patch grid. Maps of one label are scaled together: the 1st and 99th
// percentiles over all images and patches map to 0 and 1 (values outside are clipped), so maps
// of different images are comparable. The reference ("No Finding") map, scaled the same way with
// its own percentiles, is subtracted, giving values in [-1, 1]: positive where the patch matches
// the label more than the reference.
import { EvalError } from './errors.js';
import { quantileSorted } from './metrics.js';
import { expectRank, normalized, type Tensor, type Vector } from './tensor.js';

/** A patch grid as [rows, columns]. */
export type Grid = readonly [number, number];

export type UpsampleMode = 'nearest' | 'bilinear';

export interface HeatmapOptions {
  /** The patch grid; default the square root of the patch count when that is an integer. */
  grid?: Grid;
  /** Lower and upper percentile for scaling, in percent. Default [1, 99]. */
  percentiles?: readonly [number, number];
  /** The reference prompt embedding (the "No Finding" set) whose map is subtracted; none by default. */
  reference?: Vector | null;
}

export interface HeatmapSet {
  grid: Grid;
  /** Scaled maps, [image, rows, columns]: in [0, 1] without a reference, in [-1, 1] with one. */
  maps: Tensor;
  /** The similarity values that mapped to 0 and 1 for the label. */
  range: { low: number; high: number };
  /** The same for the reference map, when there is one. */
  referenceRange?: { low: number; high: number };
}

/** Returns the grid for `patchCount` patches, checking a given grid or inferring a square one. */
export function gridFor(patchCount: number, grid?: Grid): Grid {
  if (grid !== undefined) {
    const [rows, columns] = grid;
    if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 1 || columns < 1 || rows * columns !== patchCount) {
      throw new EvalError({
        code: 'TIER7020',
        message: `The grid [${rows}, ${columns}] has ${rows * columns} cells, but there are ${patchCount} patches.`,
      });
    }
    return [rows, columns];
  }
  const side = Math.round(Math.sqrt(patchCount));
  if (side * side !== patchCount) {
    throw new EvalError({
      code: 'TIER7020',
      message: `There are ${patchCount} patches, which is not a square number; give the grid shape [rows, columns] explicitly.`,
    });
  }
  return [side, side];
}

/** Computes cos(patch, prompt) for every image and patch of `patches` [image, patch, dim]; returns [image, patch]. */
export function patchSimilarity(patches: Tensor, prompt: Vector): Tensor {
  const [images, patchCount, width] = expectRank(patches, ['image', 'patch', 'dim'], 'patch embeddings') as [number, number, number];
  if (prompt.length !== width) {
    throw new EvalError({ code: 'TIER7013', message: `The prompt embedding has width ${prompt.length}, but the patch embeddings have width ${width}.` });
  }
  const unitPrompt = normalized(prompt, 'the prompt');
  const result = new Float32Array(images * patchCount);
  for (let cell = 0; cell < images * patchCount; cell++) {
    const offset = cell * width;
    let dotProduct = 0;
    let squared = 0;
    for (let j = 0; j < width; j++) {
      const value = patches.data[offset + j] as number;
      dotProduct += value * (unitPrompt[j] as number);
      squared += value * value;
    }
    // A zero patch embedding has no direction; its cosine is taken as 0.
    result[cell] = squared > 0 ? dotProduct / Math.sqrt(squared) : 0;
  }
  return { data: result, shape: [images, patchCount] };
}

/** Returns the `percent` percentile (0–100) of `values` by linear interpolation. */
export function percentile(values: ArrayLike<number>, percent: number): number {
  if (values.length === 0) throw new EvalError({ code: 'TIER7023', message: 'A percentile of no values is undefined.' });
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return quantileSorted(sorted, percent / 100);
}

/** Maps `values` linearly so that `low` → 0 and `high` → 1, clipped to [0, 1]; all 0 when high equals low. */
export function scaleToRange(values: Float32Array, low: number, high: number): Float32Array {
  const span = high - low;
  return values.map((value) => (span > 0 ? Math.min(1, Math.max(0, (value - low) / span)) : 0));
}

/** Computes the scaled heatmaps of one label from patch embeddings [image, patch, dim] and its prompt embedding. */
export function labelHeatmaps(patches: Tensor, prompt: Vector, options: HeatmapOptions = {}): HeatmapSet {
  const [lowPercent, highPercent] = options.percentiles ?? [1, 99];
  if (!(lowPercent >= 0 && highPercent <= 100 && lowPercent < highPercent)) {
    throw new EvalError({
      code: 'TIER7023',
      message: `The percentiles [${lowPercent}, ${highPercent}] must satisfy 0 <= low < high <= 100.`,
    });
  }
  const similarity = patchSimilarity(patches, prompt);
  const [images, patchCount] = similarity.shape as [number, number];
  const grid = gridFor(patchCount, options.grid);
  const range = { low: percentile(similarity.data, lowPercent), high: percentile(similarity.data, highPercent) };
  const scaled = scaleToRange(similarity.data, range.low, range.high);
  const set: HeatmapSet = { grid, maps: { data: scaled, shape: [images, grid[0], grid[1]] }, range };

  if (options.reference !== undefined && options.reference !== null) {
    const reference = patchSimilarity(patches, options.reference);
    const referenceRange = { low: percentile(reference.data, lowPercent), high: percentile(reference.data, highPercent) };
    const scaledReference = scaleToRange(reference.data, referenceRange.low, referenceRange.high);
    for (let i = 0; i < scaled.length; i++) scaled[i] = (scaled[i] as number) - (scaledReference[i] as number);
    set.referenceRange = referenceRange;
  }
  return set;
}

/**
 * Resizes a [rows, columns] map to [height, width]. Pixel centres sit at half-integer positions
 * (the convention of `align_corners=False`); bilinear clamps at the edges.
 */
export function upsample(map: ArrayLike<number>, grid: Grid, size: readonly [number, number], mode: UpsampleMode = 'nearest'): Float32Array {
  const [rows, columns] = grid;
  const [height, width] = size;
  if (map.length !== rows * columns) {
    throw new EvalError({ code: 'TIER7020', message: `The map has ${map.length} values, but the grid [${rows}, ${columns}] has ${rows * columns}.` });
  }
  if (mode !== 'nearest' && mode !== 'bilinear') {
    throw new EvalError({ code: 'TIER7023', message: `Upsampling mode '${String(mode)}' is not 'nearest' or 'bilinear'.` });
  }
  const result = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    const sourceY = ((y + 0.5) * rows) / height - 0.5;
    for (let x = 0; x < width; x++) {
      const sourceX = ((x + 0.5) * columns) / width - 0.5;
      if (mode === 'nearest') {
        const row = Math.min(rows - 1, Math.floor(((y + 0.5) * rows) / height));
        const column = Math.min(columns - 1, Math.floor(((x + 0.5) * columns) / width));
        result[y * width + x] = map[row * columns + column] as number;
        continue;
      }
      const y0 = clamp(Math.floor(sourceY), rows);
      const y1 = clamp(Math.floor(sourceY) + 1, rows);
      const x0 = clamp(Math.floor(sourceX), columns);
      const x1 = clamp(Math.floor(sourceX) + 1, columns);
      const fy = Math.min(1, Math.max(0, sourceY - Math.floor(sourceY)));
      const fx = Math.min(1, Math.max(0, sourceX - Math.floor(sourceX)));
      const top = (map[y0 * columns + x0] as number) * (1 - fx) + (map[y0 * columns + x1] as number) * fx;
      const bottom = (map[y1 * columns + x0] as number) * (1 - fx) + (map[y1 * columns + x1] as number) * fx;
      result[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return result;
}

function clamp(index: number, size: number): number {
  return Math.min(size - 1, Math.max(0, index));
}

/**
 * Pointing game for one image: whether the hottest pixel of `heatmap` lies inside `mask` (nonzero
 * = inside); both have `size` = [height, width]. Ties are common after nearest upsampling, so the
 * result is the fraction of the tied maximal pixels inside the mask: 1 or 0 without ties, and the
 * expected hit under random tie-breaking otherwise. Null when the mask is empty.
 */
export function pointingHit(heatmap: ArrayLike<number>, mask: ArrayLike<number>, size: readonly [number, number]): number | null {
  checkMaskSize(heatmap, mask, size);
  if (!hasInside(mask)) return null;
  let maximum = -Infinity;
  for (let i = 0; i < heatmap.length; i++) maximum = Math.max(maximum, heatmap[i] as number);
  let tied = 0;
  let inside = 0;
  for (let i = 0; i < heatmap.length; i++) {
    if (heatmap[i] === maximum) {
      tied++;
      if ((mask[i] as number) !== 0) inside++;
    }
  }
  return tied > 0 ? inside / tied : null;
}

/**
 * Mask-weighted hit rate for one image: the positive heat inside the mask divided by all positive
 * heat, Σ max(h, 0)·[mask] / Σ max(h, 0). Null when the mask is empty or no pixel is positive.
 */
export function maskHitRate(heatmap: ArrayLike<number>, mask: ArrayLike<number>, size: readonly [number, number]): number | null {
  checkMaskSize(heatmap, mask, size);
  if (!hasInside(mask)) return null;
  let inside = 0;
  let total = 0;
  for (let i = 0; i < heatmap.length; i++) {
    const heat = Math.max(0, heatmap[i] as number);
    total += heat;
    if ((mask[i] as number) !== 0) inside += heat;
  }
  return total > 0 ? inside / total : null;
}

export interface LocalizationSummary {
  /** Images with a non-empty mask, the only ones the two scores are defined on. */
  images: number;
  /** Mean pointing-game hit over those images; null when there are none. */
  pointingGame: number | null;
  /** Mean mask-weighted hit rate over the images where it is defined; null when there are none. */
  hitRate: number | null;
  /** Images whose hit rate was undefined because no pixel had positive heat. */
  noPositiveHeat: number;
  perImage: { pointing: number | null; hitRate: number | null }[];
}

/** A binary mask: nonzero = inside the finding. */
export interface MaskImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * Scores one label's heatmaps against its masks. `masks[i]` is image i's mask, or null for an
 * image without one. Each map is upsampled to its own mask's size with `mode` first, so masks
 * of different sizes may be mixed.
 */
export function localizationScores(heatmaps: HeatmapSet, masks: readonly (MaskImage | null)[], mode: UpsampleMode = 'nearest'): LocalizationSummary {
  const images = heatmaps.maps.shape[0] as number;
  if (masks.length !== images) {
    throw new EvalError({ code: 'TIER7021', message: `There are ${masks.length} masks for ${images} heatmaps.` });
  }
  const cells = heatmaps.grid[0] * heatmaps.grid[1];
  const perImage = masks.map((mask, index) => {
    if (mask === null) return { pointing: null, hitRate: null };
    const size = [mask.height, mask.width] as const;
    const map = upsample(heatmaps.maps.data.subarray(index * cells, (index + 1) * cells), heatmaps.grid, size, mode);
    return { pointing: pointingHit(map, mask.data, size), hitRate: maskHitRate(map, mask.data, size) };
  });
  const pointing = perImage.map((entry) => entry.pointing).filter((value): value is number => value !== null);
  const hitRates = perImage.map((entry) => entry.hitRate).filter((value): value is number => value !== null);
  return {
    images: pointing.length,
    pointingGame: mean(pointing),
    hitRate: mean(hitRates),
    noPositiveHeat: pointing.length - hitRates.length,
    perImage,
  };
}

function mean(values: readonly number[]): number | null {
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

function hasInside(mask: ArrayLike<number>): boolean {
  for (let i = 0; i < mask.length; i++) if ((mask[i] as number) !== 0) return true;
  return false;
}

function checkMaskSize(heatmap: ArrayLike<number>, mask: ArrayLike<number>, size: readonly [number, number]): void {
  const expected = size[0] * size[1];
  if (heatmap.length !== expected || mask.length !== expected) {
    throw new EvalError({
      code: 'TIER7021',
      message: `The heatmap has ${heatmap.length} pixels and the mask ${mask.length}, but the size [${size[0]}, ${size[1]}] has ${expected}.`,
    });
  }
}
