// The rank-ordered similarity chart: for each model, the mean over images of the pooled-token-
// to-patch similarity at each rank (rank 1 = the most similar patch), with a ± one standard
// deviation band. A TIER-regularized model pushes most similarities toward zero.
import type { RankedSimilarity } from '../../eval/index.js';
import { drawPanel, legend, linePath } from './chart.js';
import { coordinate, seriesColors, svgDocument } from './svg.js';

export interface RankedModel {
  name: string;
  ranked: RankedSimilarity;
}

export interface RankChartOptions {
  title?: string;
  /** The pooled token whose similarities are drawn, named in the title. Default '[CLS]'. */
  token?: string;
  width?: number;
  height?: number;
}

/** Draws the mean ± std curves of every model on one chart and returns the SVG document. */
export function rankedSimilaritySvg(models: readonly RankedModel[], options: RankChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const patchCount = Math.max(1, ...models.map((model) => model.ranked.mean.length));
  let low = 0;
  let high = 0;
  for (const model of models) {
    model.ranked.mean.forEach((mean, rank) => {
      const std = model.ranked.std[rank] as number;
      low = Math.min(low, mean - std);
      high = Math.max(high, mean + std);
    });
  }
  const panel = drawPanel({
    x: 0,
    y: 0,
    width,
    height,
    title: options.title ?? `Rank-ordered ${options.token ?? '[CLS]'}-to-patch similarity`,
    subtitle: imageCountText(models),
    xLabel: 'rank (1 = most similar patch)',
    yLabel: 'cosine similarity',
    xRange: [1, patchCount],
    yRange: [low, high],
    integerX: true,
  });
  const parts = [panel.svg];
  const zero = coordinate(panel.scaleY(0));
  parts.push(`<line x1="${coordinate(panel.plot.left)}" x2="${coordinate(panel.plot.right)}" y1="${zero}" y2="${zero}" stroke="#888" stroke-dasharray="4 3"/>`);
  models.forEach((model, index) => {
    const color = seriesColors[index % seriesColors.length] as string;
    const ranks = Float64Array.from(model.ranked.mean, (_, rank) => rank + 1);
    const upper = model.ranked.mean.map((mean, rank) => mean + (model.ranked.std[rank] as number));
    const lower = model.ranked.mean.map((mean, rank) => mean - (model.ranked.std[rank] as number));
    const band = [...ranks].map((rank, k) => `${coordinate(panel.scaleX(rank))},${coordinate(panel.scaleY(upper[k] as number))}`);
    const bandBack = [...ranks].reverse().map((rank, k) => `${coordinate(panel.scaleX(rank))},${coordinate(panel.scaleY(lower[ranks.length - 1 - k] as number))}`);
    parts.push(`<polygon points="${[...band, ...bandBack].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
    parts.push(`<path d="${linePath(ranks, model.ranked.mean, panel.scaleX, panel.scaleY)}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
  });
  parts.push(legend(models.map((model, index) => ({ label: model.name, color: seriesColors[index % seriesColors.length] as string, band: true })), panel.plot));
  return svgDocument(width, height, parts.join('\n'));
}

function imageCountText(models: readonly RankedModel[]): string {
  const counts = [...new Set(models.map((model) => model.ranked.images))];
  if (counts.length === 1) return `mean ± 1 std over ${counts[0]} images${models.length > 1 ? ' per model' : ''}`;
  return `mean ± 1 std over ${models.map((model) => `${model.ranked.images} images for ${model.name}`).join(', ')}`;
}
