// The error that shape rules throw, and the formatting of types inside it.
//
// A ShapeError is about the program being built. The lowering turns it into a TIER3xxx
// diagnostic at the span of the offending expression, and `reason` picks the code.
import type { Span } from '../diagnostics/types.js';
import type { Axis, OpKind, TensorType } from './types.js';

/** The kind of mismatch a ShapeError reports. */
export type ShapeErrorReason =
  /** Two sizes meet in a broadcast and neither is 1. */
  | 'broadcast'
  /** A contracted or matched axis (matmul k, conv channels, norm scale) has the wrong size. */
  | 'contract'
  /** An operand has the wrong number of axes. */
  | 'rank'
  /** An operand has the wrong element type. */
  | 'dtype'
  /** An axis position is out of range or repeated. */
  | 'axis'
  /** A reshape changes the element count. */
  | 'reshape'
  /** A window (convolution or pooling kernel) does not fit. */
  | 'window'
  /** An op needs a concrete size where a symbolic one was given. */
  | 'symbolic'
  /** An attribute value is invalid on its own. */
  | 'attribute'
  /** The op received the wrong number of operands. */
  | 'arity'
  /** A node refers to a graph input or parameter that does not exist. */
  | 'reference';

export class ShapeError extends Error {
  override readonly name = 'ShapeError';

  constructor(
    readonly op: OpKind,
    readonly reason: ShapeErrorReason,
    message: string,
    /** The operand types the rule received. */
    readonly actual: readonly TensorType[],
    /** The expected shape or form, in brackets where it is a shape: `[batch, 2048]`. */
    readonly expected?: string,
    /** Position of the operand at fault, when one is. */
    readonly operand?: number,
  ) {
    super(message);
  }

  /** Span of the node being built when the rule failed, filled in by IrBuilder. */
  span?: Span;
  /** Name of the node being built (scope path plus local name), filled in by IrBuilder. */
  node?: string;
}

/** Formats axis sizes as `[batch, token, 128]`. */
export function formatShape(axes: readonly Axis[]): string {
  return `[${axes.map((a) => String(a.size)).join(', ')}]`;
}

/** Formats a type as `f32[batch, token, 128]`. */
export function formatType(type: TensorType): string {
  return `${type.dtype}${formatShape(type.axes)}`;
}
