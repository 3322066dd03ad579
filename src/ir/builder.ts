// IrBuilder: appends nodes to a module in topological order and infers each node's type
// from the shape rule table, so a shape mistake surfaces as a ShapeError at the call that
// made it. One typed method per op kind; `emit` is the generic entry point for code that picks the op kind at run time.
//
// Scopes give parameters hierarchical dotted names (`image.layer1.0.conv1.weight`), tag
// them with a component, map them to a pretrained checkpoint, and freeze sub-modules.
// Node names are the scope path plus an optional local name; they are for reading and
// need not be unique.
import type { Span } from '../diagnostics/types.js';
import { ShapeError, formatType } from './shape_error.js';
import { inferType } from './shapes.js';
import type {
  Axis, DType, GraphInput, Initializer, InputRole, IrModule, LossTerm, LossWeight, Node, OpAttrs, OpKind,
  Param, ParamClamp, ParamRole, Size, SymbolDecl, TensorType, ValueId,
} from './types.js';

/** Per-node options accepted by every op method. */
export interface NodeOptions {
  /** Local name, appended to the scope path. */
  name?: string;
  /** Source span; defaults to the innermost scope's span. */
  span?: Span;
  /** Renames the result's axes (sizes are unchanged); one name per axis. */
  axisNames?: string[];
}

export interface ParamSpec {
  /** Local name, appended to the scope path: `weight`, `conv1.weight`. */
  name: string;
  shape: number[];
  /** Defaults to `d0`, `d1`, …; give names like `out`, `in` for readable listings. */
  axisNames?: string[];
  dtype?: DType;
  /** Defaults to `weight`. */
  role?: ParamRole;
  /** Defaults to true, except for buffers and inside a scope that freezes this name. */
  trainable?: boolean;
  init: Initializer;
  /** Overrides the component taken from the enclosing scopes. */
  component?: string;
  pretrained?: { file: string; tensor: string };
  allowUnused?: boolean;
  span?: Span;
}

export interface ScopeOptions {
  /** Tags every parameter created inside with this component. */
  component?: string;
  /** Checkpoint file for parameters created inside; the tensor name is the name relative to this scope. */
  pretrained?: string;
  /** Name prefixes, relative to this scope, whose parameters are frozen: `embeddings`, `encoder.layer.3`. */
  freeze?: string[];
  /** Default span for nodes and parameters created inside. */
  span?: Span;
}

interface ScopeFrame extends ScopeOptions {
  /** Full dotted path of this scope. */
  path: string;
}

type TypeSpec = TensorType | { dtype: DType; axes: (Axis | Size)[] };

function joinName(...parts: (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join('.');
}

function toAxes(axes: (Axis | Size)[]): Axis[] {
  return axes.map((a) => (typeof a === 'object' ? a : { name: typeof a === 'string' ? a : '', size: a }));
}

export class IrBuilder {
  private readonly symbols: SymbolDecl[] = [];
  private readonly inputs: GraphInput[] = [];
  private readonly params: Param[] = [];
  private readonly nodes: Node[] = [];
  private readonly outputs: Record<string, ValueId> = {};
  private readonly losses: LossTerm[] = [];
  private readonly clamps: ParamClamp[] = [];
  private readonly scopes: ScopeFrame[] = [];
  private readonly paramNames = new Set<string>();

  constructor(readonly name: string) {}

  // ── declarations ────────────────────────────────────────────────────────────

  /** Declares a free size symbol and returns it as a Size. */
  symbol(name: string, max?: number, span?: Span): string {
    if (this.symbols.some((s) => s.name === name)) throw new Error(`Symbol '${name}' is declared twice.`);
    const decl: SymbolDecl = { name };
    if (max !== undefined) decl.max = max;
    if (span) decl.span = span;
    this.symbols.push(decl);
    return name;
  }

  /** Declares a graph input and returns the value of its `input` node. */
  input(name: string, role: InputRole, type: TypeSpec, options: NodeOptions = {}): ValueId {
    if (this.inputs.some((i) => i.name === name)) throw new Error(`Graph input '${name}' is declared twice.`);
    this.inputs.push({ name, role, type: { dtype: type.dtype, axes: toAxes(type.axes) } });
    return this.emit('input', [], { input: this.inputs.length - 1 }, { name, ...options });
  }

  /** Creates a parameter under the current scope and returns the value of its `param` node. */
  param(spec: ParamSpec): ValueId {
    const name = joinName(this.path(), spec.name);
    if (this.paramNames.has(name)) throw new Error(`Parameter '${name}' is created twice.`);
    if (!spec.shape.every((s) => Number.isInteger(s) && s > 0)) {
      throw new Error(`Parameter '${name}' has shape [${spec.shape.join(', ')}]; sizes must be positive integers.`);
    }
    const role = spec.role ?? 'weight';
    const param: Param = {
      name,
      dtype: spec.dtype ?? 'f32',
      shape: [...spec.shape],
      axisNames: spec.axisNames ? [...spec.axisNames] : spec.shape.map((_, i) => `d${i}`),
      role,
      trainable: role !== 'buffer' && (spec.trainable ?? true) && !this.isFrozen(name),
      init: spec.init,
      component: spec.component ?? this.component(name),
    };
    if (param.axisNames.length !== param.shape.length) throw new Error(`Parameter '${name}' needs ${param.shape.length} axis names.`);
    const pretrained = spec.pretrained ?? this.pretrained(name);
    if (pretrained) param.pretrained = pretrained;
    if (spec.allowUnused) param.allowUnused = true;
    const span = spec.span ?? this.scopeSpan();
    if (span) param.span = span;
    this.params.push(param);
    this.paramNames.add(name);
    return this.emit('param', [], { param: this.params.length - 1 }, { name: spec.name, ...(span ? { span } : {}) });
  }

  /** Emits a constant tensor, row-major. A scalar has shape []. */
  constant(values: number[], shape: number[], options: NodeOptions & { dtype?: DType } = {}): ValueId {
    const { dtype, ...rest } = options;
    const attrs: OpAttrs['constant'] = { values: [...values], shape: [...shape] };
    if (dtype && dtype !== 'f32') attrs.dtype = dtype;
    return this.emit('constant', [], attrs, rest);
  }

  /** Emits a scalar constant. */
  scalar(value: number, options: NodeOptions & { dtype?: DType } = {}): ValueId {
    return this.constant([value], [], options);
  }

  output(name: string, value: ValueId): void {
    this.check(value);
    if (name in this.outputs) throw new Error(`Output '${name}' is defined twice.`);
    this.outputs[name] = value;
  }

  /** Adds a loss term; the value must be a scalar f32. A number weight is a constant weight. */
  loss(name: string, value: ValueId, weight: number | LossWeight = 1, span?: Span): void {
    const type = this.typeOf(value);
    if (type.dtype !== 'f32' || type.axes.length !== 0) {
      throw new ShapeError(this.nodes[value]!.op, 'rank', `Loss '${name}' must be a scalar f32, got ${formatType(type)}.`, [type], 'f32[]');
    }
    if (this.losses.some((l) => l.name === name)) throw new Error(`Loss '${name}' is defined twice.`);
    const term: LossTerm = { name, value, weight: typeof weight === 'number' ? { kind: 'constant', value: weight } : weight };
    const s = span ?? this.scopeSpan();
    if (s) term.span = s;
    this.losses.push(term);
  }

  /** Clamps a parameter (given by its `param` node value) after every optimizer step. */
  clamp(param: ValueId, min?: number, max?: number): void {
    const node = this.nodes[param];
    if (!node || node.op !== 'param') throw new Error(`Value %${param} is not a parameter, so it cannot be clamped.`);
    const clamp: ParamClamp = { param: (node.attrs as OpAttrs['param']).param };
    if (min !== undefined) clamp.min = min;
    if (max !== undefined) clamp.max = max;
    this.clamps.push(clamp);
  }

  // ── scopes ──────────────────────────────────────────────────────────────────

  /** Runs `body` with `name` appended to the parameter and node name path. */
  scope<T>(name: string, body: () => T, options: ScopeOptions = {}): T {
    this.scopes.push({ ...options, path: joinName(this.path(), name) });
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** Returns the current dotted scope path, '' at top level. */
  path(): string {
    return this.scopes.at(-1)?.path ?? '';
  }

  private scopeSpan(): Span | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.span) return this.scopes[i]!.span;
    return undefined;
  }

  private component(fullName: string): string {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.component) return this.scopes[i]!.component!;
    return fullName.split('.')[0]!;
  }

  private pretrained(fullName: string): { file: string; tensor: string } | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const frame = this.scopes[i]!;
      if (frame.pretrained) return { file: frame.pretrained, tensor: fullName.slice(frame.path.length + (frame.path ? 1 : 0)) };
    }
    return undefined;
  }

  private isFrozen(fullName: string): boolean {
    return this.scopes.some((frame) => {
      const relative = fullName.slice(frame.path.length + (frame.path ? 1 : 0));
      return (frame.freeze ?? []).some((prefix) => relative === prefix || relative.startsWith(prefix + '.'));
    });
  }

  // ── queries ─────────────────────────────────────────────────────────────────

  typeOf(value: ValueId): TensorType {
    return this.check(value).type;
  }

  /** Returns the node that defines a value. */
  producer(value: ValueId): Readonly<Node> {
    return this.check(value);
  }

  /** Returns the parameter behind a `param` node value, or undefined for other values. */
  paramOf(value: ValueId): Param | undefined {
    const node = this.check(value);
    return node.op === 'param' ? this.params[(node.attrs as OpAttrs['param']).param] : undefined;
  }

  /** Returns the declaration of a size symbol, or undefined when it was not declared. */
  symbolDecl(name: string): SymbolDecl | undefined {
    return this.symbols.find((s) => s.name === name);
  }

  /** Parameters created so far (read-only view). */
  get paramList(): readonly Param[] {
    return this.params;
  }

  private check(value: ValueId): Node {
    const node = this.nodes[value];
    if (!node) throw new Error(`Value %${value} does not exist.`);
    return node;
  }

  // ── emission ────────────────────────────────────────────────────────────────

  /** Appends a node of any kind after inferring its type; throws ShapeError on a mismatch. */
  emit<K extends OpKind>(op: K, inputs: ValueId[], attrs: OpAttrs[K], options: NodeOptions = {}): ValueId {
    const operands = inputs.map((v) => this.typeOf(v));
    const name = options.name !== undefined ? joinName(this.path(), options.name) : this.path();
    const span = options.span ?? this.scopeSpan();
    let type: TensorType;
    try {
      type = inferType(op, operands, attrs, { inputs: this.inputs, params: this.params });
      if (options.axisNames && options.axisNames.length !== type.axes.length) {
        throw new ShapeError(op, 'rank', `${options.axisNames.length} axis names given for a result of rank ${type.axes.length}.`, operands);
      }
    } catch (error) {
      if (error instanceof ShapeError) {
        if (name) error.node ??= name;
        if (span) error.span ??= span;
      }
      throw error;
    }
    if (options.axisNames) type = { dtype: type.dtype, axes: type.axes.map((a, i) => ({ name: options.axisNames![i]!, size: a.size })) };
    const node: Node<K> = { op, inputs: [...inputs], attrs, type };
    if (name) node.name = name;
    if (span) node.span = span;
    this.nodes.push(node as Node);
    return this.nodes.length - 1;
  }

  neg(x: ValueId, o?: NodeOptions) { return this.emit('neg', [x], {}, o); }
  exp(x: ValueId, o?: NodeOptions) { return this.emit('exp', [x], {}, o); }
  log(x: ValueId, o?: NodeOptions) { return this.emit('log', [x], {}, o); }
  sqrt(x: ValueId, o?: NodeOptions) { return this.emit('sqrt', [x], {}, o); }
  reciprocal(x: ValueId, o?: NodeOptions) { return this.emit('reciprocal', [x], {}, o); }
  abs(x: ValueId, o?: NodeOptions) { return this.emit('abs', [x], {}, o); }
  tanh(x: ValueId, o?: NodeOptions) { return this.emit('tanh', [x], {}, o); }
  sigmoid(x: ValueId, o?: NodeOptions) { return this.emit('sigmoid', [x], {}, o); }
  erf(x: ValueId, o?: NodeOptions) { return this.emit('erf', [x], {}, o); }
  relu(x: ValueId, o?: NodeOptions) { return this.emit('relu', [x], {}, o); }
  gelu(x: ValueId, approximate: 'none' | 'tanh' = 'none', o?: NodeOptions) { return this.emit('gelu', [x], { approximate }, o); }

  add(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('add', [a, b], {}, o); }
  sub(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('sub', [a, b], {}, o); }
  mul(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('mul', [a, b], {}, o); }
  div(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('div', [a, b], {}, o); }
  pow(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('pow', [a, b], {}, o); }
  maximum(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('maximum', [a, b], {}, o); }
  minimum(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('minimum', [a, b], {}, o); }
  greater(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('greater', [a, b], {}, o); }
  equal(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('equal', [a, b], {}, o); }
  where(condition: ValueId, a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('where', [condition, a, b], {}, o); }
  cast(x: ValueId, to: DType, o?: NodeOptions) { return this.emit('cast', [x], { to }, o); }
  clip(x: ValueId, min?: number, max?: number, o?: NodeOptions) {
    const attrs: OpAttrs['clip'] = {};
    if (min !== undefined) attrs.min = min;
    if (max !== undefined) attrs.max = max;
    return this.emit('clip', [x], attrs, o);
  }

  matmul(a: ValueId, b: ValueId, o?: NodeOptions) { return this.emit('matmul', [a, b], {}, o); }
  reduceSum(x: ValueId, axes: number[], keepDims = false, o?: NodeOptions) { return this.emit('reduce_sum', [x], { axes: [...axes], keepDims }, o); }
  reduceMean(x: ValueId, axes: number[], keepDims = false, o?: NodeOptions) { return this.emit('reduce_mean', [x], { axes: [...axes], keepDims }, o); }
  reduceMax(x: ValueId, axes: number[], keepDims = false, o?: NodeOptions) { return this.emit('reduce_max', [x], { axes: [...axes], keepDims }, o); }
  softmax(x: ValueId, axis: number, o?: NodeOptions) { return this.emit('softmax', [x], { axis }, o); }
  logSoftmax(x: ValueId, axis: number, o?: NodeOptions) { return this.emit('log_softmax', [x], { axis }, o); }

  reshape(x: ValueId, shape: Size[], o?: NodeOptions) { return this.emit('reshape', [x], { shape: [...shape] }, o); }
  transpose(x: ValueId, perm: number[], o?: NodeOptions) { return this.emit('transpose', [x], { perm: [...perm] }, o); }
  unsqueeze(x: ValueId, axes: number[], o?: NodeOptions) { return this.emit('unsqueeze', [x], { axes: [...axes] }, o); }
  concat(xs: ValueId[], axis: number, o?: NodeOptions) { return this.emit('concat', xs, { axis }, o); }
  slice(x: ValueId, axis: number, start: number, end: number, o?: NodeOptions) { return this.emit('slice', [x], { axis, start, end }, o); }
  gather(table: ValueId, ids: ValueId, o?: NodeOptions) { return this.emit('gather', [table, ids], {}, o); }
  oneHot(indices: ValueId, like: ValueId, axis: number, o?: NodeOptions) { return this.emit('one_hot', [indices, like], { axis }, o); }
  rangeLike(x: ValueId, axis: number, o?: NodeOptions) { return this.emit('range_like', [x], { axis }, o); }
  eyeLike(x: ValueId, o?: NodeOptions) { return this.emit('eye_like', [x], {}, o); }

  /** NCHW convolution. Missing attributes default to stride 1, no padding, dilation 1, one group. */
  conv2d(x: ValueId, weight: ValueId, attrs: Partial<OpAttrs['conv2d']> = {}, bias?: ValueId, o?: NodeOptions) {
    const full: OpAttrs['conv2d'] = {
      strides: attrs.strides ?? [1, 1],
      pads: attrs.pads ?? [0, 0, 0, 0],
      dilations: attrs.dilations ?? [1, 1],
      groups: attrs.groups ?? 1,
    };
    return this.emit('conv2d', bias === undefined ? [x, weight] : [x, weight, bias], full, o);
  }
  /** Max pooling; strides default to the kernel and pads to zero. */
  maxPool2d(x: ValueId, attrs: Partial<OpAttrs['max_pool2d']> & { kernel: [number, number] }, o?: NodeOptions) {
    const full: OpAttrs['max_pool2d'] = { kernel: attrs.kernel, strides: attrs.strides ?? attrs.kernel, pads: attrs.pads ?? [0, 0, 0, 0] };
    return this.emit('max_pool2d', [x], full, o);
  }
  batchNorm(x: ValueId, scale: ValueId, bias: ValueId, mean: ValueId, variance: ValueId, attrs: Partial<OpAttrs['batch_norm']> = {}, o?: NodeOptions) {
    return this.emit('batch_norm', [x, scale, bias, mean, variance], { eps: attrs.eps ?? 1e-5, momentum: attrs.momentum ?? 0.1 }, o);
  }
  /** Layer norm over the axes from `attrs.axis` on; pass `bias` undefined for a scale-only norm. */
  layerNorm(x: ValueId, scale: ValueId, bias: ValueId | undefined, attrs: OpAttrs['layer_norm'], o?: NodeOptions) {
    return this.emit('layer_norm', bias === undefined ? [x, scale] : [x, scale, bias], attrs, o);
  }
  dropout(x: ValueId, rate: number, o?: NodeOptions) { return this.emit('dropout', [x], { rate }, o); }

  // ── result ──────────────────────────────────────────────────────────────────

  /** Returns the module built so far. The builder may keep appending; earlier results are not affected. */
  finish(): IrModule {
    return structuredClone({
      name: this.name,
      symbols: this.symbols,
      inputs: this.inputs,
      params: this.params,
      nodes: this.nodes,
      outputs: this.outputs,
      losses: this.losses,
      clamps: this.clamps,
    });
  }
}
