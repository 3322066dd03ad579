// Messages for shape errors raised while a standard-library block expands. The IR shape rules
// name their own operations ('matmul') and axis names the blocks chose internally ('width',
// 'in'). These functions restate such errors in the names the spec used.
import type { ShapeError } from '../ir/index.js';
import { formatAxes, type TensorValue } from '../sema/values.js';

/**
 * Builds the message for `error`, thrown while `owner` (such as "Head 'proj'" or "'linear'")
 * expanded on `input`. A width mismatch inside a matrix product names the expected and actual widths.
 */
export function blockShapeMessage(owner: string, input: TensorValue, error: ShapeError): string {
  const shape = formatAxes(input.type);
  if (error.op === 'matmul' && error.reason === 'contract' && error.actual.length === 2) {
    const [left, right] = error.actual;
    const received = left!.axes[left!.axes.length - 1]?.size;
    const expected = right!.axes[right!.axes.length - 2]?.size;
    const inputWidth = input.type.axes[input.type.axes.length - 1]?.size;
    if (inputWidth === received) {
      return `${owner} expects input width ${String(expected)}, but '${input.label}' has width ${String(received)} (shape ${shape}).`;
    }
    return `${owner} cannot take '${input.label}' of shape ${shape}: one of its layers expects width ${String(expected)} but receives width ${String(received)}.`;
  }
  const hint = error.expected === undefined ? '' : ` Expected ${error.expected}.`;
  return `${owner} cannot take '${input.label}' of shape ${shape}: ${error.message}${hint}`;
}
