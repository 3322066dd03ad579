// Classifies each IR value by how it depends on the batch axis, for exact gradient
// accumulation of contrastive losses (the GradCache method). A 'row' value has the batch as
// axis 0 and each of its rows depends only on the same row of the inputs, so it can be
// computed one micro-batch at a time. A 'global' value does not depend on the batch. A
// 'mixed' value combines rows (a batch×batch similarity, a mean over the batch, batch norm
// statistics). The classification is conservative: an op it cannot prove row-local is
// 'mixed', which costs memory but never correctness, because mixed values are computed on
// the whole accumulated batch.
import type { IrModule, Node, OpAttrs, ValueId } from '../../ir/types.js';

export type RowClass = 'row' | 'global' | 'mixed';

export function classifyRows(module: IrModule): RowClass[] {
  const batch = batchSymbol(module);
  const classes: RowClass[] = [];
  for (const node of module.nodes) classes.push(batch === undefined ? 'mixed' : classify(module, node, classes, batch));
  return classes;
}

/** The size symbol of axis 0 of the image input (or of the first input with a symbolic axis 0). */
export function batchSymbol(module: IrModule): string | undefined {
  const image = module.inputs.find((i) => i.role === 'image') ?? module.inputs.find((i) => typeof i.type.axes[0]?.size === 'string');
  const size = image?.type.axes[0]?.size;
  return typeof size === 'string' ? size : undefined;
}

function classify(module: IrModule, node: Node, classes: RowClass[], batch: string): RowClass {
  const inputs = node.inputs.map((id) => classes[id]!);
  const leadsWithBatch = (id: ValueId) => module.nodes[id]!.type.axes[0]?.size === batch;
  const outRank = node.type.axes.length;
  if (node.op === 'input') return node.type.axes[0]?.size === batch ? 'row' : 'global';
  if (node.op === 'param' || node.op === 'constant' || node.op === 'range_like') return node.op === 'range_like' && inputs[0] !== 'global' ? rangeClass(node, inputs) : 'global';
  if (inputs.includes('mixed')) return 'mixed';
  if (inputs.every((c) => c === 'global')) return 'global';
  // From here at least one operand is 'row' and none is 'mixed'.
  const rowOperandsAligned = node.inputs.every((id, i) => inputs[i] !== 'row' || (module.nodes[id]!.type.axes.length === outRank && leadsWithBatch(id)));
  const globalOperandsBroadcast = node.inputs.every((id, i) => inputs[i] !== 'global' || module.nodes[id]!.type.axes.length < outRank || module.nodes[id]!.type.axes[0]?.size === 1);
  const outLeads = node.type.axes[0]?.size === batch;
  switch (node.op) {
    case 'neg': case 'exp': case 'log': case 'sqrt': case 'reciprocal': case 'abs': case 'tanh': case 'sigmoid':
    case 'erf': case 'relu': case 'gelu': case 'cast': case 'clip': case 'dropout':
    case 'add': case 'sub': case 'mul': case 'div': case 'pow': case 'maximum': case 'minimum': case 'greater': case 'equal': case 'where':
      return rowOperandsAligned && globalOperandsBroadcast && outLeads ? 'row' : 'mixed';
    case 'matmul': {
      const [a, b] = inputs;
      const rankA = module.nodes[node.inputs[0]!]!.type.axes.length;
      if (a === 'row' && b === 'global' && module.nodes[node.inputs[1]!]!.type.axes.length === 2 && rankA >= 2 && outLeads) return 'row';
      // Batched products over leading axes keep rows apart; a rank-2 row × row product mixes them.
      if (a === 'row' && b === 'row' && rankA >= 3 && rowOperandsAligned && outLeads) return 'row';
      return 'mixed';
    }
    case 'reduce_sum': case 'reduce_mean': case 'reduce_max': {
      const attrs = node.attrs as OpAttrs['reduce_sum'];
      return !attrs.axes.includes(0) && outLeads ? 'row' : 'mixed';
    }
    case 'softmax': case 'log_softmax':
      return (node.attrs as OpAttrs['softmax']).axis !== 0 && outLeads ? 'row' : 'mixed';
    case 'layer_norm':
      return (node.attrs as OpAttrs['layer_norm']).axis !== 0 && outLeads && inputs[0] === 'row' ? 'row' : 'mixed';
    case 'reshape':
      return outLeads && leadsWithBatch(node.inputs[0]!) ? 'row' : 'mixed';
    case 'transpose':
      return (node.attrs as OpAttrs['transpose']).perm[0] === 0 && outLeads ? 'row' : 'mixed';
    case 'unsqueeze':
      return !(node.attrs as OpAttrs['unsqueeze']).axes.includes(0) && outLeads ? 'row' : 'mixed';
    case 'slice':
      return (node.attrs as OpAttrs['slice']).axis !== 0 && outLeads ? 'row' : 'mixed';
    case 'concat':
      return (node.attrs as OpAttrs['concat']).axis !== 0 && inputs.every((c) => c === 'row') && rowOperandsAligned && outLeads ? 'row' : 'mixed';
    case 'gather':
      return inputs[0] === 'global' && inputs[1] === 'row' && outLeads ? 'row' : 'mixed';
    case 'one_hot':
      return inputs[0] === 'row' && outLeads ? 'row' : 'mixed';
    case 'conv2d': case 'max_pool2d':
      return inputs[0] === 'row' && inputs.slice(1).every((c) => c === 'global') && outLeads ? 'row' : 'mixed';
    default:
      // batch_norm (batch statistics), eye_like (sized by the batch) and anything new.
      return 'mixed';
  }
}

/** range_like over a non-batch axis of a row value is still batch-independent. */
function rangeClass(node: Node, inputs: RowClass[]): RowClass {
  return (node.attrs as OpAttrs['range_like']).axis === 0 || inputs[0] === 'mixed' ? 'mixed' : 'global';
}
