// The activation estimate of the wasm memory check, on a hand-built IR module whose byte counts
// follow from its shapes.
import { describe, expect, it } from 'vitest';
import { activationBytes } from '../../../src/backends/tfjs/activations.js';
import type { Axis, IrModule, Node } from '../../../src/ir/types.js';

const batch: Axis = { name: 'batch', size: 'batch' };
const token: Axis = { name: 'token', size: 'token' };
const dim = (size: number): Axis => ({ name: 'dim', size });

function node(op: Node['op'], inputs: number[], axes: Axis[], attrs: object = {}, dtype: 'f32' | 'bool' = 'f32'): Node {
  return { op, inputs, attrs, type: { dtype, axes } } as Node;
}

function module(nodes: Node[], loss: number): IrModule {
  return {
    name: 'm', symbols: [{ name: 'batch' }, { name: 'token', max: 5 }], params: [],
    inputs: [{ name: 'x', role: 'image', type: { dtype: 'f32', axes: [batch, token, dim(3)] } }],
    nodes, outputs: {}, losses: [{ name: 'l', value: loss, weight: { kind: 'constant', value: 1 } }], clamps: [],
  };
}

describe('activation estimate', () => {
  it('sums what the loss reads, by power of the batch', () => {
    const nodes = [
      node('input', [], [batch, token, dim(3)], { input: 0 }),        // 0: 4·5·3 = 60 bytes per row
      node('param', [], [dim(3), dim(2)], { param: 0 }),              // 1: a weight, not counted
      node('transpose', [1], [dim(2), dim(3)], { perm: [1, 0] }),     // 2: no batch axis, not counted
      node('matmul', [0, 1], [batch, token, dim(2)]),                 // 3: 4·5·2 = 40 per row
      node('reshape', [3], [batch, dim(10)], { shape: ['batch', 10] }), // 4: a view, not counted
      node('matmul', [4, 4], [batch, batch]),                         // 5: 4 bytes per row²
      node('greater', [5, 5], [batch, batch], {}, 'bool'),            // 6: 1 byte per row²
      node('reduce_mean', [6], [], { axes: [0, 1], keepDims: false }), // 7: the scalar loss
      node('exp', [0], [batch, token, dim(3)]),                       // 8: read by no loss
    ];
    expect(activationBytes(module(nodes, 7))).toEqual([0, 100, 5]);
  });

  it('is empty when the loss reads no batch value', () => {
    const nodes = [node('param', [], [dim(3)], { param: 0 }), node('reduce_sum', [0], [], { axes: [0], keepDims: false })];
    expect(activationBytes(module(nodes, 1))).toEqual([]);
  });
});
