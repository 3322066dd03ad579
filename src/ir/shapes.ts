// Shape rules: one function per op kind that computes a node's result type from its
// operand types and attributes, or throws a ShapeError. The builder and the verifier both
// call this table; nothing here emits nodes.
//
// Sizes are numbers or symbol names. A symbol equals only itself, and size 1 broadcasts
// against anything (numpy rules, right-aligned). Axis names ride along: a broadcast axis
// takes its name from the operand whose size is not 1 (the first operand on a tie).
import type { Axis, DType, GraphInput, OpAttrs, OpKind, Param, Size, TensorType } from './types.js';
import { ShapeError, formatType } from './shape_error.js';
import { broadcastTypes, checkAxis, checkAxes, requireDtype, requireRank, sameSize, sizeProduct } from './shape_util.js';

export { ShapeError, formatType, formatShape } from './shape_error.js';
export type { ShapeErrorReason } from './shape_error.js';

/** The module state a rule may read besides its operands: graph inputs and parameters. */
export interface ShapeContext {
  inputs: readonly GraphInput[];
  params: readonly Param[];
}

export type ShapeRule<K extends OpKind> = (operands: TensorType[], attrs: OpAttrs[K], context: ShapeContext) => TensorType;

function arity(op: OpKind, operands: TensorType[], min: number, max = min): void {
  if (operands.length < min || operands.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw new ShapeError(op, 'arity', `'${op}' takes ${wanted} operands, got ${operands.length}.`, operands);
  }
}

const unaryFloat = (op: OpKind): ShapeRule<any> => (operands) => {
  arity(op, operands, 1);
  requireDtype(op, operands, 0, ['f32']);
  return operands[0]!;
};

const unaryNumeric = (op: OpKind): ShapeRule<any> => (operands) => {
  arity(op, operands, 1);
  requireDtype(op, operands, 0, ['f32', 'i32']);
  return operands[0]!;
};

const binary = (op: OpKind, allowed: DType[], result?: DType): ShapeRule<any> => (operands) => {
  arity(op, operands, 2);
  requireDtype(op, operands, 0, allowed);
  requireDtype(op, operands, 1, [operands[0]!.dtype]);
  return { dtype: result ?? operands[0]!.dtype, axes: broadcastTypes(op, operands) };
};

const reduction = (op: 'reduce_sum' | 'reduce_mean' | 'reduce_max'): ShapeRule<typeof op> => (operands, attrs) => {
  arity(op, operands, 1);
  requireDtype(op, operands, 0, op === 'reduce_mean' ? ['f32'] : ['f32', 'i32']);
  const x = operands[0]!;
  checkAxes(op, operands, attrs.axes, x.axes.length);
  const axes: Axis[] = [];
  x.axes.forEach((axis, i) => {
    if (!attrs.axes.includes(i)) axes.push(axis);
    else if (attrs.keepDims) axes.push({ name: axis.name, size: 1 });
  });
  return { dtype: x.dtype, axes };
};

const softmaxLike = (op: 'softmax' | 'log_softmax'): ShapeRule<typeof op> => (operands, attrs) => {
  arity(op, operands, 1);
  requireDtype(op, operands, 0, ['f32']);
  checkAxis(op, operands, attrs.axis, operands[0]!.axes.length);
  return operands[0]!;
};

/** Output size of a strided window along one spatial axis (floor mode, as PyTorch and ONNX default). */
function windowOutput(op: OpKind, operands: TensorType[], size: Size, kernel: number, stride: number, padBefore: number, padAfter: number, dilation: number): number {
  if (typeof size !== 'number') {
    throw new ShapeError(op, 'symbolic', `'${op}' needs concrete spatial sizes, but an axis has symbolic size '${size}'.`, operands);
  }
  const span = dilation * (kernel - 1) + 1;
  const padded = size + padBefore + padAfter;
  if (padded < span) {
    throw new ShapeError(op, 'window', `The ${kernel}-wide window of '${op}' does not fit a padded axis of size ${padded}.`, operands);
  }
  return Math.floor((padded - span) / stride) + 1;
}

const conv2d: ShapeRule<'conv2d'> = (operands, attrs) => {
  arity('conv2d', operands, 2, 3);
  operands.forEach((_, i) => requireDtype('conv2d', operands, i, ['f32']));
  const [x, w] = [operands[0]!, operands[1]!];
  requireRank('conv2d', operands, 0, 4);
  requireRank('conv2d', operands, 1, 4);
  const outChannels = w.axes[0]!.size;
  const perGroup = w.axes[1]!.size;
  const inChannels = x.axes[1]!.size;
  if (typeof inChannels !== 'number' || inChannels !== Number(perGroup) * attrs.groups) {
    throw new ShapeError('conv2d', 'contract', `The weight of 'conv2d' expects ${Number(perGroup) * attrs.groups} input channels, but the input has ${inChannels}.`, operands, `[N, ${Number(perGroup) * attrs.groups}, H, W]`);
  }
  if (operands.length === 3) {
    requireRank('conv2d', operands, 2, 1);
    if (!sameSize(operands[2]!.axes[0]!.size, outChannels)) {
      throw new ShapeError('conv2d', 'contract', `The bias of 'conv2d' must have ${outChannels} elements.`, operands, `[${outChannels}]`);
    }
  }
  const [ph0, pw0, ph1, pw1] = attrs.pads;
  const h = windowOutput('conv2d', operands, x.axes[2]!.size, Number(w.axes[2]!.size), attrs.strides[0], ph0, ph1, attrs.dilations[0]);
  const width = windowOutput('conv2d', operands, x.axes[3]!.size, Number(w.axes[3]!.size), attrs.strides[1], pw0, pw1, attrs.dilations[1]);
  return {
    dtype: 'f32',
    axes: [x.axes[0]!, { name: x.axes[1]!.name, size: outChannels }, { name: x.axes[2]!.name, size: h }, { name: x.axes[3]!.name, size: width }],
  };
};

const maxPool2d: ShapeRule<'max_pool2d'> = (operands, attrs) => {
  arity('max_pool2d', operands, 1);
  requireDtype('max_pool2d', operands, 0, ['f32']);
  requireRank('max_pool2d', operands, 0, 4);
  const x = operands[0]!;
  const [ph0, pw0, ph1, pw1] = attrs.pads;
  const h = windowOutput('max_pool2d', operands, x.axes[2]!.size, attrs.kernel[0], attrs.strides[0], ph0, ph1, 1);
  const w = windowOutput('max_pool2d', operands, x.axes[3]!.size, attrs.kernel[1], attrs.strides[1], pw0, pw1, 1);
  return { dtype: 'f32', axes: [x.axes[0]!, x.axes[1]!, { name: x.axes[2]!.name, size: h }, { name: x.axes[3]!.name, size: w }] };
};

const batchNorm: ShapeRule<'batch_norm'> = (operands) => {
  arity('batch_norm', operands, 5);
  operands.forEach((_, i) => requireDtype('batch_norm', operands, i, ['f32']));
  const x = operands[0]!;
  if (x.axes.length < 2 || x.axes.length > 4) {
    throw new ShapeError('batch_norm', 'rank', `'batch_norm' takes an input of rank 2 to 4, got ${formatType(x)}.`, operands, '[N, C, ...]');
  }
  const channels = x.axes[1]!.size;
  for (let i = 1; i < 5; i++) {
    const p = operands[i]!;
    if (p.axes.length !== 1 || !sameSize(p.axes[0]!.size, channels)) {
      throw new ShapeError('batch_norm', 'contract', `Operand ${i} of 'batch_norm' must have shape [${channels}], got ${formatType(p)}.`, operands, `[${channels}]`);
    }
  }
  return x;
};

const layerNorm: ShapeRule<'layer_norm'> = (operands, attrs) => {
  arity('layer_norm', operands, 2, 3);
  operands.forEach((_, i) => requireDtype('layer_norm', operands, i, ['f32']));
  const x = operands[0]!;
  checkAxis('layer_norm', operands, attrs.axis, x.axes.length);
  const normalized = x.axes.slice(attrs.axis);
  for (let i = 1; i < operands.length; i++) {
    const p = operands[i]!;
    const ok = p.axes.length === normalized.length && p.axes.every((a, j) => sameSize(a.size, normalized[j]!.size));
    if (!ok) {
      const expected = `[${normalized.map((a) => String(a.size)).join(', ')}]`;
      throw new ShapeError('layer_norm', 'contract', `Operand ${i} of 'layer_norm' must have shape ${expected}, got ${formatType(p)}.`, operands, expected);
    }
  }
  return x;
};

/** The rule table: exactly one rule per op kind. */
export const SHAPE_RULES: { [K in OpKind]: ShapeRule<K> } = {
  input: (operands, attrs, context) => {
    arity('input', operands, 0);
    const input = context.inputs[attrs.input];
    if (!input) throw new ShapeError('input', 'reference', `Graph input #${attrs.input} does not exist.`, operands);
    return input.type;
  },
  param: (operands, attrs, context) => {
    arity('param', operands, 0);
    const param = context.params[attrs.param];
    if (!param) throw new ShapeError('param', 'reference', `Parameter #${attrs.param} does not exist.`, operands);
    return { dtype: param.dtype, axes: param.shape.map((size, i) => ({ name: param.axisNames[i] ?? '', size })) };
  },
  constant: (operands, attrs) => {
    arity('constant', operands, 0);
    const count = attrs.shape.reduce((a, b) => a * b, 1);
    if (attrs.values.length !== count) {
      throw new ShapeError('constant', 'attribute', `A constant of shape [${attrs.shape.join(', ')}] needs ${count} values, got ${attrs.values.length}.`, operands);
    }
    return { dtype: attrs.dtype ?? 'f32', axes: attrs.shape.map((size) => ({ name: '', size })) };
  },

  neg: unaryNumeric('neg'),
  abs: unaryNumeric('abs'),
  exp: unaryFloat('exp'),
  log: unaryFloat('log'),
  sqrt: unaryFloat('sqrt'),
  reciprocal: unaryFloat('reciprocal'),
  tanh: unaryFloat('tanh'),
  sigmoid: unaryFloat('sigmoid'),
  erf: unaryFloat('erf'),
  relu: unaryFloat('relu'),
  gelu: unaryFloat('gelu'),

  add: binary('add', ['f32', 'i32']),
  sub: binary('sub', ['f32', 'i32']),
  mul: binary('mul', ['f32', 'i32']),
  div: binary('div', ['f32', 'i32']),
  pow: binary('pow', ['f32']),
  maximum: binary('maximum', ['f32', 'i32']),
  minimum: binary('minimum', ['f32', 'i32']),
  greater: binary('greater', ['f32', 'i32'], 'bool'),
  equal: binary('equal', ['f32', 'i32', 'bool'], 'bool'),
  where: (operands) => {
    arity('where', operands, 3);
    requireDtype('where', operands, 0, ['bool']);
    requireDtype('where', operands, 1, ['f32', 'i32']);
    requireDtype('where', operands, 2, [operands[1]!.dtype]);
    return { dtype: operands[1]!.dtype, axes: broadcastTypes('where', operands) };
  },
  cast: (operands, attrs) => {
    arity('cast', operands, 1);
    return { dtype: attrs.to, axes: operands[0]!.axes };
  },
  clip: (operands, attrs) => {
    arity('clip', operands, 1);
    requireDtype('clip', operands, 0, ['f32', 'i32']);
    if (attrs.min !== undefined && attrs.max !== undefined && attrs.min > attrs.max) {
      throw new ShapeError('clip', 'attribute', `The lower bound ${attrs.min} of 'clip' is above its upper bound ${attrs.max}.`, operands);
    }
    return operands[0]!;
  },

  matmul: (operands) => {
    arity('matmul', operands, 2);
    requireDtype('matmul', operands, 0, ['f32']);
    requireDtype('matmul', operands, 1, ['f32']);
    const [a, b] = [operands[0]!, operands[1]!];
    if (a.axes.length < 2 || b.axes.length < 2) {
      throw new ShapeError('matmul', 'rank', `'matmul' needs operands of rank 2 or more, got ${formatType(a)} and ${formatType(b)}.`, operands, '[..., m, k] and [..., k, n]');
    }
    const k1 = a.axes[a.axes.length - 1]!;
    const k2 = b.axes[b.axes.length - 2]!;
    if (!sameSize(k1.size, k2.size)) {
      throw new ShapeError('matmul', 'contract', `'matmul' contracts axis '${k1.name}' of size ${k1.size} with axis '${k2.name}' of size ${k2.size}.`, operands, `[..., k, n] with k = ${k1.size}`);
    }
    const batchA = { dtype: a.dtype, axes: a.axes.slice(0, -2) };
    const batchB = { dtype: b.dtype, axes: b.axes.slice(0, -2) };
    const batch = broadcastTypes('matmul', [batchA, batchB], operands);
    return { dtype: 'f32', axes: [...batch, a.axes[a.axes.length - 2]!, b.axes[b.axes.length - 1]!] };
  },
  reduce_sum: reduction('reduce_sum'),
  reduce_mean: reduction('reduce_mean'),
  reduce_max: reduction('reduce_max'),
  softmax: softmaxLike('softmax'),
  log_softmax: softmaxLike('log_softmax'),

  reshape: (operands, attrs) => {
    arity('reshape', operands, 1);
    const x = operands[0]!;
    const before = sizeProduct(x.axes.map((a) => a.size));
    const after = sizeProduct(attrs.shape);
    if (before !== after) {
      const expected = `[${attrs.shape.join(', ')}]`;
      throw new ShapeError('reshape', 'reshape', `Cannot reshape ${formatType(x)} to ${expected}: the element counts differ.`, operands, expected);
    }
    // Keep an input axis name where the output axis at the same position has the same size.
    const axes = attrs.shape.map((size, i) => {
      const old = x.axes[i];
      if (old && sameSize(old.size, size)) return { name: old.name, size };
      return { name: typeof size === 'string' ? size : '', size };
    });
    return { dtype: x.dtype, axes };
  },
  transpose: (operands, attrs) => {
    arity('transpose', operands, 1);
    const x = operands[0]!;
    const rank = x.axes.length;
    const isPermutation = attrs.perm.length === rank && [...attrs.perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!isPermutation) {
      throw new ShapeError('transpose', 'attribute', `[${attrs.perm.join(', ')}] is not a permutation of the ${rank} axes of ${formatType(x)}.`, operands);
    }
    return { dtype: x.dtype, axes: attrs.perm.map((p) => x.axes[p]!) };
  },
  unsqueeze: (operands, attrs) => {
    arity('unsqueeze', operands, 1);
    const x = operands[0]!;
    const rank = x.axes.length + attrs.axes.length;
    checkAxes('unsqueeze', operands, attrs.axes, rank);
    const rest = [...x.axes];
    const axes: Axis[] = [];
    for (let i = 0; i < rank; i++) axes.push(attrs.axes.includes(i) ? { name: '', size: 1 } : rest.shift()!);
    return { dtype: x.dtype, axes };
  },
  concat: (operands, attrs) => {
    if (operands.length < 1) throw new ShapeError('concat', 'arity', `'concat' needs at least one operand.`, operands);
    const first = operands[0]!;
    checkAxis('concat', operands, attrs.axis, first.axes.length);
    let total = 0;
    operands.forEach((t, i) => {
      requireDtype('concat', operands, i, [first.dtype]);
      const sameOthers = t.axes.length === first.axes.length && t.axes.every((a, j) => j === attrs.axis || sameSize(a.size, first.axes[j]!.size));
      if (!sameOthers) {
        throw new ShapeError('concat', 'broadcast', `Operand ${i} of 'concat' has shape ${formatType(t)}, which differs from ${formatType(first)} outside axis ${attrs.axis}.`, operands, formatType(first));
      }
      const size = t.axes[attrs.axis]!.size;
      if (typeof size !== 'number') {
        throw new ShapeError('concat', 'symbolic', `'concat' cannot join along axis '${t.axes[attrs.axis]!.name}' of symbolic size '${size}'.`, operands);
      }
      total += size;
    });
    const axes = first.axes.map((a, j) => (j === attrs.axis ? { name: a.name, size: total } : a));
    return { dtype: first.dtype, axes };
  },
  slice: (operands, attrs) => {
    arity('slice', operands, 1);
    const x = operands[0]!;
    checkAxis('slice', operands, attrs.axis, x.axes.length);
    const axis = x.axes[attrs.axis]!;
    // NOTE: on a symbolic axis only the bounds' order is checked here; the run-time size must reach `end`.
    const tooLong = typeof axis.size === 'number' && attrs.end > axis.size;
    if (attrs.start < 0 || attrs.end <= attrs.start || tooLong) {
      throw new ShapeError('slice', 'attribute', `Slice [${attrs.start}, ${attrs.end}) is not within axis '${axis.name}' of size ${axis.size}.`, operands);
    }
    const axes = x.axes.map((a, j) => (j === attrs.axis ? { name: a.name, size: attrs.end - attrs.start } : a));
    return { dtype: x.dtype, axes };
  },
  gather: (operands) => {
    arity('gather', operands, 2);
    requireRank('gather', operands, 0, 2);
    requireDtype('gather', operands, 1, ['i32']);
    const [table, ids] = [operands[0]!, operands[1]!];
    return { dtype: table.dtype, axes: [...ids.axes, table.axes[1]!] };
  },
  one_hot: (operands, attrs) => {
    arity('one_hot', operands, 2);
    requireDtype('one_hot', operands, 0, ['i32']);
    const like = operands[1]!;
    checkAxis('one_hot', operands, attrs.axis, like.axes.length);
    return { dtype: 'f32', axes: [...operands[0]!.axes, like.axes[attrs.axis]!] };
  },
  range_like: (operands, attrs) => {
    arity('range_like', operands, 1);
    checkAxis('range_like', operands, attrs.axis, operands[0]!.axes.length);
    return { dtype: 'i32', axes: [operands[0]!.axes[attrs.axis]!] };
  },
  eye_like: (operands) => {
    arity('eye_like', operands, 1);
    requireRank('eye_like', operands, 0, 2);
    const [rows, cols] = operands[0]!.axes as [Axis, Axis];
    if (!sameSize(rows.size, cols.size)) {
      throw new ShapeError('eye_like', 'contract', `'eye_like' needs a square input, got ${formatType(operands[0]!)}.`, operands, `[${rows.size}, ${rows.size}]`);
    }
    return { dtype: 'f32', axes: [rows, cols] };
  },

  conv2d,
  max_pool2d: maxPool2d,
  batch_norm: batchNorm,
  layer_norm: layerNorm,
  dropout: (operands, attrs) => {
    arity('dropout', operands, 1);
    requireDtype('dropout', operands, 0, ['f32']);
    if (!(attrs.rate >= 0 && attrs.rate < 1)) {
      throw new ShapeError('dropout', 'attribute', `The dropout rate must be in [0, 1), got ${attrs.rate}.`, operands);
    }
    return operands[0]!;
  },
};

/** Computes the result type of one node, or throws a ShapeError. */
export function inferType<K extends OpKind>(op: K, operands: TensorType[], attrs: OpAttrs[K], context: ShapeContext): TensorType {
  const rule = SHAPE_RULES[op] as ShapeRule<K> | undefined;
  if (!rule) throw new ShapeError(op, 'reference', `'${String(op)}' is not an op of the IR.`, operands);
  return rule(operands, attrs, context);
}
