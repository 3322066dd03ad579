// Seeded parameter initialization: determinism, independence between parameters, and the
// moments and bounds of each distribution.
import { describe, expect, it } from 'vitest';
import { fans, initializeParam, initializeParams } from '../../src/ir/init.js';
import type { Initializer, IrModule, Param } from '../../src/ir/types.js';

function param(name: string, shape: number[], init: Initializer): Param {
  return { name, dtype: 'f32', shape, axisNames: shape.map((_, i) => `d${i}`), role: 'weight', trainable: true, init, component: 'test' };
}

function moduleOf(params: Param[]): IrModule {
  return { name: 'm', symbols: [], inputs: [], params, nodes: [], outputs: {}, losses: [], clamps: [] };
}

function moments(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length), min: Math.min(...values), max: Math.max(...values) };
}

describe('initializeParams', () => {
  it('gives identical values for the same seed', () => {
    const m = moduleOf([param('a', [4, 4], { kind: 'normal', mean: 0, std: 1 })]);
    expect(initializeParams(m, 7).get('a')).toEqual(initializeParams(m, 7).get('a'));
    expect(initializeParams(m, 8).get('a')).not.toEqual(initializeParams(m, 7).get('a'));
  });

  it('keeps a parameter unchanged when another is added', () => {
    const a = param('a', [16], { kind: 'uniform', low: 0, high: 1 });
    const b = param('b', [16], { kind: 'uniform', low: 0, high: 1 });
    expect(initializeParams(moduleOf([b, a]), 1).get('a')).toEqual(initializeParams(moduleOf([a]), 1).get('a'));
  });

  it('constant kinds fill exactly', () => {
    expect(Array.from(initializeParam(param('z', [3], { kind: 'zeros' }), 0))).toEqual([0, 0, 0]);
    expect(Array.from(initializeParam(param('o', [2], { kind: 'ones' }), 0))).toEqual([1, 1]);
    expect(Array.from(initializeParam(param('c', [2], { kind: 'constant', value: 2.5 }), 0))).toEqual([2.5, 2.5]);
  });

  it('normal has the requested moments', () => {
    const stats = moments(initializeParam(param('n', [20000], { kind: 'normal', mean: 1, std: 0.02 }), 3));
    expect(stats.mean).toBeCloseTo(1, 3);
    expect(stats.std).toBeGreaterThan(0.0194);
    expect(stats.std).toBeLessThan(0.0206);
  });

  it('truncated normal stays within the bound', () => {
    const stats = moments(initializeParam(param('t', [20000], { kind: 'normal', mean: 0, std: 1, truncate: 2 }), 3));
    expect(stats.min).toBeGreaterThanOrEqual(-2);
    expect(stats.max).toBeLessThanOrEqual(2);
    // The standard deviation of a standard normal truncated at ±2 is 0.8796.
    expect(stats.std).toBeCloseTo(0.8796, 2);
  });

  it('kaiming_normal uses fan_out of a convolution', () => {
    const shape = [64, 32, 3, 3];
    expect(fans(shape)).toEqual({ fanIn: 288, fanOut: 576 });
    const stats = moments(initializeParam(param('k', shape, { kind: 'kaiming_normal', fan: 'out', gain: Math.SQRT2 }), 5));
    expect(stats.std).toBeCloseTo(Math.sqrt(2 / 576), 3);
  });

  it('torch_default is bounded by one over root fan_in', () => {
    const stats = moments(initializeParam(param('w', [100, 64], { kind: 'torch_default', fanIn: 64, role: 'weight' }), 9));
    expect(stats.max).toBeLessThanOrEqual(0.125);
    expect(stats.min).toBeGreaterThanOrEqual(-0.125);
    expect(stats.std).toBeCloseTo(0.125 / Math.sqrt(3), 3);
  });

  it('xavier_uniform is bounded by the Glorot limit', () => {
    const stats = moments(initializeParam(param('x', [30, 20], { kind: 'xavier_uniform' }), 2));
    expect(stats.max).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expect(stats.max).toBeGreaterThan(0.9 * Math.sqrt(6 / 50));
  });
});
