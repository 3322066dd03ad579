// The heatmap overlay picture: a grayscale x-ray with a label's heatmap drawn over it in the
// diverging colormap, opacity growing with |value| so that values near zero leave the x-ray
// visible, the ground-truth mask outlined, a title, and a colorbar with its meaning.
import sharp from 'sharp';
import { upsample, type Grid, type UpsampleMode } from '../../eval/index.js';
import { divergingColor, divergingHex } from './colormap.js';
import { coordinate, escapeXml } from './svg.js';

/** A grayscale image as 8-bit pixels, row-major. */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface OverlayOptions {
  /** The x-ray: an encoded PNG or JPEG (any channel count or bit depth), or 8-bit gray pixels. */
  image: Buffer | GrayImage;
  /** One image's heatmap on the patch grid, values in [-1, 1]. */
  heatmap: ArrayLike<number>;
  grid: Grid;
  /** Default 'nearest', as the method draws its heatmaps. */
  upsample?: UpsampleMode;
  /** Ground-truth mask to outline (nonzero = inside), at any size; resized by nearest neighbour. */
  mask?: GrayImage;
  title: string;
  /** A second title line, for example the image id and the label value. */
  subtitle?: string;
  /** Side of the square image area in pixels. Default 256. */
  size?: number;
  /** Opacity of the colour at |value| = 1. Default 0.65. */
  maxAlpha?: number;
  /** Colorbar captions at the top and bottom. */
  legend?: { high: string; low: string };
  /**
   * 'signed' (default): values in [-1, 1], blue below zero and red above, as after subtracting a
   * reference map. 'unit': values in [0, 1] drawn from transparent white to red, for maps
   * without a reference.
   */
  scale?: 'signed' | 'unit';
}

const colorbarWidth = 16;
const sideWidth = 150;
const titleHeight = 44;
const pad = 8;

/** Renders the overlay and returns it as PNG. */
export async function renderHeatmapOverlay(options: OverlayOptions): Promise<Buffer> {
  const size = options.size ?? 256;
  const maxAlpha = options.maxAlpha ?? 0.65;
  const gray = await grayPixels(options.image, size);
  const heat = upsample(options.heatmap, options.grid, [size, size], options.upsample ?? 'nearest');
  const outline = options.mask === undefined ? null : maskOutline(options.mask, size);
  const lowest = options.scale === 'unit' ? 0 : -1;

  const rgb = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const value = Math.min(1, Math.max(lowest, heat[i] as number));
    const alpha = maxAlpha * Math.abs(value);
    const [r, g, b] = divergingColor(value);
    const base = gray[i] as number;
    if (outline !== null && outline[i] === 1) {
      // A bright green outline stays visible over both ends of the colormap.
      rgb[i * 3] = 0;
      rgb[i * 3 + 1] = 230;
      rgb[i * 3 + 2] = 118;
      continue;
    }
    rgb[i * 3] = Math.round(base * (1 - alpha) + r * alpha);
    rgb[i * 3 + 1] = Math.round(base * (1 - alpha) + g * alpha);
    rgb[i * 3 + 2] = Math.round(base * (1 - alpha) + b * alpha);
  }

  const width = pad + size + sideWidth;
  const height = titleHeight + size + pad;
  const image = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  const decorations = Buffer.from(overlaySvg(options, size, width, height, outline !== null));
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .composite([
      { input: image, left: pad, top: titleHeight },
      { input: decorations, left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}

function overlaySvg(options: OverlayOptions, size: number, width: number, height: number, hasMask: boolean): string {
  const legendText = options.legend ?? { high: 'higher', low: 'lower' };
  const barX = pad + size + 14;
  const barTop = titleHeight + 30;
  const barHeight = size - 80;
  const lowest = options.scale === 'unit' ? 0 : -1;
  const stops: string[] = [];
  for (let k = 0; k <= 20; k++) {
    const value = 1 - (k / 20) * (1 - lowest);
    stops.push(`<stop offset="${k / 20}" stop-color="${divergingHex(value)}"/>`);
  }
  const tick = (value: number, label: string): string => {
    const y = coordinate(barTop + ((1 - value) / (1 - lowest)) * barHeight);
    return [
      `<line x1="${barX + colorbarWidth}" x2="${barX + colorbarWidth + 4}" y1="${y}" y2="${y}" stroke="#333"/>`,
      `<text x="${barX + colorbarWidth + 7}" y="${y}" dy="4" font-size="11" fill="#222">${escapeXml(label)}</text>`,
    ].join('');
  };
  // Each caption sits on two short lines, above and below the bar, so long label names fit.
  const caption = (text: string, y: number): string =>
    captionLines(text)
      .map((line, index) => `<text x="${barX}" y="${y + index * 12}" font-size="10" fill="#444">${escapeXml(line)}</text>`)
      .join('');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<defs><linearGradient id="bar" x1="0" y1="0" x2="0" y2="1">${stops.join('')}</linearGradient></defs>`,
    `<text x="${pad}" y="18" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`,
    options.subtitle === undefined ? '' : `<text x="${pad}" y="35" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>`,
    caption(legendText.high, titleHeight + 8),
    `<rect x="${barX}" y="${barTop}" width="${colorbarWidth}" height="${barHeight}" fill="url(#bar)" stroke="#666" stroke-width="0.5"/>`,
    ...(lowest === 0 ? [tick(1, '1'), tick(0.5, '0.5'), tick(0, '0')] : [tick(1, '+1'), tick(0, '0'), tick(-1, '−1')]),
    caption(legendText.low, barTop + barHeight + 16),
    hasMask
      ? `<rect x="${barX}" y="${titleHeight + size - 8}" width="14" height="3" fill="#00e676"/><text x="${barX + 18}" y="${titleHeight + size - 3}" font-size="10" fill="#444">mask outline</text>`
      : '',
    '</svg>',
  ];
  return parts.join('\n');
}

/** Splits a caption into at most two lines of about 24 characters, shortening what does not fit. */
function captionLines(text: string): string[] {
  const limit = 24;
  if (text.length <= limit) return [text];
  const breakAt = text.lastIndexOf(' ', limit);
  const first = breakAt > 0 ? text.slice(0, breakAt) : text.slice(0, limit);
  const rest = text.slice(first.length).trim();
  return [first, rest.length > limit ? `${rest.slice(0, limit - 1)}…` : rest];
}

/** Decodes (or takes) the x-ray, converts it to 8-bit gray and resizes it to size × size. */
async function grayPixels(image: Buffer | GrayImage, size: number): Promise<Uint8Array> {
  const input = Buffer.isBuffer(image)
    ? sharp(image)
    : sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
        raw: { width: image.width, height: image.height, channels: 1 },
      });
  // NOTE: a non-square image is stretched to a square, because the patch grid covers the model's square input.
  // Normalizing stretches 16-bit and low-contrast x-rays to the full 8-bit range.
  const { data } = await input.removeAlpha().grayscale().normalise().resize(size, size, { fit: 'fill' }).toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, size * size);
}

/** Marks the inside pixels of the resized mask that touch an outside pixel (4-neighbourhood). */
function maskOutline(mask: GrayImage, size: number): Uint8Array {
  const inside = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    const sourceY = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / size));
    for (let x = 0; x < size; x++) {
      const sourceX = Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / size));
      inside[y * size + x] = (mask.data[sourceY * mask.width + sourceX] as number) !== 0 ? 1 : 0;
    }
  }
  const outline = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (inside[y * size + x] !== 1) continue;
      const edge = x === 0 || y === 0 || x === size - 1 || y === size - 1 || inside[y * size + x - 1] === 0 || inside[y * size + x + 1] === 0 || inside[(y - 1) * size + x] === 0 || inside[(y + 1) * size + x] === 0;
      if (edge) outline[y * size + x] = 1;
    }
  }
  return outline;
}
