// Training curves: one panel per loss term (and one for the learning rate) from the records of
// a metrics.jsonl file, sharing the step axis. Long runs draw the raw values faintly and an
// exponential moving average on top.
import { drawPanel, legend, linePath } from './chart.js';
import { coordinate, escapeXml, seriesColors, svgDocument } from './svg.js';

/** One line of metrics.jsonl: the step and numeric fields (loss terms, lr, and so on). */
export interface MetricsRecord {
  step: number;
  values: Record<string, number>;
  /** The line's 'split' field, such as 'validate' for an evaluation during training; absent for training steps. */
  split?: string;
}

export interface CurveOptions {
  title?: string;
  /** Panels per row. Default 2. */
  columns?: number;
  /** Smoothing weight of the moving average, in [0, 1). Default 0.9; used when a series has more than 50 points. */
  smoothing?: number;
}

export interface CurveSeries {
  name: string;
  steps: Float64Array;
  values: Float64Array;
  /** Values that were NaN or infinite (left as gaps). */
  nonFinite: number;
}

const panelWidth = 460;
const panelHeight = 250;
const headerHeight = 36;

/** Collects one series per field name, in order of first appearance, with the learning rate last. */
export function seriesFromRecords(records: readonly MetricsRecord[]): CurveSeries[] {
  const names: string[] = [];
  for (const record of records) for (const name of Object.keys(record.values)) if (!names.includes(name)) names.push(name);
  names.sort((a, b) => Number(a === 'lr') - Number(b === 'lr'));
  return names.map((name) => {
    const rows = records.filter((record) => name in record.values);
    const values = Float64Array.from(rows.map((record) => record.values[name] as number));
    return {
      name,
      steps: Float64Array.from(rows.map((record) => record.step)),
      values,
      nonFinite: values.filter((value) => !Number.isFinite(value)).length,
    };
  });
}

/** Draws every series of `records` as its own panel and returns the SVG document. */
export function trainingCurvesSvg(records: readonly MetricsRecord[], options: CurveOptions = {}): string {
  const series = seriesFromRecords(records);
  const columns = Math.max(1, Math.min(options.columns ?? 2, series.length));
  const rows = Math.max(1, Math.ceil(series.length / columns));
  const width = columns * panelWidth;
  const height = headerHeight + rows * panelHeight;
  const parts = [`<text x="16" y="24" font-size="16" font-weight="bold" fill="#222">${escapeXml(options.title ?? 'Training curves')}</text>`];
  if (series.length === 0) {
    parts.push(`<text x="16" y="${headerHeight + 40}" font-size="13" fill="#555">No numeric fields besides 'step' were found.</text>`);
  }
  series.forEach((entry, index) => {
    const x = (index % columns) * panelWidth;
    const y = headerHeight + Math.floor(index / columns) * panelHeight;
    parts.push(seriesPanel(entry, x, y, seriesColors[index % seriesColors.length] as string, options.smoothing ?? 0.9));
  });
  return svgDocument(width, height, parts.join('\n'));
}

function seriesPanel(series: CurveSeries, x: number, y: number, color: string, smoothing: number): string {
  const finite = series.values.filter((value) => Number.isFinite(value));
  const steps = series.steps;
  const low = finite.length > 0 ? Math.min(...finite) : 0;
  const high = finite.length > 0 ? Math.max(...finite) : 1;
  const panel = drawPanel({
    x,
    y,
    width: panelWidth,
    height: panelHeight,
    title: series.name,
    ...(series.nonFinite > 0 ? { subtitle: `${series.nonFinite} non-finite values left as gaps` } : {}),
    xLabel: 'step',
    yLabel: series.name === 'lr' ? 'learning rate' : 'value',
    xRange: [steps.length > 0 ? Math.min(...steps) : 0, steps.length > 0 ? Math.max(...steps) : 1],
    yRange: [low, high],
    integerX: true,
  });
  const parts = [panel.svg];
  // The learning rate follows a schedule, not noise, so it is drawn as is.
  const smooth = series.values.length > 50 && series.name !== 'lr';
  const clip = `clip-${x}-${y}`;
  parts.push(
    `<clipPath id="${clip}"><rect x="${coordinate(panel.plot.left)}" y="${coordinate(panel.plot.top)}" width="${coordinate(panel.plot.right - panel.plot.left)}" height="${coordinate(panel.plot.bottom - panel.plot.top)}"/></clipPath>`,
  );
  const raw = linePath(steps, series.values, panel.scaleX, panel.scaleY);
  parts.push(`<path d="${raw}" fill="none" stroke="${color}" stroke-width="${smooth ? 1 : 2}" stroke-opacity="${smooth ? 0.3 : 1}" clip-path="url(#${clip})"/>`);
  if (smooth) {
    const averaged = movingAverage(series.values, smoothing);
    parts.push(`<path d="${linePath(steps, averaged, panel.scaleX, panel.scaleY)}" fill="none" stroke="${color}" stroke-width="2" clip-path="url(#${clip})"/>`);
    parts.push(
      legend(
        [
          { label: 'raw', color: `${color}55` },
          { label: `moving average (${smoothing})`, color },
        ],
        panel.plot,
      ),
    );
  }
  return parts.join('\n');
}

/** Exponential moving average with bias correction, skipping non-finite values (they stay NaN). */
export function movingAverage(values: Float64Array, weight: number): Float64Array {
  const result = new Float64Array(values.length);
  let average = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) {
      result[i] = Number.NaN;
      continue;
    }
    average = weight * average + (1 - weight) * value;
    count++;
    result[i] = average / (1 - weight ** count);
  }
  return result;
}
