// Lowering of data-movement IR ops. Sizes known at compile time become constants, and a size
// that stays symbolic is read at run time with Shape. Reshape targets prefer 0 (copy the
// input's size) and -1 (infer), so no size seen at compile time is baked into the graph.
import type { Size } from '../../../ir/types.js';
import { elementTypeOf } from '../graph.js';
import { ElementType } from '../proto.js';
import { rule, type LowerContext, type LoweringRule } from './types.js';

const reshape = rule('reshape', {
  since: 13,
  emits: ['Reshape', 'Shape', 'Gather', 'Mul', 'Concat'],
  lower: (c) => c.graph.node('Reshape', [c.inputs[0]!, reshapeTarget(c)]),
});

/**
 * Builds the target shape tensor. Literal sizes stay literal, and a symbolic size equal to
 * the input's size on the same axis becomes 0. The first other symbolic size becomes -1, and
 * any further one is read from a Shape.
 */
function reshapeTarget(c: LowerContext<'reshape'>): string {
  const inputDims = c.inputTypes[0]!.dims;
  const target: (number | string)[] = c.outputType.dims.map((dim, axis) => {
    if (typeof dim === 'number') return dim;
    return inputDims[axis] === dim ? 0 : dim;
  });
  const firstSymbolic = target.findIndex((dim) => typeof dim === 'string');
  if (firstSymbolic >= 0) target[firstSymbolic] = -1;
  if (target.every((dim) => typeof dim === 'number')) return c.graph.ints(target as number[]);
  const parts = target.map((dim) => (typeof dim === 'number' ? c.graph.ints([dim]) : c.runtimeSize(dim, 'vector')));
  return c.graph.node('Concat', parts, { axis: 0 });
}

const transpose = rule('transpose', { since: 13, emits: ['Transpose'], lower: (c) => c.graph.node('Transpose', c.inputs, { perm: c.attrs.perm }) });

const unsqueeze = rule('unsqueeze', {
  since: 13,
  emits: ['Unsqueeze'],
  lower: (c) => c.graph.node('Unsqueeze', [c.inputs[0]!, c.graph.ints(c.attrs.axes)]),
});

const concat = rule('concat', { since: 13, emits: ['Concat'], lower: (c) => c.graph.node('Concat', c.inputs, { axis: c.attrs.axis }) });

const slice = rule('slice', {
  since: 13,
  emits: ['Slice'],
  lower: (c) => {
    const { axis, start, end } = c.attrs;
    return c.graph.node('Slice', [c.inputs[0]!, c.graph.ints([start]), c.graph.ints([end]), c.graph.ints([axis])]);
  },
});

const gather = rule('gather', { since: 13, emits: ['Gather'], lower: (c) => c.graph.node('Gather', c.inputs, { axis: 0 }) });

/** Emits the int32 vector 0, 1, …, n−1: a constant when n is known, else a Range over a size read with Shape. */
function int32Range(c: LowerContext, size: Size): string {
  if (typeof size === 'number') return c.graph.constant('int32', [size], Array.from({ length: size }, (_, i) => i));
  // range_like and one_hot over the same symbolic axis share one Range.
  return c.shared(`range/${size}`, () => {
    const limit = c.runtimeSize(size, 'scalar');
    const steps = c.graph.node('Range', [c.graph.constant('int64', [], [0]), limit, c.graph.constant('int64', [], [1])]);
    return c.graph.node('Cast', [steps], { to: ElementType.int32 });
  });
}

const oneHot = rule('one_hot', {
  since: 13,
  emits: ['Unsqueeze', 'Equal', 'Cast', 'Range', 'Shape', 'Gather'],
  lower: (c) => {
    const n = c.inputTypes[1]!.dims[c.attrs.axis]!;
    const indices = c.graph.node('Unsqueeze', [c.inputs[0]!, c.graph.ints([-1])]);
    const hits = c.graph.node('Equal', [indices, int32Range(c, n)]);
    return c.graph.node('Cast', [hits], { to: ElementType.float });
  },
});

const rangeLike = rule('range_like', {
  since: 13,
  emits: ['Range', 'Cast', 'Shape', 'Gather'],
  lower: (c) => int32Range(c, c.inputTypes[0]!.dims[c.attrs.axis]!),
});

const eyeLike = rule('eye_like', {
  since: 13,
  emits: ['EyeLike'],
  lower: (c) => {
    const [rows, columns] = c.outputType.dims;
    if (typeof rows === 'number' && typeof columns === 'number' && c.outputType.dtype === 'f32') {
      const values = new Array<number>(rows * columns).fill(0);
      for (let i = 0; i < Math.min(rows, columns); i++) values[i * columns + i] = 1;
      return c.graph.constant('float', [rows, columns], values);
    }
    return c.graph.node('EyeLike', c.inputs, { dtype: ElementType[elementTypeOf(c.outputType.dtype)] });
  },
});

export const shapeRules: LoweringRule[] = [reshape, transpose, unsqueeze, concat, slice, gather, oneHot, rangeLike, eyeLike] as LoweringRule[];
