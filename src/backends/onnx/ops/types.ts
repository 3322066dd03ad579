// The contract of one ONNX lowering rule: an IR op kind, and for each opset where ONNX
// changed what the rule emits, the ONNX ops it uses and the function that emits them.
import type { DType, Node, OpAttrs, OpKind, Size } from '../../../ir/types.js';
import type { OnnxGraph } from '../graph.js';

/** The type of a value in the emitter: symbols that stay dynamic remain strings. */
export interface ValueType {
  dtype: DType;
  dims: Size[];
}

export interface LowerContext<K extends OpKind = OpKind> {
  graph: OnnxGraph;
  opset: number;
  node: Node<K>;
  attrs: OpAttrs[K];
  /** ONNX names of the node's inputs, in IR order. */
  inputs: string[];
  inputTypes: ValueType[];
  outputType: ValueType;
  /**
   * An int64 tensor holding a symbolic size at run time, read with Shape from a graph input
   * or from one of the node's inputs: a scalar, or a 1-D tensor of one element.
   */
  runtimeSize(size: string, form: 'scalar' | 'vector'): string;
  /** Returns the value `build` emitted for the same key earlier in this graph, or calls `build` once. */
  shared(key: string, build: () => string): string;
  /** Aborts the lowering of this node with a TIER4xxx diagnostic at its span. */
  unsupported(code: string, message: string): never;
}

export interface LoweringVersion<K extends OpKind> {
  /** The lowest opset this form is valid for; it applies until the next version's `since`. */
  since: number;
  /** ONNX op types this form may emit. */
  emits: string[];
  /** Emits the nodes and returns the ONNX name of the result. */
  lower(context: LowerContext<K>): string;
}

export interface LoweringRule<K extends OpKind = OpKind> {
  op: K;
  versions: LoweringVersion<K>[];
}

/** Defines a rule with its versions sorted by `since`. */
export function rule<K extends OpKind>(op: K, ...versions: LoweringVersion<K>[]): LoweringRule<K> {
  return { op, versions: versions.slice().sort((a, b) => a.since - b.since) };
}

/** The version of `rule` that applies at `opset`, or undefined below its lowest one. */
export function versionAt<K extends OpKind>(lowering: LoweringRule<K>, opset: number): LoweringVersion<K> | undefined {
  let chosen: LoweringVersion<K> | undefined;
  for (const version of lowering.versions) if (version.since <= opset) chosen = version;
  return chosen;
}
