import { describe, expect, it } from 'vitest';
import { IrBuilder, countFlops, countParams } from '../../src/ir/index.js';

describe('countFlops', () => {
  it('counts each op kind by its rule', () => {
    const b = new IrBuilder('f');
    b.symbol('batch');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: ['batch', 4, 6] });
    const w = b.param({ name: 'w', shape: [6, 5], init: { kind: 'zeros' } });
    const y = b.matmul(x, w, { name: 'head.proj' });
    const z = b.add(b.exp(y), y);
    const s = b.softmax(z, 2);
    const scale = b.param({ name: 'ln.weight', shape: [5], init: { kind: 'ones' } });
    const n = b.layerNorm(s, scale, undefined, { axis: 2, eps: 1e-5 });
    b.output('m', b.reduceMean(n, [1]));
    const flops = countFlops(b.finish(), { batch: 3 });
    const elements = 3 * 4 * 5;
    expect(flops.byOp).toEqual({
      matmul: 2 * 3 * 4 * 6 * 5,
      exp: elements,
      add: elements,
      softmax: 3 * elements,
      layer_norm: 5 * elements,
      reduce_mean: elements,
    });
    expect(flops.byComponent['head']).toBe(2 * 3 * 4 * 6 * 5);
  });

  it('counts conv, bias and pooling', () => {
    const b = new IrBuilder('c');
    const x = b.input('x', 'image', { dtype: 'f32', axes: [1, 2, 8, 8] });
    const w = b.param({ name: 'w', shape: [4, 2, 3, 3], init: { kind: 'zeros' } });
    const bias = b.param({ name: 'b', shape: [4], init: { kind: 'zeros' } });
    const c = b.conv2d(x, w, { pads: [1, 1, 1, 1] }, bias);
    b.output('p', b.maxPool2d(c, { kernel: [2, 2] }));
    const flops = countFlops(b.finish(), {});
    expect(flops.byOp.conv2d).toBe(4 * 8 * 8 * (2 * 2 * 9) + 4 * 8 * 8);
    expect(flops.byOp.max_pool2d).toBe(4 * 4 * 4 * 4);
  });

  it('needs every symbol size', () => {
    const b = new IrBuilder('s');
    b.symbol('batch');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: ['batch', 2] });
    b.output('y', b.relu(x));
    expect(() => countFlops(b.finish(), {})).toThrow("No size given for symbol 'batch'; pass it in the sizes argument.");
  });
});

describe('countParams', () => {
  it('splits trainable, frozen and buffers by component', () => {
    const b = new IrBuilder('p');
    b.scope('image', () => {
      b.param({ name: 'a', shape: [2, 3], init: { kind: 'zeros' } });
      b.param({ name: 'frozen', shape: [4], init: { kind: 'zeros' }, trainable: false });
      b.param({ name: 'running_mean', shape: [5], role: 'buffer', init: { kind: 'zeros' } });
    });
    b.param({ name: 'logit_scale', shape: [], init: { kind: 'zeros' } });
    const counts = countParams(b.finish());
    expect(counts).toEqual({
      total: 11,
      trainable: 7,
      buffers: 5,
      components: { image: { total: 10, trainable: 6, buffers: 5 }, logit_scale: { total: 1, trainable: 1, buffers: 0 } },
    });
  });
});
