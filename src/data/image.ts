// Image decoding to planar float images in [0, 1]: PNG (8 and 16 bit) and JPEG through sharp,
// with EXIF orientation applied, and DICOM through dicom-parser (see dicom.ts). The format is
// taken from the file's first bytes, never from its name, and the dimensions in the header are
// checked against a limit before any pixel buffer is allocated.
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { decodeDicom, type DicomWindow } from './dicom.js';
import { DataError } from './errors.js';

/** A planar (channel, row, column) float image; values are in [0, 1] until normalization. */
export interface FloatImage {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

export type ImageFormat = 'png' | 'jpeg' | 'dicom';

export interface ImageDecodeOptions {
  /** Output channels: 1 (colour images become luminance) or 3 (grayscale is copied). Default 1. */
  channels?: 1 | 3;
  /** Largest width or height accepted from a file header; default 16384. */
  maxDimension?: number;
  /** How DICOM values map to [0, 1]; default 'auto' (the header's window, else min-max). */
  window?: DicomWindow;
}

export const defaultMaxDimension = 16384;

/** Detects PNG, JPEG or DICOM from the first bytes; returns undefined for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return 'dicom';
  return undefined;
}

/** Reads and decodes an image file; every failure is a `DataError` naming the file. */
export async function decodeImageFile(file: string, options: ImageDecodeOptions = {}): Promise<FloatImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new DataError({ code: missing ? 'TIER5011' : 'TIER5014', file, message: missing ? 'The image file does not exist.' : `The image file cannot be read (${(error as Error).message}).` });
  }
  return decodeImage(bytes, file, options);
}

/** Decodes image bytes; `file` only names the source in errors. */
export async function decodeImage(bytes: Uint8Array, file: string, options: ImageDecodeOptions = {}): Promise<FloatImage> {
  const format = sniffFormat(bytes);
  const maxDimension = options.maxDimension ?? defaultMaxDimension;
  const channels = options.channels ?? 1;
  if (format === undefined) {
    const start = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError({
      code: 'TIER5012',
      file,
      message: `The file is not a PNG, JPEG or DICOM image (it starts with bytes ${start || 'nothing; it is empty'}).`,
    });
  }
  const image = format === 'dicom' ? await decodeDicom(bytes, file, { maxDimension, window: options.window ?? 'auto' }) : await decodeWithSharp(bytes, file, format, maxDimension);
  return setChannels(image, channels);
}

/** Reads width and height from a PNG IHDR chunk without decoding. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number; bitDepth: number } | undefined {
  if (bytes.length < 26) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(bytes[12] as number, bytes[13] as number, bytes[14] as number, bytes[15] as number);
  if (type !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24] as number };
}

export function checkDimensions(file: string, width: number, height: number, maxDimension: number): void {
  if (!(width > 0 && height > 0)) {
    throw new DataError({ code: 'TIER5014', file, message: `The image header gives size ${width}×${height}; both sides must be positive.` });
  }
  if (width > maxDimension || height > maxDimension) {
    throw new DataError({
      code: 'TIER5013',
      file,
      message: `The image header gives size ${width}×${height}, above the limit of ${maxDimension} pixels per side; resize the image so that neither side exceeds ${maxDimension} pixels (tierc data check reads larger images with --max-dimension).`,
    });
  }
}

async function decodeWithSharp(bytes: Uint8Array, file: string, format: 'png' | 'jpeg', maxDimension: number): Promise<FloatImage> {
  if (format === 'png') {
    const size = readPngSize(bytes);
    if (size === undefined) throw new DataError({ code: 'TIER5014', file, message: 'The PNG file has no IHDR header chunk.' });
    checkDimensions(file, size.width, size.height, maxDimension);
  }
  const limitInputPixels = maxDimension * maxDimension;
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels, failOn: 'warning' }).metadata();
  } catch (error) {
    throw new DataError({ code: 'TIER5014', file, message: `The ${format.toUpperCase()} header cannot be read: ${firstLine(error)}.` });
  }
  checkDimensions(file, metadata.width ?? 0, metadata.height ?? 0, maxDimension);

  const sixteen = metadata.depth === 'ushort';
  const colourChannels = (metadata.channels ?? 1) - (metadata.hasAlpha ? 1 : 0);
  const grey = colourChannels === 1 && metadata.space !== 'srgb';
  const space = grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  let output: { data: Buffer; info: OutputInfo };
  try {
    output = await sharp(bytes, { limitInputPixels, failOn: 'warning' })
      .rotate()
      .removeAlpha()
      .toColourspace(space)
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new DataError({ code: 'TIER5014', file, message: `The ${format.toUpperCase()} data is truncated or corrupt: ${firstLine(error)}.` });
  }
  const { width, height, channels } = output.info;
  const count = width * height;
  const data = new Float32Array(count * channels);
  const source = sixteen ? new Uint16Array(output.data.buffer, output.data.byteOffset, output.data.byteLength / 2) : output.data;
  const scale = sixteen ? 1 / 65535 : 1 / 255;
  // Interleaved (row, column, channel) to planar (channel, row, column).
  for (let c = 0; c < channels; c++) {
    const plane = c * count;
    for (let i = 0; i < count; i++) data[plane + i] = (source[i * channels + c] as number) * scale;
  }
  return { data, channels, height, width };
}

/** Converts to 1 channel (ITU-R BT.601 luminance) or 3 channels (grayscale copied). */
export function setChannels(image: FloatImage, channels: 1 | 3): FloatImage {
  if (image.channels === channels) return image;
  const count = image.height * image.width;
  if (channels === 3 && image.channels === 1) {
    const data = new Float32Array(count * 3);
    data.set(image.data, 0);
    data.set(image.data, count);
    data.set(image.data, 2 * count);
    return { ...image, data, channels: 3 };
  }
  if (channels === 1 && image.channels >= 3) {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      data[i] = 0.299 * (image.data[i] as number) + 0.587 * (image.data[count + i] as number) + 0.114 * (image.data[2 * count + i] as number);
    }
    return { ...image, data, channels: 1 };
  }
  throw new DataError({ code: 'TIER5016', message: `An image with ${image.channels} channels cannot be converted to ${channels} channels.` });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}
