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
  return new Uint8Array(array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength));
}

/** Builds the TensorProto of an initializer, inline or pointing at external data. */
export function tensorProto(init: InitializerData, external?: { location: string; offset: number }): OnnxTypes.ITensorProto {
  const base: OnnxTypes.ITensorProto = { name: init.name, dataType: ElementType[init.type], dims: init.dims };
  if (!external) return { ...base, rawData: init.raw };
  return {
    ...base,
    dataLocation: 1,
    externalData: [
      { key: 'location', value: external.location },
      { key: 'offset', value: String(external.offset) },
      { key: 'length', value: String(init.raw.byteLength) },
    ],
  };
}

export interface ModelOptions {
  irVersion: number;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
  initializers: OnnxTypes.ITensorProto[];
}

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
      initializer: options.initializers,
      input: graph.inputs,
      output: graph.outputs,
    },
    metadataProps: Object.keys(options.metadata).sort().map((key) => ({ key, value: options.metadata[key]! })),
  });
}

export function encodeModel(model: OnnxTypes.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
