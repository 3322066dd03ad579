// The ONNX graphs an `export onnx` block can ask for, as sets of named IR values. The
// zero-shot scorer is added to a copy of the module as ordinary IR nodes, so the reference
// interpreter checks it like every other value.
import type { Diagnostic } from '../../diagnostics/types.js';
import type { IrModule, Node, OpAttrs, OpKind, ValueId } from '../../ir/types.js';
import { backendDiagnostic } from './diagnostics.js';

export const GRAPH_KINDS = ['image_tower', 'text_tower', 'similarity_map', 'zeroshot'] as const;
export type OnnxGraphKind = (typeof GRAPH_KINDS)[number];

export interface ZeroShotLabel {
  name: string;
  /** Prompt embedding of the label's positive prompt set (already averaged); normalized at export. */
  positive: ArrayLike<number>;
  /** Prompt embedding of the negative prompt set; normalized at export. */
  negative: ArrayLike<number>;
}

export interface ZeroShotOptions {
  labels: ZeroShotLabel[];
  /** `difference`: cos(image, positive) − cos(image, negative). `softmax2`: the two-way softmax's probability of the positive. */
  rule: 'difference' | 'softmax2';
}

/** Output names of each graph; the first is required, the rest are included when the model defines them. */
const graphOutputs: Record<Exclude<OnnxGraphKind, 'zeroshot'>, { required: string; optional: string[] }> = {
  image_tower: { required: 'image_embedding', optional: ['patch_embeddings'] },
  text_tower: { required: 'text_embedding', optional: ['token_embeddings'] },
  similarity_map: { required: 'similarity', optional: [] },
};

export interface GraphPlan {
  module: IrModule;
  outputs: { name: string; value: ValueId }[];
}

/** Plans the module and named outputs of one graph, or returns diagnostics when the model lacks what it needs. */
export function planGraph(module: IrModule, kind: OnnxGraphKind, zeroshot: ZeroShotOptions | undefined): GraphPlan | Diagnostic[] {
  if (kind === 'zeroshot') return planZeroShot(module, zeroshot);
  const { required, optional } = graphOutputs[kind];
  if (module.outputs[required] === undefined) {
    return [backendDiagnostic('TIER4002', `Graph '${kind}' needs the output '${required}', which model '${module.name}' does not define.`)];
  }
  const names = [required, ...optional.filter((name) => module.outputs[name] !== undefined)];
  return { module, outputs: names.map((name) => ({ name, value: module.outputs[name]! })) };
}

function planZeroShot(module: IrModule, options: ZeroShotOptions | undefined): GraphPlan | Diagnostic[] {
  const embedding = module.outputs.image_embedding;
  if (embedding === undefined) {
    return [backendDiagnostic('TIER4002', `Graph 'zeroshot' needs the output 'image_embedding', which model '${module.name}' does not define.`)];
  }
  const width = module.nodes[embedding]!.type.axes.at(-1)!.size;
  const problems: Diagnostic[] = [];
  if (!options || options.labels.length === 0) {
    problems.push(backendDiagnostic('TIER4006', `Graph 'zeroshot' needs at least one label with positive and negative prompt embeddings.`));
  } else {
    for (const label of options.labels) {
      for (const side of ['positive', 'negative'] as const) {
        if (label[side].length !== width) {
          problems.push(backendDiagnostic('TIER4006', `The ${side} prompt embedding of label '${label.name}' has ${label[side].length} values, but 'image_embedding' has width ${width}.`));
        }
      }
    }
  }
  if (problems.length > 0 || !options) return problems;
  const extended = withZeroShotHead(module, embedding, options);
  return { module: extended.module, outputs: [{ name: 'scores', value: extended.scores }] };
}

/**
 * Appends the scorer to a copy of `module`: the image embedding is L2-normalized, multiplied
 * with the normalized prompt embeddings [width, labels], and the two cosines combined by the rule.
 */
export function withZeroShotHead(module: IrModule, embedding: ValueId, options: ZeroShotOptions): { module: IrModule; scores: ValueId } {
  const copy: IrModule = { ...module, nodes: module.nodes.slice(), outputs: { ...module.outputs } };
  const source = module.nodes[embedding]!;
  const [batch, width] = source.type.axes as [NonNullable<(typeof source.type.axes)[0]>, NonNullable<(typeof source.type.axes)[0]>];
  const count = options.labels.length;
  const axisNames = new Map<number | string, string>([[batch.size, batch.name], [width.size, width.name], [count, 'label'], [1, 'one']]);
  const add = <K extends OpKind>(op: K, inputs: ValueId[], attrs: OpAttrs[K], sizes: (number | string)[], name: string): ValueId => {
    const axes = sizes.map((size) => ({ name: axisNames.get(size) ?? '', size }));
    const node = { op, inputs, attrs, type: { dtype: 'f32', axes }, name: `zeroshot.${name}` } as Node;
    if (source.span) node.span = source.span;
    copy.nodes.push(node);
    return copy.nodes.length - 1;
  };
  const promptMatrix = (side: 'positive' | 'negative'): number[] => {
    const matrix = new Array<number>(Number(width.size) * count).fill(0);
    options.labels.forEach((label, column) => {
      const norm = Math.sqrt(Array.from(label[side]).reduce((sum, v) => sum + v * v, 0)) || 1;
      for (let row = 0; row < label[side].length; row++) matrix[row * count + column] = label[side][row]! / norm;
    });
    return matrix;
  };
  const dims = [Number(width.size), count];
  const squares = add('mul', [embedding, embedding], {}, [batch.size, width.size], 'squares');
  const sum = add('reduce_sum', [squares], { axes: [1], keepDims: true }, [batch.size, 1], 'sum_squares');
  const floor = add('constant', [], { values: [1e-12], shape: [] }, [], 'norm_floor');
  const norm = add('maximum', [add('sqrt', [sum], {}, [batch.size, 1], 'norm'), floor], {}, [batch.size, 1], 'safe_norm');
  const unit = add('div', [embedding, norm], {}, [batch.size, width.size], 'image_unit');
  const positive = add('constant', [], { values: promptMatrix('positive'), shape: dims }, dims, 'positive');
  const negative = add('constant', [], { values: promptMatrix('negative'), shape: dims }, dims, 'negative');
  const cosPositive = add('matmul', [unit, positive], {}, [batch.size, count], 'cos_positive');
  const cosNegative = add('matmul', [unit, negative], {}, [batch.size, count], 'cos_negative');
  let scores = add('sub', [cosPositive, cosNegative], {}, [batch.size, count], 'difference');
  if (options.rule === 'softmax2') scores = add('sigmoid', [scores], {}, [batch.size, count], 'softmax2');
  copy.outputs.scores = scores;
  return { module: copy, scores };
}
