// Operations over named axes: finding an axis by name, aligning two operands of an elementwise
// operation by axis name, and the contraction `a . b`. The IR broadcasts by position, so these
// functions insert the transposes and unsqueezes that line axes up by name before emitting.
//
// The batch axis (named `batch`) is never contracted: `tokens . patches` with
// tokens [batch, token, dim] and patches [batch, patch, dim] contracts `dim` and pairs the
// batch rows, giving [batch, token, patch].
import type { RelatedInformation, Span } from '../diagnostics/types.js';
import type { Axis, TensorType, ValueId } from '../ir/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { formatAxes, type TensorValue, type Value } from '../sema/values.js';
import { inheritSources, report, type LowerContext } from './context.js';

export const BATCH_AXIS = 'batch';

export function tensor(context: LowerContext, id: ValueId, axes: Axis[], label: string, from: TensorValue[], extra: Partial<TensorValue> = {}): TensorValue {
  inheritSources(context, id, from.map((value) => value.id));
  const dtype = context.b.typeOf(id).dtype;
  return { kind: 'tensor', id, type: { dtype, axes }, label, ...extra };
}

/** The semantic axes of `id` when only sizes changed: names from `names` position by position. */
export function withNames(context: LowerContext, id: ValueId, names: readonly string[]): Axis[] {
  const axes = context.b.typeOf(id).axes;
  return axes.map((axis, i) => ({ name: names[i] ?? axis.name, size: axis.size }));
}

/** Notes pointing at where the operands were declared, for the related spans of a diagnostic. */
function declaredAt(...values: TensorValue[]): RelatedInformation[] {
  const seen = new Set<string>();
  const notes: RelatedInformation[] = [];
  for (const value of values) {
    if (value.declared === undefined || seen.has(value.label)) continue;
    seen.add(value.label);
    notes.push({ span: value.declared, message: `'${value.label}' is declared here with shape ${formatAxes(value.type)}.` });
  }
  return notes;
}

/** The position of axis `name` in `value`, or undefined after reporting TIER3001. */
export function axisPosition(context: LowerContext, value: TensorValue, name: string, span: Span): number | undefined {
  const index = value.type.axes.findIndex((axis) => axis.name === name);
  if (index >= 0) return index;
  // A declared axis that this value lacks is no typo, so it gets no suggestion.
  const hint = context.axes.has(name) ? '' : didYouMean(name, names(value.type));
  report(context, 'TIER3001', `Axis '${name}' is not an axis of '${value.label}', which has shape ${formatAxes(value.type)}.${hint}`, span, declaredAt(value));
  return undefined;
}

/** Emits a transpose when `perm` is not the identity. */
function permute(context: LowerContext, value: TensorValue, perm: number[]): TensorValue {
  if (perm.every((p, i) => p === i)) return value;
  const id = context.b.transpose(value.id, perm);
  return tensor(context, id, perm.map((p) => value.type.axes[p]!), value.label, [value], { normalizedOver: value.normalizedOver });
}

/**
 * Brings `small` to the axis order of `large`, inserting size-1 axes for the ones it lacks.
 * `small`'s axes must be a subset of `large`'s by name.
 */
function alignTo(context: LowerContext, small: TensorValue, large: TensorType): TensorValue {
  const order = large.axes.map((axis) => axis.name).filter((name) => small.type.axes.some((axis) => axis.name === name));
  const perm = order.map((name) => small.type.axes.findIndex((axis) => axis.name === name));
  const moved = permute(context, small, perm);
  const missing = large.axes.map((axis, i) => (moved.type.axes.some((own) => own.name === axis.name) ? -1 : i)).filter((i) => i >= 0);
  if (missing.length === 0) return moved;
  const id = context.b.unsqueeze(moved.id, missing);
  const axes = large.axes.map((axis) => moved.type.axes.find((own) => own.name === axis.name) ?? { name: axis.name, size: 1 });
  return tensor(context, id, axes, moved.label, [moved]);
}

function names(type: TensorType): string[] {
  return type.axes.map((axis) => axis.name);
}

/** Reports the first axis that has different sizes in the two operands; returns whether sizes agree. */
function checkSizes(context: LowerContext, left: TensorValue, right: TensorValue, span: Span): boolean {
  for (const axis of left.type.axes) {
    const other = right.type.axes.find((candidate) => candidate.name === axis.name);
    if (other === undefined || other.size === axis.size) continue;
    report(
      context,
      'TIER3008',
      `Axis '${axis.name}' has size ${axis.size} in '${left.label}' ${formatAxes(left.type)} but size ${other.size} in '${right.label}' ${formatAxes(right.type)}.`,
      span,
      declaredAt(left, right),
    );
    return false;
  }
  return true;
}

export type ElementwiseOp = 'add' | 'sub' | 'mul' | 'div';

/**
 * An elementwise operation on two tensors whose axes match by name: one operand's axes must be
 * a subset of the other's, in any order. The result has the larger operand's axis order.
 */
export function elementwise(context: LowerContext, op: ElementwiseOp, left: TensorValue, right: TensorValue, span: Span): Value {
  if (!checkSizes(context, left, right, span)) return { kind: 'error' };
  const leftNames = new Set(names(left.type));
  const rightNames = new Set(names(right.type));
  const rightInLeft = [...rightNames].every((name) => leftNames.has(name));
  const leftInRight = [...leftNames].every((name) => rightNames.has(name));
  if (!rightInLeft && !leftInRight) {
    report(
      context,
      'TIER3007',
      `Operands of '${symbolOf(op)}' do not align: '${left.label}' has axes ${formatAxes(left.type)} and '${right.label}' has axes ${formatAxes(right.type)}; one must have a subset of the other's axis names.`,
      span,
      declaredAt(left, right),
    );
    return { kind: 'error' };
  }
  const target = rightInLeft ? left.type : right.type;
  const a = alignTo(context, left, target);
  const c = alignTo(context, right, target);
  const id = context.b.emit(op, [a.id, c.id], {}, { span });
  return tensor(context, id, target.axes.map((axis) => ({ ...axis })), 'the expression', [a, c]);
}

function symbolOf(op: ElementwiseOp): string {
  return { add: '+', sub: '-', mul: '*', div: '/' }[op];
}

/**
 * `left . right`: contracts the one axis both share besides `batch`, keeps `batch` paired, and
 * keeps every other axis: [batch, left axes…, right axes…].
 */
export function contract(context: LowerContext, left: TensorValue, right: TensorValue, span: Span): Value {
  const shared = left.type.axes.filter((axis) => axis.name !== BATCH_AXIS && right.type.axes.some((other) => other.name === axis.name));
  const shapes = `'${left.label}' ${formatAxes(left.type)} and '${right.label}' ${formatAxes(right.type)}`;
  if (shared.length === 0) {
    report(context, 'TIER3002', `The contraction of ${shapes} has no shared axis to contract; name one axis the same in both.`, span, declaredAt(left, right));
    return { kind: 'error' };
  }
  if (shared.length > 1) {
    const list = shared.map((axis) => `'${axis.name}'`).join(', ');
    report(context, 'TIER3003', `The contraction of ${shapes} shares the axes ${list}; exactly one shared axis besides 'batch' can be contracted.`, span, declaredAt(left, right));
    return { kind: 'error' };
  }
  const k = shared[0]!;
  if (!checkSizes(context, left, right, span)) return { kind: 'error' };
  const hasBatch = left.type.axes.some((axis) => axis.name === BATCH_AXIS) && right.type.axes.some((axis) => axis.name === BATCH_AXIS);
  const leftFree = left.type.axes.filter((axis) => axis.name !== k.name && !(hasBatch && axis.name === BATCH_AXIS));
  const rightFree = right.type.axes.filter((axis) => axis.name !== k.name && !(hasBatch && axis.name === BATCH_AXIS));
  const clash = leftFree.find((axis) => rightFree.some((other) => other.name === axis.name));
  if (clash !== undefined) {
    report(context, 'TIER3003', `The contraction of ${shapes} would keep axis '${clash.name}' twice; rename one of them.`, span);
    return { kind: 'error' };
  }
  const batchAxes = hasBatch ? [left.type.axes.find((axis) => axis.name === BATCH_AXIS)!] : [];
  const resultAxes = [...batchAxes, ...leftFree, ...rightFree];

  if (leftFree.length <= 1 && rightFree.length <= 1) {
    // [batch, m, k] × [batch, k, n] → [batch, m, n] with one matmul; a missing m or n is a size-1 axis.
    let a = permute(context, left, order(left.type, [...batchAxes, ...leftFree, k]));
    let c = permute(context, right, order(right.type, [...batchAxes, k, ...rightFree]));
    if (leftFree.length === 0) a = tensor(context, context.b.unsqueeze(a.id, [batchAxes.length]), [...batchAxes, { name: '', size: 1 }, k], a.label, [a]);
    if (rightFree.length === 0) c = tensor(context, context.b.unsqueeze(c.id, [batchAxes.length + 1]), [...batchAxes, k, { name: '', size: 1 }], c.label, [c]);
    const axisNames = resultAxes.map((axis) => axis.name);
    const squeeze = leftFree.length === 0 || rightFree.length === 0;
    let id = context.b.matmul(a.id, c.id, squeeze ? { span, name: 'contract' } : { span, name: 'contract', axisNames });
    if (squeeze) id = context.b.reshape(id, resultAxes.map((axis) => axis.size), { span, axisNames });
    return tensor(context, id, resultAxes, 'the contraction', [left, right]);
  }

  // More than one kept axis on a side: broadcast both to [batch, left…, right…, k] and sum over k.
  const full: TensorType = { dtype: 'f32', axes: [...resultAxes, k] };
  const a = alignTo(context, left, full);
  const c = alignTo(context, right, full);
  const product = context.b.mul(a.id, c.id, { span, name: 'contract.product' });
  const id = context.b.reduceSum(product, [full.axes.length - 1], false, { span, name: 'contract', axisNames: resultAxes.map((axis) => axis.name) });
  return tensor(context, id, resultAxes, 'the contraction', [left, right]);
}

/** The permutation that takes `type`'s axes to the order of `wanted` (matched by name). */
function order(type: TensorType, wanted: Axis[]): number[] {
  return wanted.map((axis) => type.axes.findIndex((own) => own.name === axis.name));
}

/**
 * Brings a mask to the rank of `x`, matching its axes to `x`'s by name, so the block that uses
 * it sees two operands of equal rank. Reports TIER3016 when an axis of the mask is not in `x`.
 */
export function alignMask(context: LowerContext, mask: TensorValue, x: TensorValue, span: Span): TensorValue | undefined {
  const missing = mask.type.axes.find((axis) => !x.type.axes.some((own) => own.name === axis.name));
  if (missing !== undefined) {
    report(context, 'TIER3016', `Mask '${mask.label}' has axis '${missing.name}', which '${x.label}' ${formatAxes(x.type)} lacks.`, span, declaredAt(mask, x));
    return undefined;
  }
  if (!checkSizes(context, x, mask, span)) return undefined;
  return alignTo(context, mask, x.type);
}
