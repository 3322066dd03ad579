// Hand-written SVG for the report's charts: escaping, number formatting, "nice" axis ticks and
// rasterizing to PNG with sharp (librsvg). Text uses the generic 'sans-serif' family, which
// fontconfig resolves to an installed font (DejaVu Sans on Debian).
import sharp from 'sharp';

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** Formats a coordinate with at most two decimals, so paths stay short. */
export function coordinate(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

export interface Ticks {
  /** The axis domain, widened to whole steps. */
  domain: [number, number];
  values: number[];
  step: number;
}

/** Chooses about `count` ticks at 1, 2 or 5 × 10^k covering [low, high]. */
export function niceTicks(low: number, high: number, count = 5): Ticks {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return { domain: [0, 1], values: [0, 0.5, 1], step: 0.5 };
  if (high === low) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    return niceTicks(low - pad, high + pad, count);
  }
  const rough = (high - low) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / magnitude;
  const multiplier = [1, 2, 5].find((candidate) => fraction <= candidate) ?? 10;
  const step = multiplier * magnitude;
  const start = Math.floor(low / step + 1e-9) * step;
  const end = Math.ceil(high / step - 1e-9) * step;
  const values: number[] = [];
  for (let k = 0; start + k * step <= end + step * 1e-9; k++) values.push(cleanFloat(start + k * step));
  return { domain: [cleanFloat(start), cleanFloat(end)], values, step };
}

/** Formats a tick value with the decimals its step needs; very small or large values use exponents. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6) {
    const digits = Math.floor(Math.log10(magnitude)) - Math.floor(Math.log10(step) + 1e-9);
    return value.toExponential(Math.max(0, Math.min(3, digits)));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

function cleanFloat(value: number): number {
  return Number(value.toPrecision(12));
}

/** Wraps SVG body elements in a document with a white background. */
export function svgDocument(width: number, height: number, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    body,
    '</svg>',
  ].join('\n');
}

/** Rasterizes an SVG document to PNG; `scale` 2 doubles the pixel size for sharp text. */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}

/** Line colours for series and models, chosen to stay distinct in print and for common colour-vision deficiencies. */
export const seriesColors = ['#1b6ac9', '#d1495b', '#2a9d5c', '#8e5cc4', '#e07b00', '#3a8fa0', '#6b6b6b'];
