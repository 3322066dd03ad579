// DICOM pixel decoding through dicom-parser: stored values are masked to BitsStored and
// sign-extended when PixelRepresentation is 1, mapped by RescaleSlope/RescaleIntercept to
// modality values, windowed to [0, 1] and inverted for MONOCHROME1 (where low values are white).
// Uncompressed little- and big-endian, deflated, and baseline JPEG transfer syntaxes decode;
// other compressed syntaxes are reported by name.
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import sharp from 'sharp';
import { DataError } from './errors.js';
import type { FloatImage } from './image.js';

/**
 * Mapping of modality values to [0, 1].
 * - 'auto': the header's WindowCenter/WindowWidth when present, else the min-max range.
 * - 'header': the header's window, which must be present.
 * - 'minmax': the image's own range.
 * - `percentile`: clipping at two percentiles, for example [0.5, 99.5].
 * - `center`/`width`: an explicit linear window.
 */
export type DicomWindow = 'auto' | 'header' | 'minmax' | { percentile: [number, number] } | { center: number; width: number };

const uncompressed: Record<string, string> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.2': 'explicit VR big endian',
  '1.2.840.10008.1.2.1.99': 'deflated explicit VR little endian',
};

const compressedNames: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless, first-order prediction',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE lossless',
};

const jpegBaseline = '1.2.840.10008.1.2.4.50';

export interface DicomDecodeOptions {
  maxDimension: number;
  window: DicomWindow;
}

/** Decodes the first frame of a DICOM Part 10 file. */
export async function decodeDicom(bytes: Uint8Array, file: string, options: DicomDecodeOptions): Promise<FloatImage> {
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, { inflater: (data: Uint8Array, position: number) => inflateDeflated(data, position) } as dicomParser.ParseDicomOptions);
  } catch (error) {
    const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : String((error as { exception?: unknown }).exception ?? error);
    throw new DataError({ code: 'TIER5014', file, message: `The DICOM file cannot be parsed: ${detail.replace(/^dicomParser\.\w+: /, '')}.` });
  }
  const syntax = (dataSet.string('x00020010') ?? '1.2.840.10008.1.2').replace(/\0/g, '').trim();
  if (uncompressed[syntax] === undefined && syntax !== jpegBaseline) {
    const name = compressedNames[syntax];
    throw new DataError({
      code: 'TIER5016',
      file,
      message: `The DICOM transfer syntax ${syntax}${name !== undefined ? ` (${name})` : ''} is not supported; convert the file to an uncompressed transfer syntax (for example with 'gdcmconv --raw' or 'dcmdjpeg').`,
    });
  }

  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  const pixelElement = dataSet.elements['x7fe00010'];
  if (pixelElement === undefined) throw new DataError({ code: 'TIER5015', file, message: 'The DICOM file has no pixel data element (7FE0,0010); it may be a report or structured document, not an image.' });
  if (!(rows > 0 && columns > 0)) throw new DataError({ code: 'TIER5014', file, message: `The DICOM header gives size ${columns}×${rows}; Rows and Columns must be positive.` });
  if (rows > options.maxDimension || columns > options.maxDimension) {
    throw new DataError({ code: 'TIER5013', file, message: `The DICOM header gives size ${columns}×${rows}, above the limit of ${options.maxDimension} pixels per side; resize the image so that neither side exceeds ${options.maxDimension} pixels (tierc data check reads larger images with --max-dimension).` });
  }

  const samples = dataSet.uint16('x00280002') ?? 1;
  const photometric = (dataSet.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase();
  if (syntax === jpegBaseline) return decodeJpegFrame(dataSet, pixelElement, file, photometric, options);

  const bitsAllocated = dataSet.uint16('x00280100') ?? 16;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const signed = (dataSet.uint16('x00280103') ?? 0) === 1;
  if (![8, 16, 32].includes(bitsAllocated) || bitsStored < 1 || bitsStored > bitsAllocated || highBit + 1 < bitsStored || highBit >= bitsAllocated) {
    throw new DataError({ code: 'TIER5016', file, message: `BitsAllocated ${bitsAllocated}, BitsStored ${bitsStored} and HighBit ${highBit} are not a supported pixel layout.` });
  }
  if (samples !== 1 && !(samples === 3 && bitsAllocated === 8)) {
    throw new DataError({ code: 'TIER5016', file, message: `SamplesPerPixel ${samples} with BitsAllocated ${bitsAllocated} is not supported; only grayscale and 8-bit RGB are.` });
  }
  const count = rows * columns;
  const bytesPerSample = bitsAllocated / 8;
  const needed = count * samples * bytesPerSample;
  if (pixelElement.length < needed || pixelElement.dataOffset + needed > bytes.length) {
    throw new DataError({ code: 'TIER5014', file, message: `The DICOM pixel data holds ${Math.min(pixelElement.length, bytes.length - pixelElement.dataOffset)} bytes, but ${columns}×${rows}×${samples} samples of ${bitsAllocated} bits need ${needed}; the file is truncated.` });
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset + pixelElement.dataOffset, needed);
  const littleEndian = syntax !== '1.2.840.10008.1.2.2';
  if (samples === 3) return rgbFrame(view, rows, columns, (dataSet.uint16('x00280006') ?? 0) === 1);

  const values = new Float64Array(count);
  const shift = highBit + 1 - bitsStored;
  const mask = bitsStored === 32 ? 0xffffffff : 2 ** bitsStored - 1;
  for (let i = 0; i < count; i++) {
    let raw: number;
    if (bitsAllocated === 8) raw = view.getUint8(i);
    else if (bitsAllocated === 16) raw = view.getUint16(i * 2, littleEndian);
    else raw = view.getUint32(i * 4, littleEndian);
    // Bits above BitsStored may hold overlays; they are masked off before sign extension.
    let stored = Math.floor(raw / 2 ** shift) % (mask + 1);
    if (signed && stored >= 2 ** (bitsStored - 1)) stored -= 2 ** bitsStored;
    values[i] = stored;
  }
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  for (let i = 0; i < count; i++) values[i] = (values[i] as number) * slope + intercept;

  const data = applyWindow(values, windowFor(dataSet, options.window, values, file));
  if (photometric === 'MONOCHROME1') for (let i = 0; i < count; i++) data[i] = 1 - (data[i] as number);
  return { data, channels: 1, height: rows, width: columns };
}

interface LinearWindow {
  center: number;
  width: number;
}

function windowFor(dataSet: dicomParser.DataSet, window: DicomWindow, values: Float64Array, file: string): LinearWindow | { low: number; high: number } {
  if (typeof window === 'object' && 'center' in window) return window;
  if (typeof window === 'object' && 'percentile' in window) {
    const sorted = Float64Array.from(values).sort();
    return { low: quantile(sorted, window.percentile[0] / 100), high: quantile(sorted, window.percentile[1] / 100) };
  }
  // NOTE: only the first window of a multi-valued WindowCenter/WindowWidth is used, as a linear
  // ramp. A VOI LUT Function of SIGMOID and VOI LUT sequences are not applied.
  const center = dataSet.floatString('x00281050');
  const width = dataSet.floatString('x00281051');
  if ((window === 'auto' || window === 'header') && center !== undefined && width !== undefined && width >= 1) return { center, width };
  if (window === 'header') throw new DataError({ code: 'TIER5016', file, message: 'The DICOM file has no WindowCenter/WindowWidth, but the window is set to come from the header.' });
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return { low, high };
}

/** Maps values to [0, 1]: the DICOM linear VOI function for center/width, or a clipped linear ramp. */
function applyWindow(values: Float64Array, window: LinearWindow | { low: number; high: number }): Float32Array {
  const data = new Float32Array(values.length);
  if ('center' in window) {
    const c = window.center - 0.5;
    const w = window.width - 1;
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      data[i] = w <= 0 ? (x > c ? 1 : 0) : Math.min(1, Math.max(0, (x - c) / w + 0.5));
    }
    return data;
  }
  const range = window.high - window.low;
  for (let i = 0; i < values.length; i++) data[i] = range > 0 ? Math.min(1, Math.max(0, ((values[i] as number) - window.low) / range)) : 0;
  return data;
}

function quantile(sorted: Float64Array, q: number): number {
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(sorted.length - 1, lower + 1);
  const fraction = position - lower;
  return (sorted[lower] as number) * (1 - fraction) + (sorted[upper] as number) * fraction;
}

function rgbFrame(view: DataView, rows: number, columns: number, planar: boolean): FloatImage {
  const count = rows * columns;
  const data = new Float32Array(count * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < count; i++) data[c * count + i] = view.getUint8(planar ? c * count + i : i * 3 + c) / 255;
  }
  return { data, channels: 3, height: rows, width: columns };
}

async function decodeJpegFrame(dataSet: dicomParser.DataSet, element: dicomParser.Element, file: string, photometric: string, options: DicomDecodeOptions): Promise<FloatImage> {
  let frame: Uint8Array;
  try {
    frame = element.fragments !== undefined && element.fragments.length > 0 && element.basicOffsetTable !== undefined && element.basicOffsetTable.length > 0 ? dicomParser.readEncapsulatedImageFrame(dataSet, element, 0) : dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, element.fragments?.length ?? 1);
  } catch (error) {
    throw new DataError({ code: 'TIER5014', file, message: `The encapsulated DICOM pixel data cannot be read: ${error instanceof Error ? error.message : String(error)}.` });
  }
  try {
    const output = await sharp(frame, { failOn: 'warning', limitInputPixels: options.maxDimension * options.maxDimension }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const count = output.info.width * output.info.height;
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = (output.data[i * output.info.channels] as number) / 255;
    if (photometric === 'MONOCHROME1') for (let i = 0; i < count; i++) data[i] = 1 - (data[i] as number);
    return { data, channels: 1, height: output.info.height, width: output.info.width };
  } catch (error) {
    throw new DataError({ code: 'TIER5014', file, message: `The JPEG frame inside the DICOM file cannot be decoded: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}.` });
  }
}

function inflateDeflated(data: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(data.subarray(position));
  const result = new Uint8Array(position + inflated.length);
  result.set(data.subarray(0, position), 0);
  result.set(inflated, position);
  return result;
}
