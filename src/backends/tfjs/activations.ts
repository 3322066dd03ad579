// Estimates the bytes of the values that one training step keeps until its gradients are
// computed, from the IR. tfjs records every tensor that the forward pass inside `variableGrads`
// creates and frees them only after the backward pass. The backward pass keeps the gradient of
// every value between the trainable parameters and the loss until it ends as well. So each
// value the loss terms need is in memory at the peak, and so is the gradient of each one that
// depends on a trainable parameter. The estimate is a polynomial in the batch size, because the
// batch is the only size the spec leaves unbounded. Every bounded free size (such as
// `token <= 128`) takes its maximum, which a batch of the longest captions reaches.
import type { DType, IrModule, Node, OpAttrs, ValueId } from '../../ir/types.js';

/** Ops whose tfjs result shares its input's data (or is a parameter or a constant), so they add no bytes. */
const VIEW_OPS: ReadonlySet<Node['op']> = new Set(['reshape', 'unsqueeze', 'param', 'constant']);

const ELEMENT_BYTES: Record<DType, number> = { f32: 4, i32: 4, bool: 1 };

/**
 * Returns `c` such that the forward values of the loss terms and their gradients take about
 * Σ c[k]·batch^k bytes. Views, parameters and constants are not counted, and neither are the
 * temporaries of single kernels, so a step needs more than this. The runtime's kernels create
 * more intermediate values than the IR has nodes. For `tier_vit` on the wasm backend (tfjs
 * 4.22), the forward pass kept 1.33 GiB at batch 1 and 2.18 GiB at batch 2, where the IR has
 * 0.84 and 1.22 GiB of forward values.
 */
export function activationBytes(module: IrModule): number[] {
  const bounds = new Map(module.symbols.map((symbol) => [symbol.name, symbol.max]));
  const trainable = dependsOnTrainable(module);
  const coefficients: number[] = [];
  for (const id of lossInputs(module)) {
    const node = module.nodes[id]!;
    if (VIEW_OPS.has(node.op)) continue;
    let bytes = ELEMENT_BYTES[node.type.dtype];
    let degree = 0;
    for (const axis of node.type.axes) {
      if (typeof axis.size === 'number') bytes *= axis.size;
      else if (bounds.get(axis.size) !== undefined) bytes *= bounds.get(axis.size)!;
      else degree += 1;
    }
    // A float value computed from a trainable parameter also has a gradient of its own size.
    if (node.type.dtype === 'f32' && trainable.has(id)) bytes *= 2;
    while (coefficients.length <= degree) coefficients.push(0);
    coefficients[degree]! += bytes;
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

/** Returns the nodes whose value depends on a trainable parameter; the nodes are in topological order. */
function dependsOnTrainable(module: IrModule): Set<ValueId> {
  const found = new Set<ValueId>();
  module.nodes.forEach((node, id) => {
    const param = node.op === 'param' ? module.params[(node.attrs as OpAttrs['param']).param] : undefined;
    const learned = param !== undefined && param.trainable && param.role !== 'buffer';
    if (learned || node.inputs.some((input) => found.has(input))) found.add(id);
  });
  return found;
}
