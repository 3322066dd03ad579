// The reference interpreter against closed forms, on modules written out node by node.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../src/ir/interpret.js';
import { erf, geluExact, geluTanh } from '../../src/ir/interpreter/special.js';
import type { Axis, DType, IrModule, Node, OpAttrs, OpKind, Param } from '../../src/ir/types.js';

/** A module under construction: each call appends one node and returns its value id. */
class Sketch {
  module: IrModule = { name: 'sketch', symbols: [], inputs: [], params: [], nodes: [], outputs: {}, losses: [], clamps: [] };

  node<K extends OpKind>(op: K, inputs: number[], attrs: OpAttrs[K], shape: (number | string)[], dtype: DType = 'f32'): number {
    const axes: Axis[] = shape.map((size, i) => ({ name: `a${i}`, size }));
    this.module.nodes.push({ op, inputs, attrs, type: { dtype, axes } } as Node);
    return this.module.nodes.length - 1;
  }

  input(name: string, shape: (number | string)[], dtype: DType = 'f32'): number {
    const axes = shape.map((size, i) => ({ name: `a${i}`, size }));
    this.module.inputs.push({ name, role: 'image', type: { dtype, axes } });
    return this.node('input', [], { input: this.module.inputs.length - 1 }, shape, dtype);
  }

  param(name: string, shape: number[]): number {
    const param: Param = { name, dtype: 'f32', shape, axisNames: shape.map((_, i) => `p${i}`), role: 'weight', trainable: true, init: { kind: 'zeros' }, component: 'test' };
    this.module.params.push(param);
    return this.node('param', [], { param: this.module.params.length - 1 }, shape);
  }

  constant(values: number[], shape: number[], dtype: DType = 'f32'): number {
    return this.node('constant', [], { values, shape }, shape, dtype);
  }

  run(outputs: Record<string, number>, inputs: Record<string, { shape: number[]; data: number[] }> = {}, weights: Record<string, number[]> = {}, mode: 'inference' | 'training' = 'inference') {
    this.module.outputs = outputs;
    return interpret(this.module, { inputs, weights: new Map(Object.entries(weights)), mode, outputs: Object.keys(outputs) });
  }
}

function values(tensor: { data: ArrayLike<number> }): number[] {
  return Array.from(tensor.data);
}

describe('special functions', () => {
  it('erf matches tabulated values', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 14);
    expect(erf(2)).toBeCloseTo(0.9953222650189527, 14);
    expect(erf(-3)).toBeCloseTo(-0.9999779095030014, 14);
    expect(erf(7)).toBe(1);
  });

  it('gelu forms at one', () => {
    expect(geluExact(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(geluTanh(1)).toBeCloseTo(0.8411919906082768, 14);
    expect(geluExact(-1)).toBeCloseTo(-0.15865525393145707, 14);
  });
});

describe('interpret', () => {
  it('broadcasts binary ops by position', () => {
    const s = new Sketch();
    const a = s.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = s.constant([10, 20, 30], [3]);
    const sum = s.node('add', [a, b], {}, [2, 3]);
    const out = s.run({ sum });
    expect(out.sum!.shape).toEqual([2, 3]);
    expect(values(out.sum!)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('softmax along an inner axis', () => {
    const s = new Sketch();
    const x = s.constant([1, 0, 2, 0, 3, 0], [3, 2]);
    const y = s.node('softmax', [x], { axis: 0 }, [3, 2]);
    const out = values(s.run({ y }).y!);
    const expected = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
    expected.forEach((p, i) => expect(out[i * 2]).toBeCloseTo(p, 14));
    [1, 3, 5].forEach((i) => expect(out[i]).toBeCloseTo(1 / 3, 14));
  });

  it('log_softmax equals log of softmax', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3], [3]);
    const y = s.node('log_softmax', [x], { axis: 0 }, [3]);
    expect(values(s.run({ y }).y!)[2]).toBeCloseTo(Math.log(0.6652409557748219), 14);
  });

  it('batched matmul broadcasts leading axes', () => {
    const s = new Sketch();
    const a = s.constant([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = s.constant([1, 0, 1, 1], [2, 2]);
    const y = s.node('matmul', [a, b], {}, [2, 2, 2]);
    expect(values(s.run({ y }).y!)).toEqual([3, 2, 7, 4, 11, 6, 15, 8]);
  });

  it('matmul keeps IEEE semantics for zero times infinity', () => {
    const s = new Sketch();
    const a = s.constant([0, 1], [1, 2]);
    const b = s.constant([Infinity, 2], [2, 1]);
    const y = s.node('matmul', [a, b], {}, [1, 1]);
    expect(values(s.run({ y }).y!)).toEqual([NaN]);
  });

  it('reductions keep or drop axes', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    const sum = s.node('reduce_sum', [x], { axes: [1], keepDims: false }, [2]);
    const mean = s.node('reduce_mean', [x], { axes: [0], keepDims: true }, [1, 3]);
    const max = s.node('reduce_max', [x], { axes: [0, 1], keepDims: false }, []);
    const out = s.run({ sum, mean, max });
    expect(values(out.sum!)).toEqual([6, 15]);
    expect(values(out.mean!)).toEqual([2.5, 3.5, 4.5]);
    expect(out.max!.shape).toEqual([]);
    expect(values(out.max!)).toEqual([6]);
  });

  it('conv2d with padding counts covered cells', () => {
    const s = new Sketch();
    const x = s.input('x', [1, 1, 3, 3]);
    const w = s.param('w', [1, 1, 2, 2]);
    const y = s.node('conv2d', [x, w], { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], groups: 1 }, [1, 1, 4, 4]);
    const out = s.run({ y }, { x: { shape: [1, 1, 3, 3], data: new Array(9).fill(1) } }, { w: [1, 1, 1, 1] });
    expect(values(out.y!)).toEqual([1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1]);
  });

  it('grouped strided conv2d with bias', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
    const w = s.constant([1, 1, 1, 1, 2, 0, 0, 2], [2, 1, 2, 2]);
    const b = s.constant([0.5, -1], [2]);
    const y = s.node('conv2d', [x, w, b], { strides: [2, 2], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 2 }, [1, 2, 1, 1]);
    expect(values(s.run({ y }).y!)).toEqual([10.5, 99]);
  });

  it('max_pool2d ignores padding', () => {
    const s = new Sketch();
    const x = s.constant([-1, -2, -3, -4], [1, 1, 2, 2]);
    const y = s.node('max_pool2d', [x], { kernel: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0] }, [1, 1, 2, 2]);
    expect(values(s.run({ y }).y!)).toEqual([-1, -1, -1, -1]);
  });

  it('batch_norm uses running stats in inference and batch stats in training', () => {
    const s = new Sketch();
    const x = s.input('x', [2, 1, 1, 1]);
    const scale = s.constant([2], [1]);
    const bias = s.constant([1], [1]);
    const mean = s.constant([1], [1]);
    const variance = s.constant([4], [1]);
    const y = s.node('batch_norm', [x, scale, bias, mean, variance], { eps: 0, momentum: 0.1 }, [2, 1, 1, 1]);
    const feed = { x: { shape: [2, 1, 1, 1], data: [3, 5] } };
    expect(values(s.run({ y }, feed).y!)).toEqual([3, 5]);
    // Batch mean 4, biased variance 1.
    expect(values(s.run({ y }, feed, {}, 'training').y!)).toEqual([-1, 3]);
  });

  it('layer_norm over the last axis', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3, 4], [1, 4]);
    const scale = s.constant([1, 1, 1, 2], [4]);
    const bias = s.constant([0, 0, 0, 1], [4]);
    const y = s.node('layer_norm', [x, scale, bias], { axis: 1, eps: 1e-5 }, [1, 4]);
    const out = values(s.run({ y }).y!);
    const deviation = Math.sqrt(1.25 + 1e-5);
    expect(out[0]).toBeCloseTo(-1.5 / deviation, 14);
    expect(out[3]).toBeCloseTo((2 * 1.5) / deviation + 1, 14);
  });

  it('reshape resolves symbols from inputs', () => {
    const s = new Sketch();
    const x = s.input('x', ['batch', 2, 3]);
    const y = s.node('reshape', [x], { shape: ['batch', 6] }, ['batch', 6]);
    const z = s.node('reshape', [x], { shape: ['batch*2', 3] }, ['batch*2', 3]);
    const out = s.run({ y, z }, { x: { shape: [2, 2, 3], data: Array.from({ length: 12 }, (_, i) => i) } });
    expect(out.y!.shape).toEqual([2, 6]);
    expect(out.z!.shape).toEqual([4, 3]);
  });

  it('transpose, slice, concat and unsqueeze move data', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3, 4, 5, 6], [2, 3]);
    const t = s.node('transpose', [x], { perm: [1, 0] }, [3, 2]);
    const part = s.node('slice', [x], { axis: 1, start: 1, end: 3 }, [2, 2]);
    const joined = s.node('concat', [x, part], { axis: 1 }, [2, 5]);
    const lifted = s.node('unsqueeze', [x], { axes: [0, 2] }, [1, 2, 1, 3]);
    const out = s.run({ t, part, joined, lifted });
    expect(values(out.t!)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(values(out.part!)).toEqual([2, 3, 5, 6]);
    expect(values(out.joined!)).toEqual([1, 2, 3, 2, 3, 4, 5, 6, 5, 6]);
    expect(out.lifted!.shape).toEqual([1, 2, 1, 3]);
  });

  it('gather, one_hot, range_like and eye_like', () => {
    const s = new Sketch();
    const table = s.constant([0, 1, 10, 11, 20, 21], [3, 2]);
    const ids = s.input('ids', [2], 'i32');
    const rows = s.node('gather', [table, ids], {}, [2, 2]);
    const hot = s.node('one_hot', [ids, table], { axis: 0 }, [2, 3]);
    const steps = s.node('range_like', [table], { axis: 0 }, [3], 'i32');
    const square = s.constant([0, 0, 0, 0], [2, 2]);
    const eye = s.node('eye_like', [square], {}, [2, 2]);
    const out = s.run({ rows, hot, steps, eye }, { ids: { shape: [2], data: [2, 0] } });
    expect(values(out.rows!)).toEqual([20, 21, 0, 1]);
    expect(values(out.hot!)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(values(out.steps!)).toEqual([0, 1, 2]);
    expect(out.steps!.data).toBeInstanceOf(Int32Array);
    expect(values(out.eye!)).toEqual([1, 0, 0, 1]);
  });

  it('comparisons, where, cast and clip', () => {
    const s = new Sketch();
    const x = s.constant([-2, 0.5, 3], [3]);
    const zero = s.constant([0], []);
    const positive = s.node('greater', [x, zero], {}, [3], 'bool');
    const picked = s.node('where', [positive, x, zero], {}, [3]);
    const truncated = s.node('cast', [x], { to: 'i32' }, [3], 'i32');
    const clipped = s.node('clip', [x], { min: -1 }, [3]);
    const out = s.run({ positive, picked, truncated, clipped });
    expect(values(out.positive!)).toEqual([0, 1, 1]);
    expect(values(out.picked!)).toEqual([0, 0.5, 3]);
    expect(values(out.truncated!)).toEqual([-2, 0, 3]);
    expect(values(out.clipped!)).toEqual([-1, 0.5, 3]);
  });

  it('dropout is the identity in inference', () => {
    const s = new Sketch();
    const x = s.constant([1, 2, 3, 4], [4]);
    const y = s.node('dropout', [x], { rate: 0.5 }, [4]);
    expect(values(s.run({ y }).y!)).toEqual([1, 2, 3, 4]);
    const dropped = values(s.run({ y }, {}, {}, 'training').y!);
    dropped.forEach((v, i) => expect([0, 2 * (i + 1)]).toContain(v));
  });

  it('evaluates only what the outputs need', () => {
    const s = new Sketch();
    const unused = s.param('missing', [2]);
    const x = s.constant([1], [1]);
    const y = s.node('exp', [x], {}, [1]);
    s.node('neg', [unused], {}, [2]);
    expect(values(s.run({ y }).y!)[0]).toBeCloseTo(Math.E, 14);
  });

  it('rejects a computed shape that differs from the type', () => {
    const s = new Sketch();
    const x = s.constant([1, 2], [2]);
    const y = s.node('neg', [x], {}, [3]);
    expect(() => s.run({ y })).toThrow(/computed shape \[2\] but its type is \[3\]/);
  });

  it('rejects an input of the wrong rank', () => {
    const s = new Sketch();
    const x = s.input('x', ['batch', 2]);
    expect(() => s.run({ x }, { x: { shape: [2], data: [1, 2] } })).toThrow(/input 'x' has shape \[2\]/);
  });
});
