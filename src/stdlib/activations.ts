// Activation functions and dropout, as builder helpers and as blocks.
//
// `gelu` is the exact form x·Φ(x) by default (torch.nn.GELU()); `approximate: tanh` selects
// the tanh approximation. `quick_gelu` is x·sigmoid(1.702·x), the approximation OpenAI's CLIP
// trained with; it is cheap on backends where erf and tanh are slow.
import type { IrBuilder, ValueId } from '../ir/index.js';
import { defineBlock, requireInput } from './block.js';

export type ActivationKind = 'relu' | 'gelu' | 'gelu_tanh' | 'quick_gelu';

export const ACTIVATIONS: readonly ActivationKind[] = ['relu', 'gelu', 'gelu_tanh', 'quick_gelu'];

/** x·sigmoid(1.702·x). */
export function quickGelu(b: IrBuilder, x: ValueId, name = 'quick_gelu'): ValueId {
  const scaled = b.mul(x, b.scalar(1.702), { name: `${name}.scale` });
  return b.mul(x, b.sigmoid(scaled, { name: `${name}.sigmoid` }), { name });
}

/** Applies one activation by kind. */
export function activation(b: IrBuilder, x: ValueId, kind: ActivationKind): ValueId {
  switch (kind) {
    case 'relu': return b.relu(x, { name: 'relu' });
    case 'gelu': return b.gelu(x, 'none', { name: 'gelu' });
    case 'gelu_tanh': return b.gelu(x, 'tanh', { name: 'gelu' });
    case 'quick_gelu': return quickGelu(b, x);
  }
}

/** Dropout that emits nothing at rate 0, so inference graphs stay free of identity nodes. */
export function maybeDropout(b: IrBuilder, x: ValueId, rate: number, name = 'dropout'): ValueId {
  return rate > 0 ? b.dropout(x, rate, { name }) : x;
}

const port = { name: 'x', type: 'f32[...]', doc: 'values' } as const;
const result = { name: 'y', type: 'same as x', doc: 'activated values' } as const;

export const relu = defineBlock<{}>({
  name: 'relu',
  doc: 'max(x, 0).',
  options: {},
  inputs: [port],
  outputs: [result],
  expand: (b, _o, inputs) => ({ y: b.relu(requireInput('relu', inputs, 'x'), { name: 'relu' }) }),
});

export const gelu = defineBlock<{ approximate: 'none' | 'tanh' }>({
  name: 'gelu',
  doc: 'x·Φ(x) with the erf form, or the tanh approximation.',
  options: { approximate: { type: 'enum', values: ['none', 'tanh'], default: 'none', doc: "'none' for the exact erf form, 'tanh' for the approximation" } },
  inputs: [port],
  outputs: [result],
  expand: (b, o, inputs) => ({ y: b.gelu(requireInput('gelu', inputs, 'x'), o.approximate, { name: 'gelu' }) }),
});

export const quick_gelu = defineBlock<{}>({
  name: 'quick_gelu',
  doc: 'x·sigmoid(1.702·x), as OpenAI CLIP.',
  options: {},
  inputs: [port],
  outputs: [result],
  expand: (b, _o, inputs) => ({ y: quickGelu(b, requireInput('quick_gelu', inputs, 'x')) }),
});

export const dropout = defineBlock<{ rate: number }>({
  name: 'dropout',
  doc: 'Inverted dropout while training, identity in inference. Rate 0 emits no node.',
  options: { rate: { type: 'number', default: 0.1, min: 0, below: 1, doc: 'probability of zeroing an element' } },
  inputs: [port],
  outputs: [result],
  expand: (b, o, inputs) => ({ y: maybeDropout(b, requireInput('dropout', inputs, 'x'), o.rate) }),
});
