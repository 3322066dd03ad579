// The reference interpreter: evaluates an IR module in plain JavaScript, in float64, exactly
// per each op's definition. It is slow and simple on purpose; both backends' parity tests
// compare against it. Only the nodes the requested outputs depend on are evaluated.
import { binary, cast, clip, compare, unary, where } from './interpreter/elementwise.js';
import { matmul } from './interpreter/linalg.js';
import { batchNorm, conv2d, layerNorm, maxPool2d } from './interpreter/nn.js';
import { reduce, softmax } from './interpreter/reduce.js';
import { concat, eyeLike, gather, oneHot, range, reshape, slice, transpose, unsqueeze } from './interpreter/shape.js';
import { floatTensor, intTensor, type Tensor } from './interpreter/tensor.js';
import type { DType, IrModule, Node, OpAttrs, OpKind, Size, ValueId } from './types.js';

export type { Tensor, TensorData } from './interpreter/tensor.js';

export interface TensorValue {
  shape: number[];
  data: ArrayLike<number>;
}

export interface InterpretOptions {
  /** Graph inputs by name; f32 inputs become float64, i32 and bool inputs int32. */
  inputs: Record<string, TensorValue>;
  /** Parameter values by parameter name, row-major in the parameter's shape. */
  weights: ReadonlyMap<string, ArrayLike<number>>;
  /** Inference uses batch norm running statistics and skips dropout; training uses batch statistics and drops. */
  mode: 'inference' | 'training';
  /** Names of `module.outputs` to compute. */
  outputs: string[];
  /** Sizes of free symbols; symbols that appear in the inputs' types are read from the inputs' shapes. */
  symbols?: Record<string, number>;
  /** Seed of the dropout masks in training mode. */
  dropoutSeed?: number;
}

/** Evaluates the requested outputs of `module`; throws an Error naming the input, weight or node at fault. */
export function interpret(module: IrModule, options: InterpretOptions): Record<string, Tensor> {
  const symbols = bindSymbols(module, options);
  const needed = neededNodes(module, options.outputs);
  const values = new Map<ValueId, Tensor>();
  const random = mulberry32(options.dropoutSeed ?? 0);
  const context: EvalContext = { module, options, symbols, random };
  for (let id = 0; id < module.nodes.length; id++) {
    if (!needed.has(id)) continue;
    const node = module.nodes[id]!;
    const args = node.inputs.map((input) => {
      const value = values.get(input);
      if (!value) throw new Error(`node ${describe(node, id)} uses value ${input}, which is not computed before it`);
      return value;
    });
    const result = evaluate(node, args, context);
    checkShape(node, id, result, symbols);
    values.set(id, result);
  }
  const results: Record<string, Tensor> = {};
  for (const name of options.outputs) results[name] = values.get(module.outputs[name]!)!;
  return results;
}

/**
 * Evaluates one inference-mode node on already computed arguments, for constant folding.
 * Sizes must be concrete: the node may not read graph inputs or symbols.
 */
export function evaluateNode(module: IrModule, node: Node, args: Tensor[], weights: ReadonlyMap<string, ArrayLike<number>>): Tensor {
  const options: InterpretOptions = { inputs: {}, weights, mode: 'inference', outputs: [] };
  return evaluate(node, args, { module, options, symbols: new Map(), random: () => 0 });
}

interface EvalContext {
  module: IrModule;
  options: InterpretOptions;
  symbols: Map<string, number>;
  random: () => number;
}

/** Resolves a size: a number, a symbol, or a product of them written as `a*b`. */
export function resolveSize(size: Size, symbols: ReadonlyMap<string, number>): number {
  if (typeof size === 'number') return size;
  let product = 1;
  for (const part of size.split('*')) {
    const name = part.trim();
    const value = /^\d+$/.test(name) ? Number(name) : symbols.get(name);
    if (value === undefined) throw new Error(`size symbol '${name}' has no value; pass it in the inputs or in 'symbols'`);
    product *= value;
  }
  return product;
}

function bindSymbols(module: IrModule, options: InterpretOptions): Map<string, number> {
  const symbols = new Map<string, number>(Object.entries(options.symbols ?? {}));
  for (const input of module.inputs) {
    const value = options.inputs[input.name];
    if (!value) continue;
    const axes = input.type.axes;
    if (value.shape.length !== axes.length) {
      throw new Error(`input '${input.name}' has shape [${value.shape.join(', ')}] but the module expects ${axes.length} axes`);
    }
    axes.forEach((axis, i) => {
      const actual = value.shape[i]!;
      if (typeof axis.size === 'number') {
        if (axis.size !== actual) {
          throw new Error(`input '${input.name}' has size ${actual} on axis '${axis.name}', expected ${axis.size}`);
        }
        return;
      }
      const bound = symbols.get(axis.size);
      if (bound !== undefined && bound !== actual) {
        throw new Error(`input '${input.name}' has size ${actual} on axis '${axis.name}', but '${axis.size}' is already ${bound}`);
      }
      symbols.set(axis.size, actual);
    });
  }
  return symbols;
}

/** Collects every node that a requested output depends on. */
function neededNodes(module: IrModule, outputs: readonly string[]): Set<ValueId> {
  const ids = outputs.map((name) => {
    const id = module.outputs[name];
    if (id === undefined) throw new Error(`module '${module.name}' has no output '${name}'`);
    return id;
  });
  return valueDependencies(module, ids);
}

/** Collects every node that one of `values` depends on, the values included. */
export function valueDependencies(module: IrModule, values: readonly ValueId[]): Set<ValueId> {
  const needed = new Set<ValueId>();
  const stack = [...values];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    stack.push(...module.nodes[id]!.inputs);
  }
  return needed;
}

function describe(node: Node, id: number): string {
  return node.name ? `'${node.name}' (${node.op}, value ${id})` : `${node.op} (value ${id})`;
}

function checkShape(node: Node, id: number, result: Tensor, symbols: ReadonlyMap<string, number>): void {
  const expected = node.type.axes.map((axis) => resolveSize(axis.size, symbols));
  if (expected.length !== result.shape.length || expected.some((dim, i) => dim !== result.shape[i])) {
    throw new Error(`node ${describe(node, id)} computed shape [${result.shape.join(', ')}] but its type is [${expected.join(', ')}]`);
  }
}

function toTensor(dtype: DType, shape: number[], data: ArrayLike<number>, what: string): Tensor {
  const expected = shape.reduce((n, dim) => n * dim, 1);
  if (data.length !== expected) throw new Error(`${what} has ${data.length} values, expected ${expected} for shape [${shape.join(', ')}]`);
  return dtype === 'f32' ? floatTensor(shape, data) : intTensor(shape, data);
}

function attrs<K extends OpKind>(node: Node, _kind: K): OpAttrs[K] {
  return node.attrs as OpAttrs[K];
}

function evaluate(node: Node, args: Tensor[], context: EvalContext): Tensor {
  const [a, b, c] = args as [Tensor, Tensor, Tensor];
  const training = context.options.mode === 'training';
  switch (node.op) {
    case 'input': {
      const input = context.module.inputs[attrs(node, 'input').input]!;
      const value = context.options.inputs[input.name];
      if (!value) throw new Error(`input '${input.name}' is missing`);
      return toTensor(input.type.dtype, value.shape.slice(), value.data, `input '${input.name}'`);
    }
    case 'param': {
      const param = context.module.params[attrs(node, 'param').param]!;
      const value = context.options.weights.get(param.name);
      if (!value) throw new Error(`weight '${param.name}' is missing`);
      return toTensor(param.dtype, param.shape.slice(), value, `weight '${param.name}'`);
    }
    case 'constant': {
      const { values, shape } = attrs(node, 'constant');
      return toTensor(node.type.dtype, shape.slice(), values, `constant ${node.name ?? ''}`.trim());
    }
    case 'neg': case 'exp': case 'log': case 'sqrt': case 'reciprocal': case 'abs':
    case 'tanh': case 'sigmoid': case 'erf': case 'relu':
      return unary(node.op, a);
    case 'gelu':
      return unary(attrs(node, 'gelu').approximate === 'tanh' ? 'gelu_tanh' : 'gelu', a);
    case 'add': case 'sub': case 'mul': case 'div': case 'pow': case 'maximum': case 'minimum':
      return binary(node.op, a, b);
    case 'greater': case 'equal':
      return compare(node.op, a, b);
    case 'where':
      return where(a, b, c);
    case 'cast':
      return cast(a, attrs(node, 'cast').to);
    case 'clip': {
      const { min, max } = attrs(node, 'clip');
      return clip(a, min, max);
    }
    case 'matmul':
      return matmul(a, b);
    case 'reduce_sum': case 'reduce_mean': case 'reduce_max': {
      const { axes, keepDims } = attrs(node, 'reduce_sum');
      return reduce(node.op.slice('reduce_'.length) as 'sum' | 'mean' | 'max', a, axes, keepDims);
    }
    case 'softmax':
      return softmax(a, attrs(node, 'softmax').axis, false);
    case 'log_softmax':
      return softmax(a, attrs(node, 'log_softmax').axis, true);
    case 'reshape':
      return reshape(a, attrs(node, 'reshape').shape.map((size) => resolveSize(size, context.symbols)));
    case 'transpose':
      return transpose(a, attrs(node, 'transpose').perm);
    case 'unsqueeze':
      return unsqueeze(a, attrs(node, 'unsqueeze').axes);
    case 'concat':
      return concat(args, attrs(node, 'concat').axis);
    case 'slice': {
      const { axis, start, end } = attrs(node, 'slice');
      return slice(a, axis, start, end);
    }
    case 'gather':
      return gather(a, b);
    case 'one_hot':
      return oneHot(a, b.shape[attrs(node, 'one_hot').axis]!);
    case 'range_like':
      return range(a.shape[attrs(node, 'range_like').axis]!);
    case 'eye_like':
      return cast(eyeLike(a), node.type.dtype);
    case 'conv2d':
      return conv2d(a, b, args[2], attrs(node, 'conv2d'));
    case 'max_pool2d': {
      const { kernel, strides, pads } = attrs(node, 'max_pool2d');
      return maxPool2d(a, kernel, strides, pads);
    }
    case 'batch_norm': {
      const [x, scale, bias, mean, variance] = args as [Tensor, Tensor, Tensor, Tensor, Tensor];
      return batchNorm(x, scale, bias, mean, variance, attrs(node, 'batch_norm').eps, training);
    }
    case 'layer_norm': {
      const { axis, eps } = attrs(node, 'layer_norm');
      return layerNorm(a, b, args[2], axis, eps);
    }
    case 'dropout':
      return training ? dropout(a, attrs(node, 'dropout').rate, context.random) : a;
  }
}

/** Inverted dropout: each element is zeroed with probability `rate`, the rest scaled by 1/(1 − rate). */
function dropout(x: Tensor, rate: number, random: () => number): Tensor {
  const out = floatTensor(x.shape.slice());
  const keep = 1 - rate;
  for (let i = 0; i < x.data.length; i++) out.data[i] = random() < rate ? 0 : x.data[i]! / keep;
  return out;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
