// A contact sheet of phantom images for looking at them: each cell shows the radiograph and,
// beside it, the same image with the finding masks outlined in colour.
import sharp from 'sharp';
import { findingNames, type FindingName } from './findings.js';
import type { PhantomImage } from './index.js';

export const maskColours: Record<FindingName, [number, number, number]> = {
  Cardiomegaly: [255, 60, 60],
  'Pleural Effusion': [60, 140, 255],
  Consolidation: [255, 220, 0],
  Nodule: [0, 230, 90],
  Pneumothorax: [255, 0, 255],
};

/** Renders up to `count` images, `columns` cells per row, to a PNG buffer. */
export function contactSheet(images: readonly PhantomImage[], size: number, count = 24, columns = 4): Promise<Buffer> {
  const shown = images.slice(0, count);
  const rows = Math.ceil(shown.length / columns);
  const cellWidth = size * 2 + 4;
  const cellHeight = size + 4;
  const width = columns * cellWidth;
  const height = Math.max(1, rows) * cellHeight;
  const sheet = new Uint8Array(width * height * 3).fill(40);
  shown.forEach((image, k) => {
    const left = (k % columns) * cellWidth + 2;
    const top = Math.floor(k / columns) * cellHeight + 2;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const value = image.pixels[y * size + x] as number;
        for (const offset of [0, size]) {
          const at = ((top + y) * width + left + offset + x) * 3;
          sheet[at] = value;
          sheet[at + 1] = value;
          sheet[at + 2] = value;
        }
        for (const name of findingNames) {
          const mask = image.masks[name];
          if (mask === undefined || mask[y * size + x] === 0) continue;
          const edge = x === 0 || y === 0 || x === size - 1 || y === size - 1 || mask[y * size + x - 1] === 0 || mask[y * size + x + 1] === 0 || mask[(y - 1) * size + x] === 0 || mask[(y + 1) * size + x] === 0;
          if (!edge) continue;
          const at = ((top + y) * width + left + size + x) * 3;
          sheet.set(maskColours[name], at);
        }
      }
    }
  });
  return sharp(sheet, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
