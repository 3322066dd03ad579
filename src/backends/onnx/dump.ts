// dumpOnnx: a deterministic text listing of an ONNX model for golden tests and `tierc dump`.
// It lists opset imports, inputs and outputs with their dimensions, and initializers with
// dtype, shape and a short hash of their data. Then come the nodes with attributes and doc
// strings, and the metadata. The same bytes always give the same text.
import { createHash } from 'node:crypto';
import { onnx, type OnnxTypes } from './proto.js';

export interface DumpOptions {
  /** Returns the bytes of an external data file named by a tensor's `location`. */
  readExternal?: (location: string) => Uint8Array;
}

const elementNames: Record<number, string> = { 1: 'float', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'double', 16: 'bfloat16' };

type IntLike = number | { toNumber(): number };

function toNumber(value: IntLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Decodes ONNX bytes; throws an Error when they are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function dumpOnnx(bytes: Uint8Array, options: DumpOptions = {}): string {
  const model = decodeModel(bytes);
  const graph = model.graph ?? {};
  const lines: string[] = [];
  lines.push(`ir_version: ${toNumber(model.irVersion)}`);
  for (const opset of model.opsetImport) lines.push(`opset_import: ${opset.domain || 'ai.onnx'} ${toNumber(opset.version)}`);
  lines.push(`producer: ${model.producerName} ${model.producerVersion}`);
  if (model.docString) lines.push(`doc: ${model.docString}`);
  lines.push(`graph: ${graph.name ?? ''}`);
  lines.push('inputs:');
  for (const input of graph.input ?? []) lines.push(`  ${input.name}: ${formatValueType(input)}`);
  lines.push('outputs:');
  for (const output of graph.output ?? []) lines.push(`  ${output.name}: ${formatValueType(output)}`);
  const initializers = (graph.initializer ?? []).slice().sort((a, b) => compareNames(a.name ?? '', b.name ?? ''));
  lines.push(`initializers: ${initializers.length}`);
  for (const tensor of initializers) lines.push(`  ${formatInitializer(tensor, options)}`);
  lines.push(`nodes: ${(graph.node ?? []).length}`);
  for (const node of graph.node ?? []) {
    const attributes = (node.attribute ?? []).map(formatAttribute).join(', ');
    lines.push(`  ${(node.output ?? []).join(', ')} = ${node.opType}(${(node.input ?? []).join(', ')})${attributes ? ` {${attributes}}` : ''}`);
    if (node.docString) lines.push(`    # ${node.docString}`);
  }
  lines.push('metadata:');
  const metadata = model.metadataProps.slice().sort((a, b) => compareNames(a.key ?? '', b.key ?? ''));
  for (const entry of metadata) lines.push(`  ${entry.key}: ${entry.value}`);
  return lines.join('\n') + '\n';
}

/** Orders by UTF-16 code units, independent of the locale. */
function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function formatValueType(info: OnnxTypes.IValueInfoProto): string {
  const tensor = info.type?.tensorType;
  if (!tensor) return '?';
  const dims = (tensor.shape?.dim ?? []).map((dim) => (dim.dimParam ? dim.dimParam : String(toNumber(dim.dimValue as IntLike))));
  return `${elementNames[tensor.elemType ?? 0] ?? `type${tensor.elemType}`}[${dims.join(', ')}]`;
}

function formatInitializer(tensor: OnnxTypes.ITensorProto, options: DumpOptions): string {
  const dims = (tensor.dims ?? []).map((dim) => toNumber(dim as IntLike));
  const type = elementNames[tensor.dataType ?? 0] ?? `type${tensor.dataType}`;
  let data: Uint8Array | undefined = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  let where = '';
  if (tensor.dataLocation === 1) {
    const entries = Object.fromEntries((tensor.externalData ?? []).map((entry) => [entry.key, entry.value]));
    where = ` external ${entries.location}@${entries.offset ?? 0}+${entries.length}`;
    if (options.readExternal && entries.location) {
      const file = options.readExternal(entries.location);
      const offset = Number(entries.offset ?? 0);
      data = file.subarray(offset, offset + Number(entries.length ?? file.length - offset));
    }
  } else if (!data) {
    data = typedFieldBytes(tensor);
  }
  const hash = data ? createHash('sha256').update(data).digest('hex').slice(0, 12) : 'unread';
  const preview = data && dims.reduce((n, d) => n * d, 1) <= 8 ? ` = ${formatValues(tensor.dataType ?? 0, data)}` : '';
  return `${tensor.name}: ${type}[${dims.join(', ')}] ${hash}${where}${preview}`;
}

/** Bytes of a tensor stored in the typed repeated fields instead of raw_data. */
function typedFieldBytes(tensor: OnnxTypes.ITensorProto): Uint8Array | undefined {
  if (tensor.floatData && tensor.floatData.length > 0) return new Uint8Array(Float32Array.from(tensor.floatData).buffer);
  if (tensor.int32Data && tensor.int32Data.length > 0) return new Uint8Array(Int32Array.from(tensor.int32Data).buffer);
  if (tensor.int64Data && tensor.int64Data.length > 0) {
    return new Uint8Array(BigInt64Array.from(tensor.int64Data.map((v) => BigInt(toNumber(v as IntLike)))).buffer);
  }
  return undefined;
}

function formatValues(dataType: number, raw: Uint8Array): string {
  const buffer = Uint8Array.from(raw).buffer;
  let values: number[];
  if (dataType === 1) values = Array.from(new Float32Array(buffer), shortestFloat32);
  else if (dataType === 6) values = Array.from(new Int32Array(buffer));
  else if (dataType === 7) values = Array.from(new BigInt64Array(buffer), Number);
  else if (dataType === 9) values = Array.from(new Uint8Array(buffer));
  else return '?';
  return `[${values.join(', ')}]`;
}

/** Returns the shortest decimal that reads back as the same float32. */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function formatAttribute(attribute: OnnxTypes.IAttributeProto): string {
  const name = attribute.name;
  switch (attribute.type) {
    case 1: return `${name}=${shortestFloat32(Math.fround(attribute.f ?? 0))}`;
    case 2: return `${name}=${toNumber(attribute.i as IntLike)}`;
    case 3: return `${name}="${new TextDecoder().decode(attribute.s ?? new Uint8Array())}"`;
    case 6: return `${name}=[${(attribute.floats ?? []).map((f) => shortestFloat32(Math.fround(f))).join(', ')}]`;
    case 7: return `${name}=[${(attribute.ints ?? []).map((i) => toNumber(i as IntLike)).join(', ')}]`;
    default: return `${name}=<type ${attribute.type}>`;
  }
}
