// Recognizes multi-head attention over a packed q/k/v projection in the IR, as the stdlib's
// `fusedSelfAttention` writes it, so the lowering can emit one `attention` statement:
//
//   q, k, v = transpose(reshape(slice(qkv, axis 2), [B, T, H, D]), [0, 2, 1, 3])
//   scores  = mul(matmul(q, transpose(k, [0, 1, 3, 2])), scale)   (+ mask [T, T])
//   out     = reshape(transpose(matmul(softmax(scores, axis 3), v), [0, 2, 1, 3]), [B, T, H·D])
//
// Every intermediate value must have no other use, and the mask must not depend on a
// parameter, because the fused kernel gives the mask no gradient.
import type { IrModule, OpAttrs, ValueId } from '../../ir/types.js';

export interface AttentionMatch {
  /** The packed projection, then the mask when there is one. */
  inputs: ValueId[];
  heads: number;
  blocks: [number, number, number];
  scale: number;
  /** Nodes the statement computes besides the root. */
  covers: ValueId[];
}

/** Matches the pattern above at its final reshape `id`. */
export function matchAttention(module: IrModule, id: ValueId, onlyUse: (id: ValueId) => boolean): AttentionMatch | undefined {
  const node = (at: ValueId) => module.nodes[at]!;
  const covers: ValueId[] = [];
  const take = (at: ValueId, op: string): boolean => {
    if (node(at).op !== op || !onlyUse(at)) return false;
    covers.push(at);
    return true;
  };
  const perm = (at: ValueId) => (node(at).attrs as OpAttrs['transpose']).perm.join(',');

  const root = node(id);
  if (root.op !== 'reshape' || root.type.axes.length !== 3) return undefined;
  const merged = root.inputs[0]!;
  if (!take(merged, 'transpose') || perm(merged) !== '0,2,1,3') return undefined;
  const context = node(merged).inputs[0]!;
  if (!take(context, 'matmul') || node(context).type.axes.length !== 4) return undefined;
  const [probs, valueHeads] = node(context).inputs as [ValueId, ValueId];
  if (!take(probs, 'softmax') || (node(probs).attrs as OpAttrs['softmax']).axis !== 3) return undefined;

  let scaled = node(probs).inputs[0]!;
  let mask: ValueId | undefined;
  if (node(scaled).op === 'add') {
    if (!take(scaled, 'add')) return undefined;
    const [left, right] = node(scaled).inputs as [ValueId, ValueId];
    [scaled, mask] = node(left).op === 'mul' ? [left, right] : [right, left];
    if (node(mask).type.axes.length !== 2 || dependsOnParam(module, mask)) return undefined;
  }
  if (!take(scaled, 'mul')) return undefined;
  const [product, factor] = scalarOperand(module, node(scaled).inputs as [ValueId, ValueId]) ?? [];
  if (product === undefined || factor === undefined) return undefined;
  if (onlyUse(factor)) covers.push(factor);
  const scale = (node(factor).attrs as OpAttrs['constant']).values[0]!;
  if (!take(product, 'matmul')) return undefined;
  const [queryHeads, keysT] = node(product).inputs as [ValueId, ValueId];
  if (!take(keysT, 'transpose') || perm(keysT) !== '0,1,3,2') return undefined;

  const packedFrom: ValueId[] = [];
  const blocks: number[] = [];
  let heads = 0;
  for (const headsId of [queryHeads, node(keysT).inputs[0]!, valueHeads]) {
    if (!take(headsId, 'transpose') || perm(headsId) !== '0,2,1,3') return undefined;
    const split = node(headsId).inputs[0]!;
    if (!take(split, 'reshape') || node(split).type.axes.length !== 4) return undefined;
    const slice = node(split).inputs[0]!;
    if (!take(slice, 'slice')) return undefined;
    const attrs = node(slice).attrs as OpAttrs['slice'];
    const packed = node(slice).inputs[0]!;
    const packedWidth = node(packed).type.axes[2]?.size;
    const width = attrs.end - attrs.start;
    if (attrs.axis !== 2 || node(packed).type.axes.length !== 3 || packedWidth !== 3 * width || attrs.start % width !== 0) return undefined;
    heads = Number(node(split).type.axes[2]!.size);
    packedFrom.push(packed);
    blocks.push(attrs.start / width);
  }
  if (new Set(packedFrom).size !== 1 || new Set(blocks).size !== 3 || !Number.isInteger(heads)) return undefined;
  return { inputs: mask === undefined ? [packedFrom[0]!] : [packedFrom[0]!, mask], heads, blocks: blocks as [number, number, number], scale, covers };
}

/** [value, constant] when one operand of a product is a scalar constant. */
function scalarOperand(module: IrModule, [a, b]: [ValueId, ValueId]): [ValueId, ValueId] | undefined {
  const isScalar = (at: ValueId) => {
    const n = module.nodes[at]!;
    if (n.op !== 'constant') return false;
    const attrs = n.attrs as OpAttrs['constant'];
    return attrs.values.length === 1 && attrs.shape.length === 0;
  };
  if (isScalar(b)) return [a, b];
  if (isScalar(a)) return [b, a];
  return undefined;
}

function dependsOnParam(module: IrModule, id: ValueId): boolean {
  const seen = new Set<ValueId>();
  const stack = [id];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    if (module.nodes[at]!.op === 'param') return true;
    stack.push(...module.nodes[at]!.inputs);
  }
  return false;
}
