// One chart panel: a plot area with axes, ticks, grid lines, axis labels and a title, plus the
// scales that map data to pixels. Line and band charts draw their marks inside it.
import { coordinate, escapeXml, formatTick, niceTicks, type Ticks } from './svg.js';

export interface PanelLayout {
  /** Top-left corner of the whole panel (including margins), in pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  /** A second, smaller line under the title (a note such as skipped values). */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  /** Whole-number x ticks only (steps, ranks). */
  integerX?: boolean;
}

export interface Panel {
  svg: string;
  scaleX(value: number): number;
  scaleY(value: number): number;
  plot: { left: number; top: number; right: number; bottom: number };
}

const margin = { left: 78, right: 16, top: 36, bottom: 44 };

/** Draws the frame of a panel and returns its scales. */
export function drawPanel(layout: PanelLayout): Panel {
  const top = layout.y + margin.top + (layout.subtitle === undefined ? 0 : 12);
  const plot = { left: layout.x + margin.left, top, right: layout.x + layout.width - margin.right, bottom: layout.y + layout.height - margin.bottom };
  let xTicks = niceTicks(layout.xRange[0], layout.xRange[1], 6);
  if (layout.integerX === true && xTicks.step < 1) xTicks = integerTicks(layout.xRange);
  const yTicks = niceTicks(layout.yRange[0], layout.yRange[1], 5);
  const scaleX = linear(xTicks.domain, [plot.left, plot.right]);
  const scaleY = linear(yTicks.domain, [plot.bottom, plot.top]);

  const parts: string[] = [];
  parts.push(`<text x="${coordinate(plot.left)}" y="${layout.y + 20}" font-size="14" font-weight="bold" fill="#222">${escapeXml(layout.title)}</text>`);
  if (layout.subtitle !== undefined) {
    parts.push(`<text x="${coordinate(plot.left)}" y="${layout.y + 36}" font-size="11" fill="#666">${escapeXml(layout.subtitle)}</text>`);
  }
  parts.push(gridAndTicks(xTicks, yTicks, scaleX, scaleY, plot));
  parts.push(`<rect x="${coordinate(plot.left)}" y="${coordinate(plot.top)}" width="${coordinate(plot.right - plot.left)}" height="${coordinate(plot.bottom - plot.top)}" fill="none" stroke="#444" stroke-width="1"/>`);
  parts.push(`<text x="${coordinate((plot.left + plot.right) / 2)}" y="${coordinate(plot.bottom + 36)}" font-size="12" text-anchor="middle" fill="#333">${escapeXml(layout.xLabel)}</text>`);
  const yLabelX = layout.x + 16;
  const yLabelY = (plot.top + plot.bottom) / 2;
  parts.push(`<text x="${coordinate(yLabelX)}" y="${coordinate(yLabelY)}" font-size="12" text-anchor="middle" fill="#333" transform="rotate(-90 ${coordinate(yLabelX)} ${coordinate(yLabelY)})">${escapeXml(layout.yLabel)}</text>`);
  return { svg: parts.join('\n'), scaleX, scaleY, plot };
}

function gridAndTicks(
  xTicks: Ticks,
  yTicks: Ticks,
  scaleX: (value: number) => number,
  scaleY: (value: number) => number,
  plot: Panel['plot'],
): string {
  const parts: string[] = [];
  for (const value of yTicks.values) {
    const y = coordinate(scaleY(value));
    parts.push(`<line x1="${coordinate(plot.left)}" x2="${coordinate(plot.right)}" y1="${y}" y2="${y}" stroke="#e4e4e4" stroke-width="1"/>`);
    parts.push(`<line x1="${coordinate(plot.left - 4)}" x2="${coordinate(plot.left)}" y1="${y}" y2="${y}" stroke="#444"/>`);
    parts.push(`<text x="${coordinate(plot.left - 7)}" y="${y}" dy="4" font-size="11" text-anchor="end" fill="#333">${escapeXml(formatTick(value, yTicks.step))}</text>`);
  }
  for (const value of xTicks.values) {
    const x = coordinate(scaleX(value));
    parts.push(`<line x1="${x}" x2="${x}" y1="${coordinate(plot.top)}" y2="${coordinate(plot.bottom)}" stroke="#efefef" stroke-width="1"/>`);
    parts.push(`<line x1="${x}" x2="${x}" y1="${coordinate(plot.bottom)}" y2="${coordinate(plot.bottom + 4)}" stroke="#444"/>`);
    parts.push(`<text x="${x}" y="${coordinate(plot.bottom + 17)}" font-size="11" text-anchor="middle" fill="#333">${escapeXml(formatTick(value, xTicks.step))}</text>`);
  }
  return parts.join('\n');
}

/** Ticks at every integer of a short range (a few steps or ranks). */
function integerTicks(range: readonly [number, number]): Ticks {
  const start = Math.floor(range[0]);
  const end = Math.max(start + 1, Math.ceil(range[1]));
  const values: number[] = [];
  for (let value = start; value <= end; value++) values.push(value);
  return { domain: [start, end], values, step: 1 };
}

/** Returns a linear map from `domain` to `range`; a zero-width domain maps to the range's middle. */
export function linear(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const width = d1 - d0;
  return (value) => (width === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / width) * (r1 - r0));
}

/** Builds an SVG path through points, starting a new segment after each non-finite value. */
export function linePath(xs: ArrayLike<number>, ys: ArrayLike<number>, scaleX: (v: number) => number, scaleY: (v: number) => number): string {
  const commands: string[] = [];
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    commands.push(`${pen ? 'L' : 'M'}${coordinate(scaleX(x))} ${coordinate(scaleY(y))}`);
    pen = true;
  }
  return commands.join('');
}

/** Draws a legend box with one coloured line per entry at the top-right of the plot area. */
export function legend(entries: readonly { label: string; color: string; band?: boolean }[], plot: Panel['plot']): string {
  const rowHeight = 18;
  const width = Math.max(...entries.map((entry) => entry.label.length)) * 7 + 44;
  const x = plot.right - width - 8;
  const y = plot.top + 8;
  const parts = [`<rect x="${coordinate(x)}" y="${coordinate(y)}" width="${width}" height="${entries.length * rowHeight + 8}" fill="#ffffff" fill-opacity="0.9" stroke="#bbb"/>`];
  entries.forEach((entry, index) => {
    const rowY = y + 4 + rowHeight * index + rowHeight / 2;
    if (entry.band === true) {
      parts.push(`<rect x="${coordinate(x + 8)}" y="${coordinate(rowY - 6)}" width="24" height="12" fill="${entry.color}" fill-opacity="0.2"/>`);
    }
    parts.push(`<line x1="${coordinate(x + 8)}" x2="${coordinate(x + 32)}" y1="${coordinate(rowY)}" y2="${coordinate(rowY)}" stroke="${entry.color}" stroke-width="2.5"/>`);
    parts.push(`<text x="${coordinate(x + 38)}" y="${coordinate(rowY)}" dy="4" font-size="12" fill="#222">${escapeXml(entry.label)}</text>`);
  });
  return parts.join('\n');
}
