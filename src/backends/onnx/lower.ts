// Lowers the part of an IR module that a set of values depends on into one ONNX graph in
// inference form. IR inputs become graph inputs, and parameters and folded constants become
// initializers. Every remaining node goes through its lowering rule.
import { createHash } from 'node:crypto';
import type { Diagnostic, Span } from '../../diagnostics/types.js';
import { valueDependencies, type Tensor } from '../../ir/interpret.js';
import type { DType, IrModule, Node, OpAttrs, Size, TensorType, ValueId } from '../../ir/types.js';
import { backendDiagnostic, LoweringError } from './diagnostics.js';
import { planFolding, type FoldPlan } from './fold.js';
import { elementTypeOf, OnnxGraph, rawFloat32 } from './graph.js';
import { ElementType } from './proto.js';
import { loweringTable, structuralOps, versionAt, type LowerContext, type ValueType } from './ops/index.js';

export interface LowerRequest {
  module: IrModule;
  opset: number;
  graphName: string;
  /** IR values the graph must compute. */
  values: ValueId[];
  /** IR values that leave the graph as outputs (a subset of `values` or values they lead to). */
  outputs: ReadonlySet<ValueId>;
  weights: ReadonlyMap<string, ArrayLike<number>>;
  /** Symbols given a fixed size in this graph; every other symbol stays a dynamic dimension. */
  fixedSymbols: ReadonlyMap<string, number>;
  /** The ONNX type of i32 graph inputs; int64 inputs are cast to int32 inside the graph. Default int32. */
  integerInputs?: 'int32' | 'int64';
}

export interface LoweredGraph {
  graph: OnnxGraph;
  /** ONNX name of each requested value. */
  names: Map<ValueId, string>;
  diagnostics: Diagnostic[];
}

export function lowerValues(request: LowerRequest): LoweredGraph {
  const emitter = new Emitter(request);
  return emitter.run();
}

/** Formats where a node comes from for the ONNX doc_string: `file:line`, then the IR node name. */
export function provenance(span: Span | undefined, name: string | undefined): string {
  const location = span ? `${span.file}:${span.start.line}` : 'no source location';
  return name ? `${location} ${name}` : location;
}

class Emitter {
  private readonly module: IrModule;
  private readonly graph: OnnxGraph;
  private readonly names = new Map<ValueId, string>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly needed: Set<ValueId>;
  private readonly plan: FoldPlan;
  private readonly sizeCache = new Map<string, string>();
  private readonly shapeCache = new Map<string, string>();
  private readonly foldedByContent = new Map<string, string>();
  private readonly sharedValues = new Map<string, string>();

  constructor(private readonly request: LowerRequest) {
    this.module = request.module;
    this.graph = new OnnxGraph(request.graphName, request.opset);
    this.needed = valueDependencies(this.module, request.values);
    this.plan = planFolding(this.module, this.needed, request.outputs, request.weights);
    this.keepFlattenableGemms();
  }

  /**
   * Drops the planned Gemms on flattened inputs whose leading axes have more than one dynamic
   * size: restoring their shape would need Shape ops, so they stay a MatMul and an Add.
   */
  private keepFlattenableGemms(): void {
    for (const [id, gemm] of this.plan.gemm) {
      const dims = this.typeOf(gemm.matmul).dims;
      if (dims.length === 2 || dims.slice(0, -1).filter((dim) => typeof dim !== 'number').length <= 1) continue;
      this.plan.gemm.delete(id);
      this.plan.absorbed.delete(gemm.matmul);
    }
  }

  run(): LoweredGraph {
    this.addGraphInputs();
    for (let id = 0; id < this.module.nodes.length; id++) {
      if (!this.needed.has(id) || this.plan.known.has(id) || this.plan.absorbed.has(id)) continue;
      const node = this.module.nodes[id]!;
      if (node.op === 'input') continue;
      this.graph.docString = provenance(node.span, node.name);
      this.graph.namePrefix = node.name ?? `${node.op}_${id}`;
      try {
        this.names.set(id, this.lowerNode(id, node));
      } catch (error) {
        if (!(error instanceof LoweringError)) throw error;
        this.diagnostics.push(error.diagnostic);
        this.names.set(id, '');
      }
    }
    const names = new Map<ValueId, string>();
    for (const id of this.request.values) names.set(id, this.nameOf(id));
    return { graph: this.graph, names, diagnostics: this.diagnostics };
  }

  /** Returns the ONNX value type of an IR value, with fixed symbols replaced by their sizes. */
  typeOf(id: ValueId): ValueType {
    return valueType(this.module.nodes[id]!.type, this.request.fixedSymbols);
  }

  /** Returns the ONNX name of an IR value and adds a known value as an initializer on first use. */
  nameOf(id: ValueId): string {
    const existing = this.names.get(id);
    if (existing !== undefined) return existing;
    if (!this.plan.known.has(id)) throw new Error(`value ${id} is used before it is lowered`);
    const name = this.addKnown(id);
    this.names.set(id, name);
    return name;
  }

  private addGraphInputs(): void {
    const used = new Set<number>();
    for (const id of this.needed) {
      const node = this.module.nodes[id]!;
      if (node.op === 'input') used.add((node.attrs as OpAttrs['input']).input);
    }
    const inputNames = new Map<number, string>();
    this.module.inputs.forEach((input, index) => {
      if (!used.has(index)) return;
      const type = valueType(input.type, this.request.fixedSymbols);
      if (type.dtype === 'i32' && this.request.integerInputs === 'int64') {
        // The graph takes int64, as most ONNX tokenizer pipelines produce, and casts once to the IR's int32.
        this.graph.addInput(input.name, 'int64', type.dims);
        this.graph.docString = `input '${input.name}'`;
        inputNames.set(index, this.graph.node('Cast', [input.name], { to: ElementType.int32 }, { name: `${input.name}/Cast` }));
        return;
      }
      this.graph.addInput(input.name, elementTypeOf(type.dtype), type.dims);
      inputNames.set(index, input.name);
    });
    for (const id of this.needed) {
      const node = this.module.nodes[id]!;
      if (node.op === 'input') this.names.set(id, inputNames.get((node.attrs as OpAttrs['input']).input)!);
    }
  }

  /** Parameters keep their checkpoint name, so tied parameters are stored once; folded values are named after their node. */
  private addKnown(id: ValueId): string {
    const node = this.module.nodes[id]!;
    if (node.op === 'param') {
      const param = this.module.params[(node.attrs as OpAttrs['param']).param]!;
      const existing = this.graph.initializers.find((init) => init.name === param.name);
      if (existing) return existing.name;
      const data = this.request.weights.get(param.name)!;
      return this.addTensor(param.name, { shape: param.shape.slice(), data }, node.type.dtype);
    }
    if (node.op === 'constant' && node.type.dtype !== 'bool') {
      const value = this.plan.known.get(id)!;
      if (value.data.length <= 16) return this.graph.constant(node.type.dtype === 'f32' ? 'float' : 'int32', value.shape, value.data);
    }
    const shape = node.type.axes.map((axis) => axis.size);
    const staticShape = shape.every((size): size is number => typeof size === 'number') ? shape : undefined;
    // Float values skip the interpreter's float64 copy: transposed weights are rearranged in float32.
    const value = node.type.dtype === 'f32' && staticShape ? { shape: staticShape, data: this.plan.known.float32(id)! } : this.plan.known.get(id)!;
    // Identical folded values (a tied weight transposed at each use) share one initializer. A value
    // derived from a parameter by reshapes and transposes is keyed by that derivation, others by a hash.
    const key = `${node.type.dtype}|${value.shape.join(',')}|${this.plan.known.derivation(id) ?? contentHash(value.data)}`;
    const existing = this.foldedByContent.get(key);
    if (existing) return existing;
    const name = this.addTensor(this.graph.fresh(node.name ? `${node.name}.${node.op}` : `${node.op}_${id}`), value, node.type.dtype, true);
    this.foldedByContent.set(key, name);
    return name;
  }

  private addTensor(name: string, value: { shape: number[]; data: ArrayLike<number> }, dtype: string, reserved = false): string {
    const type = elementTypeOf(dtype as DType);
    let raw: Uint8Array;
    if (type === 'float') raw = rawFloat32(value.data);
    else if (type === 'int32') raw = new Uint8Array(Int32Array.from(value.data).buffer);
    else raw = Uint8Array.from(value.data, (v) => (v ? 1 : 0));
    if (reserved) {
      this.graph.initializers.push({ name, type, dims: value.shape.slice(), raw });
      return name;
    }
    return this.graph.addInitializer(name, type, value.shape.slice(), raw);
  }

  private lowerNode(id: ValueId, node: Node): string {
    if (node.op === 'dropout') return this.nameOf(node.inputs[0]!);
    const fusedConv = this.plan.convBatchNorm.get(id);
    if (fusedConv) return this.lowerFusedConv(fusedConv);
    const transposePair = this.plan.transposes.get(id);
    if (transposePair) {
      const perm = transposePair.perm;
      if (perm.every((axis, i) => axis === i)) return this.nameOf(transposePair.input);
      return this.graph.node('Transpose', [this.nameOf(transposePair.input)], { perm });
    }
    const gemm = this.plan.gemm.get(id);
    if (gemm) {
      const product = this.module.nodes[gemm.matmul]!;
      const [a, b] = product.inputs.map((input) => this.nameOf(input)) as [string, string];
      const dims = this.typeOf(gemm.matmul).dims;
      if (dims.length === 2) return this.graph.node('Gemm', [a, b, this.nameOf(gemm.bias)]);
      // [..., K] → [rows, K], Gemm, then back to [..., N] with -1 for the one dynamic axis.
      const inner = this.typeOf(product.inputs[1]!).dims[0] as number;
      const rows = this.graph.node('Reshape', [a, this.graph.ints([-1, inner])], {}, { name: `${this.graph.namePrefix}/flatten` });
      const sum = this.graph.node('Gemm', [rows, b, this.nameOf(gemm.bias)]);
      return this.graph.node('Reshape', [sum, this.graph.ints(dims.map((dim) => (typeof dim === 'number' ? dim : -1)))], {}, { name: `${this.graph.namePrefix}/unflatten` });
    }
    if (structuralOps.has(node.op)) throw new Error(`${node.op} node ${id} should have been folded`);
    const lowering = loweringTable.get(node.op);
    const version = lowering && versionAt(lowering, this.request.opset);
    if (!version) {
      throw new LoweringError(backendDiagnostic('TIER4005', `The op '${node.op}' has no ONNX lowering at opset ${this.request.opset}.`, node.span));
    }
    return version.lower(this.context(id, node));
  }

  private lowerFusedConv(fused: { conv: ValueId; weight: Tensor; bias: Tensor }): string {
    const conv = this.module.nodes[fused.conv]!;
    const attrs = conv.attrs as OpAttrs['conv2d'];
    const base = conv.name ?? `conv2d_${fused.conv}`;
    const weight = this.addTensor(this.graph.fresh(`${base}.weight_bn_folded`), fused.weight, 'f32', true);
    const bias = this.addTensor(this.graph.fresh(`${base}.bias_bn_folded`), fused.bias, 'f32', true);
    return this.graph.node('Conv', [this.nameOf(conv.inputs[0]!), weight, bias], {
      dilations: attrs.dilations,
      group: attrs.groups,
      kernel_shape: fused.weight.shape.slice(2),
      pads: attrs.pads,
      strides: attrs.strides,
    });
  }

  private context(id: ValueId, node: Node): LowerContext {
    const unsupported = (code: string, message: string): never => {
      throw new LoweringError(backendDiagnostic(code, message, node.span));
    };
    return {
      graph: this.graph,
      opset: this.request.opset,
      node,
      attrs: node.attrs,
      inputs: node.inputs.map((input) => this.nameOf(input)),
      inputTypes: node.inputs.map((input) => this.typeOf(input)),
      outputType: this.typeOf(id),
      runtimeSize: (size, form) => this.runtimeSize(size, form, node, unsupported),
      shared: (key, build) => {
        let name = this.sharedValues.get(key);
        if (name === undefined) {
          name = build();
          this.sharedValues.set(key, name);
        }
        return name;
      },
      unsupported,
    };
  }

  /** Reads a symbolic size (a symbol or a product such as `batch*16`) with Shape at run time. */
  private runtimeSize(size: string, form: 'scalar' | 'vector', node: Node, unsupported: (code: string, message: string) => never): string {
    const key = `${size}|${form}`;
    const cached = this.sizeCache.get(key);
    if (cached) return cached;
    const factors = size.split('*').map((part) => part.trim());
    let result: string | undefined;
    for (const factor of factors) {
      const term = /^\d+$/.test(factor)
        ? form === 'scalar' ? this.graph.constant('int64', [], [Number(factor)]) : this.graph.ints([Number(factor)])
        : this.symbolSize(factor, form, node, unsupported);
      result = result === undefined ? term : this.graph.node('Mul', [result, term]);
    }
    this.sizeCache.set(key, result!);
    return result!;
  }

  private symbolSize(symbol: string, form: 'scalar' | 'vector', node: Node, unsupported: (code: string, message: string) => never): string {
    const fixed = this.request.fixedSymbols.get(symbol);
    if (fixed !== undefined) return form === 'scalar' ? this.graph.constant('int64', [], [fixed]) : this.graph.ints([fixed]);
    for (const input of this.graph.inputs) {
      const dims = input.type!.tensorType!.shape!.dim!;
      const axis = dims.findIndex((dim) => dim.dimParam === symbol);
      if (axis < 0) continue;
      let shape = this.shapeCache.get(input.name!);
      if (!shape) {
        shape = this.graph.node('Shape', [input.name!], {}, { name: `${input.name}/Shape` });
        this.shapeCache.set(input.name!, shape);
      }
      const index = form === 'scalar' ? this.graph.constant('int64', [], [axis]) : this.graph.ints([axis]);
      return this.graph.node('Gather', [shape, index], { axis: 0 }, { name: `size/${symbol}/Gather` });
    }
    return unsupported('TIER4003', `The size '${symbol}' of '${node.name ?? node.op}' cannot be read from the inputs of graph '${this.graph.name}'.`);
  }
}

function contentHash(data: ArrayLike<number>): string {
  const bytes = data instanceof Float32Array ? rawFloat32(data) : new Uint8Array(Float64Array.from(data).buffer);
  return createHash('sha256').update(bytes).digest('hex');
}

export function valueType(type: TensorType, fixedSymbols: ReadonlyMap<string, number>): ValueType {
  return { dtype: type.dtype, dims: type.axes.map((axis) => fixSize(axis.size, fixedSymbols)) };
}

/** Replaces fixed symbols by their sizes; a product becomes a number once every factor is known. */
function fixSize(size: Size, fixedSymbols: ReadonlyMap<string, number>): Size {
  if (typeof size === 'number') return size;
  const factors = size.split('*').map((part) => part.trim());
  let product = 1;
  const open: string[] = [];
  for (const factor of factors) {
    const value = /^\d+$/.test(factor) ? Number(factor) : fixedSymbols.get(factor);
    if (value === undefined) open.push(factor);
    else product *= value;
  }
  if (open.length === 0) return product;
  return product === 1 ? open.join('*') : [String(product), ...open].join('*');
}
