// Helpers shared by the shape rules: size equality, broadcasting and operand checks.
import type { Axis, DType, OpKind, Size, TensorType } from './types.js';
import { ShapeError, formatShape, formatType } from './shape_error.js';

/** True when two sizes are known to be equal: equal numbers, or the same symbol. */
export function sameSize(a: Size, b: Size): boolean {
  return a === b;
}

/**
 * Broadcasts the axes of several types by position, right-aligned. Each output axis takes
 * its name from the first operand whose size there is not 1 (or the first operand if all are 1).
 */
export function broadcastTypes(op: OpKind, types: readonly TensorType[], reported: readonly TensorType[] = types): Axis[] {
  const rank = Math.max(0, ...types.map((t) => t.axes.length));
  const axes: Axis[] = [];
  for (let i = 0; i < rank; i++) {
    let chosen: Axis | undefined;
    for (const t of types) {
      const axis = t.axes[t.axes.length - rank + i];
      if (!axis || axis.size === 1 && chosen) continue;
      if (!chosen || chosen.size === 1) {
        chosen = axis;
        continue;
      }
      if (!sameSize(axis.size, chosen.size)) {
        const shapes = types.map((x) => formatShape(x.axes)).join(' and ');
        throw new ShapeError(op, 'broadcast', `Shapes ${shapes} do not broadcast: size ${axis.size} meets size ${chosen.size} at position ${i} of ${rank}.`, reported, formatShape(types[0]!.axes));
      }
    }
    axes.push(chosen!);
  }
  return axes;
}

/**
 * Computes a canonical form of the element count of a shape: the product of its numbers,
 * then its symbols sorted. Two shapes hold the same number of elements for every symbol value
 * exactly when their forms are equal.
 */
export function sizeProduct(sizes: readonly Size[]): string {
  let product = 1;
  const symbols: string[] = [];
  for (const s of sizes) {
    if (typeof s === 'number') product *= s;
    else symbols.push(s);
  }
  return [String(product), ...symbols.sort()].join('*');
}

export function requireDtype(op: OpKind, operands: readonly TensorType[], index: number, allowed: readonly DType[]): void {
  const t = operands[index]!;
  if (!allowed.includes(t.dtype)) {
    throw new ShapeError(op, 'dtype', `Operand ${index} of '${op}' must be ${allowed.join(' or ')}, got ${formatType(t)}.`, operands, allowed.join(' | '), index);
  }
}

export function requireRank(op: OpKind, operands: readonly TensorType[], index: number, rank: number): void {
  const t = operands[index]!;
  if (t.axes.length !== rank) {
    throw new ShapeError(op, 'rank', `Operand ${index} of '${op}' must have ${rank} axes, got ${formatType(t)}.`, operands, `rank ${rank}`, index);
  }
}

export function checkAxis(op: OpKind, operands: readonly TensorType[], axis: number, rank: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw new ShapeError(op, 'axis', `Axis ${axis} is out of range for '${op}' on ${formatType(operands[0]!)}.`, operands, `an axis in [0, ${rank})`);
  }
}

export function checkAxes(op: OpKind, operands: readonly TensorType[], axes: readonly number[], rank: number): void {
  for (const a of axes) checkAxis(op, operands, a, rank);
  if (new Set(axes).size !== axes.length) {
    throw new ShapeError(op, 'axis', `Axes [${axes.join(', ')}] of '${op}' repeat an axis.`, operands);
  }
}
