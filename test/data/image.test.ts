import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DataError, decodeImage, decodeImageFile, type ImageDecodeOptions } from '../../src/data/index.js';
import { grayImageElements, writeDicom } from './dicom-writer.js';
import { badRoot } from './helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DataError) return error.issue.code;
    throw error;
  }
  return 'no error';
}

describe('PNG and JPEG decoding', () => {
  it('decodes 8-bit grayscale to value / 255', async () => {
    const image = await decodeImageFile(path.join(badRoot, 'images/good.png'));
    expect([image.channels, image.height, image.width]).toEqual([1, 6, 8]);
    expect(image.data[0]).toBe(0);
    expect(image.data[3]).toBeCloseTo(30 / 255, 7);
    expect(image.data[2 * 8 + 5]).toBeCloseTo(130 / 255, 7);
  });

  it('keeps 16-bit PNG precision', async () => {
    const pixels = Uint16Array.from([0, 1, 5007, 32768, 65534, 65535]);
    const png = await sharp(pixels, { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const image = await decodeImage(png, 'sixteen.png');
    expect(Array.from(image.data)).toEqual(Array.from(pixels, (v) => Math.fround(v / 65535)));
  });

  it('copies grayscale to 3 channels on request', async () => {
    const image = await decodeImageFile(path.join(badRoot, 'images/good.png'), { channels: 3 });
    expect(image.channels).toBe(3);
    expect(image.data[48 + 3]).toBe(image.data[3]);
    expect(image.data[96 + 47]).toBe(image.data[47]);
  });

  it('converts colour to luminance', async () => {
    const rgb = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    const png = await sharp(rgb, { raw: { width: 4, height: 1, channels: 3 } }).png().toBuffer();
    const image = await decodeImage(png, 'rgb.png', { channels: 1 });
    expect(Array.from(image.data).map((v) => Number(v.toFixed(3)))).toEqual([0.299, 0.587, 0.114, 1]);
  });

  it('reads 16-bit colour as luminance', async () => {
    const pixels = Uint16Array.from([65535, 0, 0, 0, 0, 65535]);
    const png = await sharp(pixels, { raw: { width: 2, height: 1, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    const image = await decodeImage(png, 'rgb16.png');
    expect(image.data[0]).toBeCloseTo(0.299, 4);
    expect(image.data[1]).toBeCloseTo(0.114, 4);
  });

  it('applies the EXIF orientation', async () => {
    // 4 wide, 2 high; the left column bright. Orientation 6 rotates 90° clockwise on display.
    const pixels = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0]);
    const jpeg = await sharp(pixels, { raw: { width: 4, height: 2, channels: 1 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(jpeg, 'rotated.jpg');
    expect([image.height, image.width]).toEqual([4, 2]);
    // After a clockwise turn the bright left column becomes the top row.
    expect(image.data[0]).toBeGreaterThan(0.6);
    expect(image.data[1]).toBeGreaterThan(0.6);
    expect(image.data[7]).toBeLessThan(0.3);
  });

  it('rejects a text file named .png', async () => {
    await expect(decodeImageFile(path.join(badRoot, 'images/text.png'))).rejects.toThrow(/not a PNG, JPEG or DICOM image \(it starts with bytes 54 68 69 73/);
  });

  it('rejects a truncated JPEG', async () => {
    expect(await codeOf(decodeImageFile(path.join(badRoot, 'images/truncated.jpg')))).toBe('TIER5014');
  });

  it('rejects a 40000 × 40000 PNG header before decoding', async () => {
    await expect(decodeImageFile(path.join(badRoot, 'images/huge.png'))).rejects.toThrow(/size 40000×40000, above the limit of 16384/);
  });

  it('honours a lower size limit', async () => {
    expect(await codeOf(decodeImageFile(path.join(badRoot, 'images/good.png'), { maxDimension: 7 }))).toBe('TIER5013');
  });

  it('reports a missing file', async () => {
    expect(await codeOf(decodeImageFile(path.join(badRoot, 'images/none.png')))).toBe('TIER5011');
  });
});

describe('DICOM decoding', () => {
  const decode = (bytes: Uint8Array, options: ImageDecodeOptions = {}) => decodeImage(bytes, 'test.dcm', options);

  it('inverts MONOCHROME1 and applies the header window', async () => {
    const pixels = Uint16Array.from([0, 1000, 2000, 4095]);
    const bytes = writeDicom(grayImageElements({ rows: 2, columns: 2, pixels, bitsStored: 12, photometric: 'MONOCHROME1', windowCenter: '2048', windowWidth: '4096' }));
    const image = await decode(bytes);
    // DICOM linear window: ((x - (c - 0.5)) / (w - 1) + 0.5), clipped, then 1 - v for MONOCHROME1.
    const expected = [0, 1000, 2000, 4095].map((x) => Math.fround(1 - Math.min(1, Math.max(0, (x - 2047.5) / 4095 + 0.5))));
    expect(Array.from(image.data)).toEqual(expected);
  });

  it('masks bits above BitsStored', async () => {
    // Bit 15 carries an overlay, so with 12 bits stored the value is 100.
    const pixels = Uint16Array.from([0x8000 + 100, 0, 4095, 100]);
    const image = await decode(writeDicom(grayImageElements({ rows: 2, columns: 2, pixels, bitsStored: 12 })), { window: { center: 2048, width: 4096 } });
    expect(image.data[0]).toBe(image.data[3]);
  });

  it('reads signed pixels with slope and intercept', async () => {
    const pixels = Int16Array.from([-1000, 0, 500, 1000]);
    const bytes = writeDicom(grayImageElements({ rows: 2, columns: 2, pixels, signed: true, slope: '0.5', intercept: '-10' }));
    // Modality values -510, -10, 240, 490; min-max window.
    const image = await decode(bytes, { window: 'minmax' });
    expect(Array.from(image.data)).toEqual([-510, -10, 240, 490].map((v) => Math.fround((v + 510) / 1000)));
  });

  it('sign-extends 12-bit values stored in 16 bits', async () => {
    const pixels = Uint16Array.from([0x0fff, 0x0800, 0x07ff, 0x0000]);
    const image = await decode(writeDicom(grayImageElements({ rows: 2, columns: 2, pixels, bitsStored: 12, signed: true })), { window: 'minmax' });
    // -1, -2048, 2047, 0 over the range -2048..2047.
    expect(Array.from(image.data)).toEqual([-1, -2048, 2047, 0].map((v) => Math.fround((v + 2048) / 4095)));
  });

  it('clips at percentiles', async () => {
    const pixels = Uint16Array.from(Array.from({ length: 100 }, (_, i) => i));
    const image = await decode(writeDicom(grayImageElements({ rows: 10, columns: 10, pixels })), { window: { percentile: [10, 90] } });
    expect(image.data[5]).toBe(0);
    expect(image.data[95]).toBe(1);
    expect(image.data[50]).toBeCloseTo((50 - 9.9) / (89.1 - 9.9), 5);
  });

  it('decodes big-endian pixel data', async () => {
    const pixels = Uint16Array.from([0, 300, 600, 900]);
    const image = await decode(writeDicom(grayImageElements({ rows: 2, columns: 2, pixels }), '1.2.840.10008.1.2.2'), { window: 'minmax' });
    expect(Array.from(image.data)).toEqual([0, 1 / 3, 2 / 3, 1].map(Math.fround));
  });

  it('decodes a baseline JPEG frame', async () => {
    const gray = Buffer.alloc(16 * 16, 200);
    const jpeg = await sharp(gray, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 100 }).toBuffer();
    const elements = grayImageElements({ rows: 16, columns: 16, pixels: { fragments: [jpeg] }, bitsAllocated: 8, photometric: 'MONOCHROME1' });
    const image = await decode(writeDicom(elements, '1.2.840.10008.1.2.4.50'));
    expect([image.height, image.width]).toEqual([16, 16]);
    // MONOCHROME1 inverts: 1 - 200/255.
    expect(image.data[0]).toBeCloseTo(1 - 200 / 255, 2);
  });

  it('rejects a DICOM cut inside its header', async () => {
    const bytes = writeDicom(grayImageElements({ rows: 2, columns: 2, pixels: new Uint16Array(4) }));
    expect(await codeOf(decode(bytes.subarray(0, 150)))).toBe('TIER5014');
  });

  it('rejects a DICOM without pixel data', async () => {
    await expect(decodeImage(readFileSync(path.join(badRoot, 'images/no-pixels.dcm')), 'no-pixels.dcm')).rejects.toThrow(/no pixel data element \(7FE0,0010\)/);
  });

  it('names an unsupported compressed transfer syntax', async () => {
    const bytes = writeDicom(grayImageElements({ rows: 2, columns: 2, pixels: new Uint16Array(4) }), '1.2.840.10008.1.2.4.90');
    await expect(decode(bytes)).rejects.toThrow(/1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 lossless\) is not supported/);
  });

  it('rejects truncated pixel data', async () => {
    const bytes = writeDicom(grayImageElements({ rows: 4, columns: 4, pixels: new Uint16Array(4) }));
    expect(await codeOf(decode(bytes))).toBe('TIER5014');
  });

  it('rejects oversized dimensions from the header', async () => {
    const bytes = writeDicom(grayImageElements({ rows: 40000, columns: 40000, pixels: new Uint16Array(4) }));
    await expect(decode(bytes)).rejects.toThrow(/40000×40000, above the limit/);
  });
});
