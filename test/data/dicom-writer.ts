// A minimal DICOM Part 10 writer for tests: a preamble, a file meta group and an explicit
// VR little-endian data set (or big endian when asked), enough for dicom-parser to read back.

export interface DicomElement {
  tag: [group: number, element: number];
  vr: string;
  value: string | number | number[] | Uint8Array | Uint16Array | Int16Array | { fragments: Uint8Array[] };
}

const longLengthVrs = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function encodeValue(element: DicomElement, littleEndian: boolean): Uint8Array {
  const { vr, value } = element;
  if (typeof value === 'object' && 'fragments' in value) throw new Error('Encapsulated pixel data is encoded by encodeEncapsulated.');
  if (typeof value === 'string') {
    let text = value;
    if (text.length % 2 === 1) text += vr === 'UI' ? '\0' : ' ';
    return new TextEncoder().encode(text);
  }
  if (value instanceof Uint8Array) return value.length % 2 === 0 ? value : Uint8Array.from([...value, 0]);
  if (value instanceof Uint16Array || value instanceof Int16Array) {
    const out = new Uint8Array(value.length * 2);
    const view = new DataView(out.buffer);
    value.forEach((v, i) => view.setUint16(i * 2, v & 0xffff, littleEndian));
    return out;
  }
  const numbers = Array.isArray(value) ? value : [value];
  const size = vr === 'UL' ? 4 : 2;
  const out = new Uint8Array(numbers.length * size);
  const view = new DataView(out.buffer);
  numbers.forEach((v, i) => (size === 4 ? view.setUint32(i * 4, v, littleEndian) : view.setUint16(i * 2, v, littleEndian)));
  return out;
}

/** Encodes encapsulated pixel data: undefined length, an empty offset table, one item per fragment, a delimiter. */
function encodeEncapsulated(tag: [number, number], fragments: Uint8Array[]): Uint8Array {
  const item = (group: number, element: number, body: Uint8Array): Uint8Array => {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, group, true);
    view.setUint16(2, element, true);
    view.setUint32(4, body.length, true);
    return concat([header, body]);
  };
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, tag[0], true);
  view.setUint16(2, tag[1], true);
  header[4] = 'O'.charCodeAt(0);
  header[5] = 'B'.charCodeAt(0);
  view.setUint32(8, 0xffffffff, true);
  const padded = fragments.map((fragment) => (fragment.length % 2 === 0 ? fragment : concat([fragment, new Uint8Array(1)])));
  return concat([header, item(0xfffe, 0xe000, new Uint8Array(0)), ...padded.map((fragment) => item(0xfffe, 0xe000, fragment)), item(0xfffe, 0xe0dd, new Uint8Array(0))]);
}

function encodeElement(element: DicomElement, littleEndian: boolean): Uint8Array {
  if (typeof element.value === 'object' && 'fragments' in element.value) return encodeEncapsulated(element.tag, element.value.fragments);
  const value = encodeValue(element, littleEndian);
  const long = longLengthVrs.has(element.vr);
  const header = new Uint8Array(long ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, element.tag[0], littleEndian);
  view.setUint16(2, element.tag[1], littleEndian);
  header[4] = element.vr.charCodeAt(0);
  header[5] = element.vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, littleEndian);
  else view.setUint16(6, value.length, littleEndian);
  const out = new Uint8Array(header.length + value.length);
  out.set(header, 0);
  out.set(value, header.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Writes a DICOM file with the given data set elements (sorted by tag by the caller). */
export function writeDicom(elements: DicomElement[], transferSyntax = '1.2.840.10008.1.2.1'): Uint8Array {
  const littleEndian = transferSyntax !== '1.2.840.10008.1.2.2';
  const metaBody = concat([
    encodeElement({ tag: [0x0002, 0x0001], vr: 'OB', value: Uint8Array.from([0, 1]) }, true),
    encodeElement({ tag: [0x0002, 0x0002], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1' }, true),
    encodeElement({ tag: [0x0002, 0x0003], vr: 'UI', value: '1.2.3.4.5' }, true),
    encodeElement({ tag: [0x0002, 0x0010], vr: 'UI', value: transferSyntax }, true),
  ]);
  const groupLength = encodeElement({ tag: [0x0002, 0x0000], vr: 'UL', value: metaBody.length }, true);
  const preamble = new Uint8Array(132);
  preamble.set(new TextEncoder().encode('DICM'), 128);
  return concat([preamble, groupLength, metaBody, ...elements.map((element) => encodeElement(element, littleEndian))]);
}

/** Builds the image pixel module elements of a grayscale image. */
export function grayImageElements(options: {
  rows: number;
  columns: number;
  pixels: Uint16Array | Int16Array | Uint8Array | { fragments: Uint8Array[] };
  bitsAllocated?: number;
  bitsStored?: number;
  signed?: boolean;
  photometric?: string;
  slope?: string;
  intercept?: string;
  windowCenter?: string;
  windowWidth?: string;
  omitPixels?: boolean;
}): DicomElement[] {
  const bitsAllocated = options.bitsAllocated ?? 16;
  const elements: DicomElement[] = [
    { tag: [0x0028, 0x0002], vr: 'US', value: 1 },
    { tag: [0x0028, 0x0004], vr: 'CS', value: options.photometric ?? 'MONOCHROME2' },
    { tag: [0x0028, 0x0010], vr: 'US', value: options.rows },
    { tag: [0x0028, 0x0011], vr: 'US', value: options.columns },
    { tag: [0x0028, 0x0100], vr: 'US', value: bitsAllocated },
    { tag: [0x0028, 0x0101], vr: 'US', value: options.bitsStored ?? bitsAllocated },
    { tag: [0x0028, 0x0102], vr: 'US', value: (options.bitsStored ?? bitsAllocated) - 1 },
    { tag: [0x0028, 0x0103], vr: 'US', value: options.signed ? 1 : 0 },
  ];
  if (options.windowCenter !== undefined) elements.push({ tag: [0x0028, 0x1050], vr: 'DS', value: options.windowCenter });
  if (options.windowWidth !== undefined) elements.push({ tag: [0x0028, 0x1051], vr: 'DS', value: options.windowWidth });
  if (options.intercept !== undefined) elements.push({ tag: [0x0028, 0x1052], vr: 'DS', value: options.intercept });
  if (options.slope !== undefined) elements.push({ tag: [0x0028, 0x1053], vr: 'DS', value: options.slope });
  if (!options.omitPixels) elements.push({ tag: [0x7fe0, 0x0010], vr: bitsAllocated === 8 ? 'OB' : 'OW', value: options.pixels });
  return elements;
}
