// A small builder for ONNX graphs: nodes with typed attributes, initializers, graph inputs
// and outputs with symbolic dimensions, and the final ModelProto. All ONNX messages of
// tierc are made here. Names are unique within a graph, and the same calls in the same
// order give the same bytes.
import { AttributeType, ElementType, onnx, type OnnxTypes } from './proto.js';
import type { DType } from '../../ir/types.js';

/** An attribute value: a JS number is an INT, an array of numbers INTS; floats are tagged. */
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export type Dim = number | string;

export type ElementTypeName = keyof typeof ElementType;

export function elementTypeOf(dtype: DType): ElementTypeName {
  if (dtype === 'f32') return 'float';
  if (dtype === 'i32') return 'int32';
  return 'bool';
}

export interface InitializerData {
  name: string;
  type: ElementTypeName;
  dims: number[];
  /** Little-endian raw bytes. */
  raw: Uint8Array;
}

export interface NodeOptions {
  /** Base of the node's name and output name; made unique. */
  name?: string;
  /** How many outputs the node has; the returned name is the first. */
  outputs?: number;
}

export class OnnxGraph {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: InitializerData[] = [];
  readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  /** The doc_string given to every node added from now on: where in the spec it comes from. */
  docString = '';
  /** The name base for nodes added without an explicit name. */
  namePrefix = 'node';
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();

  constructor(readonly name: string, readonly opset: number) {}

  /** Returns `base` if unused, else `base_1`, `base_2`, …, and reserves it. */
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.used.has(name)) throw new Error(`ONNX value name '${name}' is already used`);
    this.used.add(name);
  }

  /** Adds a node and returns the name of its first output. An empty input name marks an omitted optional input. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, options: NodeOptions = {}): string {
    const base = options.name ?? `${this.namePrefix}/${opType}`;
    const nodeName = this.fresh(base);
    const outputs = [nodeName];
    for (let i = 1; i < (options.outputs ?? 1); i++) outputs.push(this.fresh(`${nodeName}:${i}`));
    this.nodes.push({
      name: nodeName,
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.keys(attrs).sort().map((key) => attribute(key, attrs[key]!)),
      docString: this.docString,
    });
    return nodeName;
  }

  addInitializer(name: string, type: ElementTypeName, dims: number[], raw: Uint8Array): string {
    this.reserve(name);
    this.initializers.push({ name, type, dims, raw });
    return name;
  }

  floatInitializer(name: string, dims: number[], values: ArrayLike<number>): string {
    return this.addInitializer(name, 'float', dims, rawFloat32(values));
  }

  /** Adds a constant initializer, or returns the existing one with identical values and dims. */
  constant(type: 'float' | 'int64' | 'int32', dims: number[], values: ArrayLike<number>): string {
    const key = `${type}|${dims.join(',')}|${Array.from(values).join(',')}`;
    const existing = this.constants.get(key);
    if (existing) return existing;
    const raw = rawBytes(type, values);
    const name = this.fresh(`const_${this.constants.size}`);
    this.used.delete(name);
    this.addInitializer(name, type, dims, raw);
    this.constants.set(key, name);
    return name;
  }

  /** Adds a 1-D int64 constant, as shape, axes and index inputs need. */
  ints(values: number[]): string {
    return this.constant('int64', [values.length], values);
  }

  /** Adds a float32 scalar constant. */
  scalar(value: number): string {
    return this.constant('float', [], [value]);
  }

  addInput(name: string, type: ElementTypeName, dims: Dim[]): void {
    this.reserve(name);
    this.inputs.push(valueInfo(name, type, dims));
  }

  addOutput(name: string, type: ElementTypeName, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Renames a value everywhere it is produced or consumed. */
  rename(from: string, to: string): void {
    this.reserve(to);
    for (const node of this.nodes) {
      node.input = node.input!.map((name) => (name === from ? to : name));
      node.output = node.output!.map((name) => (name === from ? to : name));
    }
  }

  /** Names of values produced by a node, as opposed to initializers and graph inputs. */
  producedNames(): Set<string> {
    return new Set(this.nodes.flatMap((node) => node.output ?? []));
  }
}

function attribute(name: string, value: AttrValue): OnnxTypes.IAttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.int, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.string, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.ints, ints: value };
  if ('float' in value) return { name, type: AttributeType.float, f: value.float };
  return { name, type: AttributeType.floats, floats: value.floats };
}

function valueInfo(name: string, type: ElementTypeName, dims: Dim[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ElementType[type],
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function rawBytes(type: 'float' | 'int64' | 'int32', values: ArrayLike<number>): Uint8Array {
  if (type === 'float') return rawFloat32(values);
  if (type === 'int64') return rawInt64(values);
  return rawInt32(values);
}

/** Float32 values as raw bytes: a view of a Float32Array's memory (no copy), else a converted copy. */
export function rawFloat32(values: ArrayLike<number>): Uint8Array {
  const array = values instanceof Float32Array ? values : Float32Array.from(values);
  return littleEndianBytes(array);
}

function rawInt32(values: ArrayLike<number>): Uint8Array {
  return littleEndianBytes(Int32Array.from(values));
}

function rawInt64(values: ArrayLike<number>): Uint8Array {
  return littleEndianBytes(BigInt64Array.from(Array.from(values), (v) => BigInt(v)));
}

function littleEndianBytes(array: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // Typed arrays use the platform's byte order; every platform Node supports is little-endian.
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** An initializer ready to encode: its TensorProto without `raw_data`, and the bytes that go there when stored inline. */
export interface EncodedInitializer {
  proto: OnnxTypes.ITensorProto;
  raw?: Uint8Array;
}

/** Describes an initializer: inline (its bytes become `raw_data` when the model is encoded) or pointing at external data. */
export function tensorProto(init: InitializerData, external?: { location: string; offset: number }): EncodedInitializer {
  const base: OnnxTypes.ITensorProto = { name: init.name, dataType: ElementType[init.type], dims: init.dims };
  if (!external) return { proto: base, raw: init.raw };
  return {
    proto: {
      ...base,
      dataLocation: 1,
      externalData: [
        { key: 'location', value: external.location },
        { key: 'offset', value: String(external.offset) },
        { key: 'length', value: String(init.raw.byteLength) },
      ],
    },
  };
}

export interface ModelOptions {
  irVersion: number;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

/** Builds the ModelProto without initializers; `encodeModel` adds them. */
export function modelProto(graph: OnnxGraph, options: ModelOptions): OnnxTypes.ModelProto {
  return onnx.ModelProto.create({
    irVersion: options.irVersion,
    opsetImport: [{ domain: '', version: graph.opset }],
    producerName: 'tierc',
    producerVersion: options.producerVersion,
    docString: options.docString,
    graph: {
      name: graph.name,
      node: graph.nodes,
      input: graph.inputs,
      output: graph.outputs,
    },
    metadataProps: Object.keys(options.metadata).sort().map((key) => ({ key, value: options.metadata[key]! })),
  });
}

// Field numbers and the length-delimited wire type, from onnx.proto.
const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const TENSOR_RAW_DATA_FIELD = 9;
const LENGTH_DELIMITED = 2;

/**
 * Encodes the model with `initializers` appended to its graph. protobufjs encodes every
 * message except the raw tensor bytes, which are copied once into the output buffer. A
 * protobuf parser accepts fields in any order, so the graph field follows the model's other
 * fields and the initializers follow the graph's other fields.
 */
export function encodeModel(model: OnnxTypes.ModelProto, initializers: readonly EncodedInitializer[]): Uint8Array {
  const head = onnx.ModelProto.encode(onnx.ModelProto.create({ ...model, graph: null })).finish();
  const graphHead = onnx.GraphProto.encode(onnx.GraphProto.create(model.graph ?? {})).finish();
  const tensors = initializers.map(({ proto, raw }) => {
    const header = onnx.TensorProto.encode(onnx.TensorProto.create(proto)).finish();
    const rawTag = raw === undefined ? 0 : tagSize(TENSOR_RAW_DATA_FIELD) + varintSize(raw.byteLength);
    return { header, raw, size: header.byteLength + rawTag + (raw?.byteLength ?? 0) };
  });
  const graphSize = graphHead.byteLength + tensors.reduce((sum, t) => sum + tagSize(GRAPH_INITIALIZER_FIELD) + varintSize(t.size) + t.size, 0);
  const bytes = new Uint8Array(head.byteLength + tagSize(MODEL_GRAPH_FIELD) + varintSize(graphSize) + graphSize);
  let offset = 0;
  const put = (chunk: Uint8Array): void => {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  };
  const putVarint = (value: number): void => {
    // Lengths stay below 2^53, so division replaces the 32-bit shift.
    let rest = value;
    while (rest >= 0x80) {
      bytes[offset++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    bytes[offset++] = rest;
  };
  put(head);
  putVarint((MODEL_GRAPH_FIELD << 3) | LENGTH_DELIMITED);
  putVarint(graphSize);
  put(graphHead);
  for (const tensor of tensors) {
    putVarint((GRAPH_INITIALIZER_FIELD << 3) | LENGTH_DELIMITED);
    putVarint(tensor.size);
    put(tensor.header);
    if (tensor.raw !== undefined) {
      putVarint((TENSOR_RAW_DATA_FIELD << 3) | LENGTH_DELIMITED);
      putVarint(tensor.raw.byteLength);
      put(tensor.raw);
    }
  }
  return bytes;
}

function tagSize(field: number): number {
  return varintSize((field << 3) | LENGTH_DELIMITED);
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}
