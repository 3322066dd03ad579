// Parameter and FLOP counts of a module, per component, for `tierc explain` and benchmarks.
//
// Parameter counts exclude buffers (batch norm running statistics), as the usual published
// figures do, and count buffers apart. FLOPs are forward-pass floating-point operations
// at concrete symbol sizes. A multiply-add counts as 2, and each op kind counts as follows:
//   matmul                  2·m·k·n per batch element
//   conv2d                  2·(in/groups)·kh·kw per output element, plus 1 for a bias
//   elementwise ops         1 per output element (unary, binary, where, clip, gelu, dropout)
//   reduce_sum/mean/max     1 per input element
//   softmax, log_softmax    3 per element (exp, sum, divide or subtract)
//   layer_norm              5 per element; batch_norm 2 per element (inference: scale and shift)
//   max_pool2d              kh·kw comparisons per output element
//   data movement           0 (input, param, constant, reshape, transpose, unsqueeze, concat,
//                           slice, gather, one_hot, range_like, eye_like, cast)
import type { IrModule, Node, OpAttrs, OpKind, Size, TensorType } from './types.js';

export interface ParamCount {
  /** Learnable elements, frozen ones included, buffers excluded. */
  total: number;
  /** Elements of trainable parameters. */
  trainable: number;
  /** Elements of buffers such as running statistics. */
  buffers: number;
}

export interface ParamCounts extends ParamCount {
  components: Record<string, ParamCount>;
}

/** Counts parameter elements in total and per component. */
export function countParams(module: IrModule): ParamCounts {
  const result: ParamCounts = { total: 0, trainable: 0, buffers: 0, components: {} };
  for (const param of module.params) {
    const size = param.shape.reduce((a, b) => a * b, 1);
    const component = (result.components[param.component] ??= { total: 0, trainable: 0, buffers: 0 });
    for (const count of [result, component]) {
      if (param.role === 'buffer') count.buffers += size;
      else {
        count.total += size;
        if (param.trainable) count.trainable += size;
      }
    }
  }
  return result;
}

export interface FlopCounts {
  total: number;
  byOp: Partial<Record<OpKind, number>>;
  /** Keyed by the first segment of each node's name (`image`, `text`, …); unnamed nodes count under ''. */
  byComponent: Record<string, number>;
}

const FREE: ReadonlySet<OpKind> = new Set<OpKind>([
  'input', 'param', 'constant', 'reshape', 'transpose', 'unsqueeze', 'concat', 'slice', 'gather', 'one_hot', 'range_like', 'eye_like', 'cast',
]);
const PER_ELEMENT: Partial<Record<OpKind, number>> = { softmax: 3, log_softmax: 3, layer_norm: 5, batch_norm: 2 };

function elements(type: TensorType, sizes: Readonly<Record<string, number>>): number {
  return type.axes.reduce((n, a) => n * concrete(a.size, sizes), 1);
}

function concrete(size: Size, sizes: Readonly<Record<string, number>>): number {
  if (typeof size === 'number') return size;
  const value = sizes[size];
  if (value === undefined) throw new Error(`No size given for symbol '${size}'; pass it in the sizes argument.`);
  return value;
}

function nodeFlops(node: Node, module: IrModule, sizes: Readonly<Record<string, number>>): number {
  if (FREE.has(node.op)) return 0;
  const out = elements(node.type, sizes);
  const operand = (i: number) => module.nodes[node.inputs[i]!]!.type;
  switch (node.op) {
    case 'matmul': {
      const a = operand(0);
      const k = concrete(a.axes[a.axes.length - 1]!.size, sizes);
      return 2 * out * k;
    }
    case 'conv2d': {
      const w = operand(1).axes.map((a) => concrete(a.size, sizes));
      const perOutput = 2 * w[1]! * w[2]! * w[3]!;
      return out * perOutput + (node.inputs.length > 2 ? out : 0);
    }
    case 'reduce_sum':
    case 'reduce_mean':
    case 'reduce_max':
      return elements(operand(0), sizes);
    case 'max_pool2d': {
      const { kernel } = node.attrs as OpAttrs['max_pool2d'];
      return out * kernel[0] * kernel[1];
    }
    default:
      return out * (PER_ELEMENT[node.op] ?? 1);
  }
}

/** Counts forward FLOPs with every symbol bound to a concrete size, for example `{ batch: 1, token: 128 }`. */
export function countFlops(module: IrModule, sizes: Readonly<Record<string, number>>): FlopCounts {
  const result: FlopCounts = { total: 0, byOp: {}, byComponent: {} };
  for (const node of module.nodes) {
    const flops = nodeFlops(node, module, sizes);
    if (flops === 0) continue;
    result.total += flops;
    result.byOp[node.op] = (result.byOp[node.op] ?? 0) + flops;
    const component = node.name?.split('.')[0] ?? '';
    result.byComponent[component] = (result.byComponent[component] ?? 0) + flops;
  }
  return result;
}
