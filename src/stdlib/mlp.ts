// The `mlp` block: a stack of linear layers with an activation (and optional dropout)
// between them, named `fc1`, `fc2`, … as timm's Mlp.
import { ACTIVATIONS, activation, maybeDropout } from './activations.js';
import type { ActivationKind } from './activations.js';
import { defineBlock, requireInput } from './block.js';
import { lastSize, linearLayer } from './layers.js';
import { BlockError } from './options.js';

export interface MlpOptions {
  in: number | null;
  hidden: number;
  out: number | null;
  layers: number;
  act: ActivationKind;
  bias: boolean;
  dropout: number;
}

export const mlp = defineBlock<MlpOptions>({
  name: 'mlp',
  doc: 'Linear layers fc1 … fcN over the last axis with an activation and dropout after each but the last.',
  options: {
    in: { type: 'int', default: null, min: 1, doc: 'input width; defaults to the size of the last axis' },
    hidden: { type: 'int', min: 1, doc: 'width of every hidden layer' },
    out: { type: 'int', default: null, min: 1, doc: 'output width; defaults to the input width' },
    layers: { type: 'int', default: 2, min: 1, doc: 'number of linear layers' },
    act: { type: 'enum', values: ACTIVATIONS, default: 'gelu', doc: 'activation between layers' },
    bias: { type: 'bool', default: true, doc: 'learned biases' },
    dropout: { type: 'number', default: 0, min: 0, below: 1, doc: 'dropout after each activation' },
  },
  inputs: [{ name: 'x', type: 'f32[..., in]', doc: 'values' }],
  outputs: [{ name: 'y', type: 'f32[..., out]', doc: 'values' }],
  expand(b, o, inputs) {
    let x = requireInput('mlp', inputs, 'x');
    const width = lastSize(b, x, 'mlp');
    if (o.in !== null && o.in !== width) throw new BlockError('mlp', `'mlp' expects input width ${o.in}, but its input has ${width}.`, 'in');
    const out = o.out ?? width;
    for (let i = 1; i <= o.layers; i++) {
      const last = i === o.layers;
      x = linearLayer(b, x, { name: `fc${i}`, inFeatures: i === 1 ? width : o.hidden, outFeatures: last ? out : o.hidden, bias: o.bias });
      if (!last) x = maybeDropout(b, activation(b, x, o.act), o.dropout);
    }
    return { y: x };
  },
});
