// Estimates the bytes of the activations that one training step keeps for its backward pass,
// from the IR. tfjs records every tensor that the forward pass inside `variableGrads` creates
// and frees them only after the gradients are computed, so each value that the loss terms need
// is in memory at the peak. The estimate is a polynomial in the batch size, because the batch
// is the only size the spec leaves unbounded. Every bounded free size (such as `token <= 128`)
// takes its maximum, which a batch of the longest captions reaches.
import type { DType, IrModule, Node, ValueId } from '../../ir/types.js';

/** Ops whose tfjs result shares its input's data, so they add no bytes. */
const VIEW_OPS: ReadonlySet<Node['op']> = new Set(['reshape', 'unsqueeze', 'param', 'constant']);

const ELEMENT_BYTES: Record<DType, number> = { f32: 4, i32: 4, bool: 1 };

/**
 * Returns `c` such that the loss terms' forward values take about Σ c[k]·batch^k bytes. Views,
 * parameters, constants and values without a batch axis are not counted (so c[0] is 0), and
 * neither are the backward pass's temporaries, so a step needs more than this. NOTE: fused
 * runtime kernels (attention, layer norm) may skip some of the IR's intermediate values, so for
 * attention-heavy models this can exceed what tfjs keeps.
 */
export function activationBytes(module: IrModule): number[] {
  const bounds = new Map(module.symbols.map((symbol) => [symbol.name, symbol.max]));
  const coefficients: number[] = [];
  for (const id of lossInputs(module)) {
    const node = module.nodes[id]!;
    if (VIEW_OPS.has(node.op)) continue;
    let fixed = ELEMENT_BYTES[node.type.dtype];
    let degree = 0;
    for (const axis of node.type.axes) {
      if (typeof axis.size === 'number') fixed *= axis.size;
      else if (bounds.get(axis.size) !== undefined) fixed *= bounds.get(axis.size)!;
      else degree += 1;
    }
    // A value without a batch axis is computed from weights (a transposed weight, which the
    // runtime's matmul kernels read in place) or is a scalar, so it is left out.
    if (degree === 0) continue;
    while (coefficients.length <= degree) coefficients.push(0);
    coefficients[degree]! += fixed;
  }
  return coefficients;
}

/** Returns the nodes that some loss term reads, directly or through other nodes. */
function lossInputs(module: IrModule): ValueId[] {
  const seen = new Set<ValueId>();
  const stack = module.losses.map((loss) => loss.value);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...module.nodes[id]!.inputs);
  }
  return [...seen].sort((a, b) => a - b);
}
