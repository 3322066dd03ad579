// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON
// header mapping tensor names to dtype, shape and byte offsets (plus an optional
// `__metadata__` map of strings), then the raw little-endian tensor data. The reader
// validates every header field and offset, so a truncated or corrupt file fails with an
// error that names the file and the problem instead of yielding wrong weights.
import { readFileSync } from 'node:fs';

export type SafetensorsDType = 'F32' | 'I32' | 'F64' | 'I64' | 'F16' | 'BF16' | 'U8' | 'I8' | 'BOOL';

export interface SafeTensor {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const BYTES: Record<SafetensorsDType, number> = { F32: 4, I32: 4, F64: 8, I64: 8, F16: 2, BF16: 2, U8: 1, I8: 1, BOOL: 1 };
/** Header sizes above this are treated as corruption (the format's reference reader uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`'${file}' is not a valid safetensors file: ${problem}`);
    this.name = 'SafetensorsError';
  }
}

/** Serializes tensors (sorted by name) and string metadata to safetensors bytes. */
export function encodeSafetensors(tensors: Map<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name)!;
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length) throw new Error(`Tensor '${name}' has ${tensor.data.length} values but shape [${tensor.shape.join(', ')}].`);
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/** Parses safetensors bytes; `file` names the source in errors. F32 and I32 tensors are supported. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(file, `it has ${bytes.length} bytes, fewer than the 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new SafetensorsError(file, `the header length ${headerLength} exceeds the ${bytes.length - 8} bytes that follow (truncated file?).`);
  }
  const headerEnd = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(headerLength)).toString('utf8'));
  } catch (error) {
    throw new SafetensorsError(file, `the header is not valid JSON (${(error as Error).message}).`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError(file, 'the header is not a JSON object.');

  const dataLength = bytes.length - headerEnd;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(entry, file);
      continue;
    }
    const { dtype, shape, begin, end } = checkEntry(name, entry, file);
    if (end > dataLength) throw new SafetensorsError(file, `tensor '${name}' ends at byte ${end} but the data section has ${dataLength} bytes (truncated file?).`);
    ranges.push([begin, end, name]);
    const count = shape.reduce((a, b) => a * b, 1);
    if (dtype !== 'F32' && dtype !== 'I32') throw new SafetensorsError(file, `tensor '${name}' has dtype ${dtype}; tierc reads F32 and I32 tensors.`);
    // Copy into an aligned buffer: the data section need not be 4-byte aligned in memory.
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(headerEnd + begin, headerEnd + end));
    const data = dtype === 'F32' ? new Float32Array(copy.buffer, 0, count) : new Int32Array(copy.buffer, 0, count);
    tensors.set(name, { dtype, shape, data });
  }

  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) throw new SafetensorsError(file, `tensors '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap.`);
  }
  return { tensors, metadata };
}

/** Reads and parses a safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  return decodeSafetensors(readFileSync(path), path);
}

function checkMetadata(entry: unknown, file: string): Record<string, string> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SafetensorsError(file, "'__metadata__' is not an object.");
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') throw new SafetensorsError(file, `metadata '${key}' is not a string.`);
  }
  return entry as Record<string, string>;
}

function checkEntry(name: string, entry: unknown, file: string): { dtype: SafetensorsDType; shape: number[]; begin: number; end: number } {
  if (entry === null || typeof entry !== 'object') throw new SafetensorsError(file, `tensor '${name}' has no header object.`);
  const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string' || !(dtype in BYTES)) throw new SafetensorsError(file, `tensor '${name}' has an unknown dtype ${JSON.stringify(dtype)}.`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new SafetensorsError(file, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
    throw new SafetensorsError(file, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}.`);
  }
  const [begin, end] = offsets as [number, number];
  const expected = (shape as number[]).reduce((a, b) => a * b, 1) * BYTES[dtype as SafetensorsDType];
  if (end - begin !== expected) {
    throw new SafetensorsError(file, `tensor '${name}' of dtype ${dtype} and shape [${shape.join(', ')}] needs ${expected} bytes but its offsets span ${end - begin}.`);
  }
  return { dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}
