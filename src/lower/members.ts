// Heads, params and type annotations: the model members (also allowed in block bodies) that
// are more than an expression bound to a name.
import type { HeadDecl, ParamDecl, TensorType as TypeAnnotation } from '../ast/index.js';
import type { Axis } from '../ir/index.js';
import { describeValue, ERROR, formatAxes, type TensorValue, type Value } from '../sema/values.js';
import { tensor } from './axes.js';
import { report, type LowerContext, type Scope } from './context.js';
import { evaluate } from './expr.js';

/** The name a head gives the last axis of its result: the joint embedding axis. */
export const HEAD_AXIS = 'dim';

/**
 * `head NAME = LAYER`: a layer whose parameters live under NAME and are shared by every
 * application. Applying it twice to the same value emits nothing new. The last axis of the
 * result is named `dim`.
 */
export function declareHead(context: LowerContext, scope: Scope, decl: HeadDecl, path: string): Value {
  const name = decl.name.name;
  const inner = context.b.atPath(path, () => evaluate(context, scope, decl.value), { span: decl.span });
  if (inner.kind === 'error') return ERROR;
  if (inner.kind !== 'layer') {
    report(context, 'TIER3012', `Head '${name}' must be a layer such as linear(768 -> 128), but it is ${describeValue(inner)}.`, decl.value.span);
    return ERROR;
  }
  const memo = new Map<number, TensorValue>();
  context.headResults.set(path, memo);
  return {
    kind: 'layer',
    label: name,
    span: decl.span,
    apply(input: TensorValue, at): Value {
      const known = memo.get(input.id);
      if (known !== undefined) return known;
      const saved = { stage: context.inLayerStage, head: context.applyingHead };
      context.inLayerStage = true;
      context.applyingHead = { name, span: decl.span };
      let result: Value;
      try {
        result = context.b.atPath(path, () => inner.apply(input, at), { span: decl.span });
      } finally {
        context.inLayerStage = saved.stage;
        context.applyingHead = saved.head;
      }
      if (result.kind !== 'tensor') return result;
      // Only a sequence or a vector has its features last; a 4-D feature map keeps its axis names.
      const last = result.type.axes.length <= 3 ? result.type.axes.length - 1 : -1;
      const axes = result.type.axes.map((axis, i) => (i === last ? { name: HEAD_AXIS, size: axis.size } : axis));
      const value: TensorValue = { ...result, type: { dtype: result.type.dtype, axes }, label: `${name}(${input.label})`, normalizedOver: undefined };
      memo.set(input.id, value);
      return value;
    },
  };
}

/**
 * `param NAME [: TYPE] = INIT`: a trainable tensor filled with the number INIT. Without a type
 * it is a scalar; a type's axes must have fixed sizes.
 */
export function declareParam(context: LowerContext, scope: Scope, decl: ParamDecl, path: string): Value {
  const init = evaluate(context, scope, decl.value);
  if (init.kind === 'error') return ERROR;
  if (init.kind !== 'number') {
    report(context, 'TIER3012', `Param '${decl.name.name}' needs a number as its initial value, but got ${describeValue(init)}.`, decl.value.span);
    return ERROR;
  }
  const axes: Axis[] = [];
  if (decl.type !== undefined) {
    for (const dim of decl.type.dims) {
      const axis = fixedAxis(context, scope, dim);
      if (axis === undefined) return ERROR;
      axes.push(axis);
    }
  }
  const id = context.b.atPath(
    '',
    () =>
      context.b.param({
        name: path,
        shape: axes.map((axis) => axis.size as number),
        axisNames: axes.map((axis) => axis.name),
        role: axes.length === 0 ? 'no_decay' : 'weight',
        init: { kind: 'constant', value: init.value },
        span: decl.span,
      }),
    { span: decl.span },
  );
  const value = tensor(context, id, axes, decl.name.name, [], { declared: decl.span });
  context.named.push({ name: decl.name.name, kind: 'param', value, span: decl.span });
  return value;
}

/** An axis of a param's type: a number, or a declared axis of fixed size. */
function fixedAxis(context: LowerContext, scope: Scope, dim: TypeAnnotation['dims'][number]): Axis | undefined {
  if (dim.kind === 'Identifier') {
    const declared = context.axes.get(dim.name);
    if (declared !== undefined && declared.constraint === 'exact') return { name: dim.name, size: declared.size! };
    if (declared !== undefined) {
      report(context, 'TIER3011', `Axis '${dim.name}' has no fixed size, so a param cannot have it.`, dim.span);
      return undefined;
    }
  }
  const value = evaluate(context, scope, dim);
  if (value.kind === 'number' && Number.isInteger(value.value) && value.value > 0 && value.value < 2 ** 31) return { name: String(value.value), size: value.value };
  if (value.kind !== 'error') report(context, 'TIER3011', `A param's axis must be a positive whole number or an axis of fixed size, but got ${describeValue(value)}.`, dim.span);
  return undefined;
}

/** Checks a let's value against its type annotation (`let x: f32[batch, token, 128] = …`). */
export function checkAnnotation(context: LowerContext, scope: Scope, type: TypeAnnotation, value: Value, name: string): void {
  if (value.kind === 'error') return;
  if (value.kind !== 'tensor') {
    report(context, 'TIER3009', `'${name}' is ${describeValue(value)}, but its annotation declares a tensor.`, type.span);
    return;
  }
  const written = `${type.dtype.name}[${type.dims.map(dimText).join(', ')}]`;
  const actual = `${value.type.dtype}${formatAxes(value.type)}`;
  const fail = () => report(context, 'TIER3009', `'${name}' has type ${actual}, but its annotation declares ${written}.`, type.span);
  if (type.dtype.name !== value.type.dtype || type.dims.length !== value.type.axes.length) return fail();
  for (let i = 0; i < type.dims.length; i++) {
    const dim = type.dims[i]!;
    const axis = value.type.axes[i]!;
    if (dim.kind === 'Identifier' && scope.lookup(dim.name) === undefined) {
      if (axis.name !== dim.name) return fail();
      continue;
    }
    const size = evaluate(context, scope, dim);
    if (size.kind !== 'number' || size.value !== axis.size) return fail();
  }
}

function dimText(dim: TypeAnnotation['dims'][number]): string {
  if (dim.kind === 'Identifier') return dim.name;
  if (dim.kind === 'NumberLiteral') return dim.raw;
  return '…';
}
