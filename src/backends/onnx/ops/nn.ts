// Lowering of convolution, pooling and normalization. Batch norm is emitted in inference
// form with running statistics; LayerNormalization is native from opset 17 and below that
// the exact decomposition with biased variance. Dropout is the identity in inference.
import { reduceWithAxes } from './reduce.js';
import { rule, type LowerContext, type LoweringRule } from './types.js';

const conv2d = rule('conv2d', {
  since: 13,
  emits: ['Conv'],
  lower: (c) => {
    const weightDims = c.inputTypes[1]!.dims as number[];
    return c.graph.node('Conv', c.inputs, {
      dilations: c.attrs.dilations,
      group: c.attrs.groups,
      kernel_shape: weightDims.slice(2),
      pads: c.attrs.pads,
      strides: c.attrs.strides,
    });
  },
});

const maxPool2d = rule('max_pool2d', {
  since: 13,
  emits: ['MaxPool'],
  lower: (c) => c.graph.node('MaxPool', c.inputs, { kernel_shape: c.attrs.kernel, pads: c.attrs.pads, strides: c.attrs.strides }),
});

const batchNorm = rule('batch_norm', {
  since: 13,
  emits: ['BatchNormalization'],
  lower: (c) => c.graph.node('BatchNormalization', c.inputs, { epsilon: { float: c.attrs.eps } }),
});

/** (x − mean) / √(var + eps) · scale + bias over the trailing axes, with ReduceMean. */
function layerNormDecomposed(c: LowerContext<'layer_norm'>): string {
  const g = c.graph;
  const [x, scale, bias] = c.inputs as [string, string, string | undefined];
  const rank = c.inputTypes[0]!.dims.length;
  const axes = Array.from({ length: rank - c.attrs.axis }, (_, i) => c.attrs.axis + i);
  const centered = g.node('Sub', [x, reduceWithAxes(g, 'ReduceMean', x, axes, true)]);
  const variance = reduceWithAxes(g, 'ReduceMean', g.node('Mul', [centered, centered]), axes, true);
  const deviation = g.node('Sqrt', [g.node('Add', [variance, g.scalar(c.attrs.eps)])]);
  const scaled = g.node('Mul', [g.node('Div', [centered, deviation]), scale]);
  return bias === undefined ? scaled : g.node('Add', [scaled, bias]);
}

const layerNorm = rule(
  'layer_norm',
  { since: 13, emits: ['ReduceMean', 'Sub', 'Mul', 'Add', 'Sqrt', 'Div'], lower: layerNormDecomposed },
  {
    since: 17,
    emits: ['LayerNormalization'],
    lower: (c) => c.graph.node('LayerNormalization', c.inputs, { axis: c.attrs.axis, epsilon: { float: c.attrs.eps } }),
  },
);

export const nnRules: LoweringRule[] = [conv2d, maxPool2d, batchNorm, layerNorm] as LoweringRule[];
