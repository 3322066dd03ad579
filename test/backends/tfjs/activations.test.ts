// The activation estimate of the wasm memory check, on hand-built IR modules whose byte counts
// follow from their shapes.
import { describe, expect, it } from 'vitest';
import { activationBytes } from '../../../src/backends/tfjs/activations.js';
import type { Axis, IrModule, Node, Param } from '../../../src/ir/types.js';

const batch: Axis = { name: 'batch', size: 'batch' };
const token: Axis = { name: 'token', size: 'token' };
const dim = (size: number): Axis => ({ name: 'dim', size });

function node(op: Node['op'], inputs: number[], axes: Axis[], attrs: object = {}, dtype: 'f32' | 'bool' = 'f32'): Node {
  return { op, inputs, attrs, type: { dtype, axes } } as Node;
}

function module(nodes: Node[], loss: number, trainable: boolean): IrModule {
  const weight: Param = { name: 'w', dtype: 'f32', shape: [3, 2], axisNames: ['in', 'out'], role: 'weight', trainable, init: { kind: 'zeros' }, component: 'head' };
  return {
    name: 'm', symbols: [{ name: 'batch' }, { name: 'token', max: 5 }], params: [weight],
    inputs: [{ name: 'x', role: 'image', type: { dtype: 'f32', axes: [batch, token, dim(3)] } }],
    nodes, outputs: {}, losses: [{ name: 'l', value: loss, weight: { kind: 'constant', value: 1 } }], clamps: [],
  };
}

// Bytes by node, with token at its maximum of 5; a float value computed from the trainable
// weight counts twice, once for its gradient.
const NODES = [
  node('input', [], [batch, token, dim(3)], { input: 0 }),          // 0: 4·5·3 = 60 per row, no gradient
  node('param', [], [dim(3), dim(2)], { param: 0 }),                // 1: the weight, counted as a parameter
  node('transpose', [1], [dim(2), dim(3)], { perm: [1, 0] }),       // 2: 4·2·3 = 24, and 24 of gradient
  node('matmul', [0, 1], [batch, token, dim(2)]),                   // 3: 4·5·2 = 40 per row, and 40 of gradient
  node('reshape', [3], [batch, dim(10)], { shape: ['batch', 10] }), // 4: a view, not counted
  node('matmul', [4, 4], [batch, batch]),                           // 5: 4 per row², and 4 of gradient
  node('greater', [5, 5], [batch, batch], {}, 'bool'),              // 6: 1 per row², no gradient
  node('cast', [6], [batch, batch], { to: 'f32' }),                 // 7: 4 per row², and 4 of gradient
  node('reduce_mean', [7, 2], [], { axes: [0, 1], keepDims: false }), // 8: the loss, 4 and 4 of gradient
  node('exp', [0], [batch, token, dim(3)]),                         // 9: read by no loss
];

describe('activation estimate', () => {
  it('counts values and gradients by power of the batch', () => {
    expect(activationBytes(module(NODES, 8, true))).toEqual([24 * 2 + 4 * 2, 60 + 40 * 2, 4 * 2 + 1 + 4 * 2]);
  });

  it('counts no gradients below frozen weights', () => {
    expect(activationBytes(module(NODES, 8, false))).toEqual([24 + 4, 60 + 40, 4 + 1 + 4]);
  });
});
