import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../../src/ir/index.js';
import type { ValueId } from '../../src/ir/index.js';
import { interpret } from '../../src/ir/interpret.js';
import { STDLIB_BLOCKS, expandBlock, infonceValue, learnableScale, quickGelu } from '../../src/stdlib/index.js';

type Feed = Record<string, { shape: number[]; data: number[] }>;

/** Declares f32 inputs with named axes, runs `build`, and evaluates output 'y' in the interpreter. */
function run(inputs: Record<string, { axes: [string, number][]; data: number[] }>, build: (b: IrBuilder, x: Record<string, ValueId>) => ValueId): number[] {
  const b = new IrBuilder('t');
  const values: Record<string, ValueId> = {};
  const feed: Feed = {};
  for (const [name, spec] of Object.entries(inputs)) {
    values[name] = b.input(name, 'scalar', { dtype: 'f32', axes: spec.axes.map(([axis, size]) => ({ name: axis, size })) });
    feed[name] = { shape: spec.axes.map(([, size]) => size), data: spec.data };
  }
  b.output('y', build(b, values));
  const module = b.finish();
  const weights = new Map(module.params.map((p) => [p.name, p.init.kind === 'constant' ? [p.init.value] : []]));
  return Array.from(interpret(module, { inputs: feed, weights, mode: 'inference', outputs: ['y'] })['y']!.data);
}

const block = (b: IrBuilder, name: string, options: Record<string, unknown>, inputs: Record<string, ValueId>, port = 'y') =>
  expandBlock(b, STDLIB_BLOCKS[name]!, options, inputs)[port]!;

describe('normalize', () => {
  it('scales to unit length', () => {
    const y = run({ x: { axes: [['row', 2], ['dim', 2]], data: [3, 4, 0, 0] } }, (b, v) => block(b, 'normalize', { over: 'dim' }, { x: v['x']! }));
    expect(y[0]).toBeCloseTo(0.6, 12);
    expect(y[1]).toBeCloseTo(0.8, 12);
    // A zero vector stays zero because the norm is clamped at eps.
    expect(y.slice(2)).toEqual([0, 0]);
  });
});

describe('mean', () => {
  it('masked mean over named axes', () => {
    const x = { axes: [['batch', 2], ['token', 3]] as [string, number][], data: [1, 2, 3, 4, 5, 6] };
    const mask = { axes: [['batch', 2], ['token', 3]] as [string, number][], data: [1, 1, 0, 1, 0, 0] };
    const y = run({ x, mask }, (b, v) => block(b, 'mean', { over: ['batch', 'token'] }, { x: v['x']!, mask: v['mask']! }));
    expect(y[0]).toBeCloseTo((1 + 2 + 4) / 3, 12);
  });

  it('mask broadcast along an axis', () => {
    // x [batch, token, patch] with a [batch, token] mask: the mean over token and patch of kept tokens.
    const x = { axes: [['batch', 1], ['token', 2], ['patch', 2]] as [string, number][], data: [1, 3, 10, 20] };
    const mask = { axes: [['batch', 1], ['token', 2]] as [string, number][], data: [1, 0] };
    const y = run({ x, mask }, (b, v) => block(b, 'mean', { over: ['token', 'patch'] }, { x: v['x']!, mask: v['mask']! }));
    expect(y).toEqual([2]);
  });
});

describe('softmax', () => {
  it('masked positions get zero', () => {
    const x = { axes: [['row', 2], ['key', 3]] as [string, number][], data: [0, Math.log(3), 5, 1, 2, 3] };
    const mask = { axes: [['row', 2], ['key', 3]] as [string, number][], data: [1, 1, 0, 0, 0, 0] };
    const y = run({ x, mask }, (b, v) => block(b, 'softmax', { over: 'key' }, { x: v['x']!, mask: v['mask']! }));
    expect(y[0]).toBeCloseTo(0.25, 12);
    expect(y[1]).toBeCloseTo(0.75, 12);
    expect(y[2]).toBe(0);
    // A fully masked row is uniform.
    for (const p of y.slice(3)) expect(p).toBeCloseTo(1 / 3, 12);
  });
});

describe('entropy', () => {
  it('uniform distribution gives ln n', () => {
    const p = { axes: [['row', 1], ['patch', 4]] as [string, number][], data: [0.25, 0.25, 0.25, 0.25] };
    const y = run({ p }, (b, v) => block(b, 'entropy', { over: 'patch', eps: 0 }, { p: v['p']! }));
    expect(y[0]).toBeCloseTo(Math.log(4), 12);
  });

  it('eps shifts every term', () => {
    const p = { axes: [['row', 1], ['k', 2]] as [string, number][], data: [1, 0] };
    const eps = 1e-7;
    const y = run({ p }, (b, v) => block(b, 'entropy', { over: 'k', eps }, { p: v['p']! }));
    expect(y[0]).toBeCloseTo(-((1 + eps) * Math.log(1 + eps) + eps * Math.log(eps)), 14);
  });

  it('masked zeros give no NaN', () => {
    const p = { axes: [['row', 1], ['k', 3]] as [string, number][], data: [0.5, 0.5, 0] };
    const mask = { axes: [['row', 1], ['k', 3]] as [string, number][], data: [1, 1, 0] };
    const y = run({ p, mask }, (b, v) => block(b, 'entropy', { over: 'k', eps: 0 }, { p: v['p']!, mask: v['mask']! }));
    expect(y[0]).toBeCloseTo(Math.log(2), 12);
  });
});

describe('infonce', () => {
  it('orthonormal pairs give log(1 + e^-s)', () => {
    const s = 3;
    const eye = { axes: [['batch', 2], ['dim', 2]] as [string, number][], data: [1, 0, 0, 1] };
    const y = run({ a: eye, c: eye }, (b, v) => infonceValue(b, v['a']!, v['c']!, b.scalar(s)));
    expect(y[0]).toBeCloseTo(Math.log(1 + Math.exp(-s)), 12);
  });

  it('is symmetric in its two directions', () => {
    // Rows of a and b: the loss averages CE(logits) and CE(logitsᵀ); swapping a and b transposes logits.
    const a = { axes: [['batch', 2], ['dim', 2]] as [string, number][], data: [1, 0, 0.6, 0.8] };
    const c = { axes: [['batch', 2], ['dim', 2]] as [string, number][], data: [0.8, 0.6, 0, 1] };
    const forward = run({ a, c }, (b, v) => block(b, 'infonce', { scale: 2 }, { a: v['a']!, b: v['c']! }, 'loss'));
    const backward = run({ a, c }, (b, v) => block(b, 'infonce', { scale: 2 }, { a: v['c']!, b: v['a']! }, 'loss'));
    expect(forward[0]).toBeCloseTo(backward[0]!, 12);
    // Closed form: logits = 2·[[0.8, 0], [0.96, 0.8]].
    const l = [[1.6, 0], [1.92, 1.6]];
    const ce = (row: number[], i: number) => Math.log(row.reduce((acc, v) => acc + Math.exp(v), 0)) - row[i]!;
    const rows = (ce(l[0]!, 0) + ce(l[1]!, 1)) / 2;
    const cols = (ce([l[0]![0]!, l[1]![0]!], 0) + ce([l[0]![1]!, l[1]![1]!], 1)) / 2;
    expect(forward[0]).toBeCloseTo((rows + cols) / 2, 12);
  });

  it('learnable scale starts at the given value', () => {
    const y = run({}, (b) => learnableScale(b, { init: 1 / 0.07, max: 100 }));
    expect(y[0]).toBeCloseTo(1 / 0.07, 10);
  });
});

describe('activations', () => {
  const x = { axes: [['n', 3]] as [string, number][], data: [-1, 0, 2] };

  it('gelu is exact by default', () => {
    const y = run({ x }, (b, v) => block(b, 'gelu', {}, { x: v['x']! }));
    // Φ(-1) = 0.15865525393145707, Φ(2) = 0.9772498680518208.
    expect(y[0]).toBeCloseTo(-0.15865525393145707, 10);
    expect(y[2]).toBeCloseTo(2 * 0.9772498680518208, 10);
  });

  it('quick_gelu is x sigmoid(1.702x)', () => {
    const y = run({ x }, (b, v) => quickGelu(b, v['x']!));
    expect(y[2]).toBeCloseTo(2 / (1 + Math.exp(-3.404)), 12);
  });
});

describe('entropy axis', () => {
  it('defaults to the softmax axis', () => {
    // softmax over 'key' of equal scores is uniform over 3 keys: entropy ln 3 per row.
    const x = { axes: [['row', 2], ['key', 3]] as [string, number][], data: [1, 1, 1, 2, 2, 2] };
    const y = run({ x }, (b, v) => {
      const p = block(b, 'softmax', { over: 'key' }, { x: v['x']! });
      return block(b, 'entropy', { eps: 0 }, { p });
    });
    expect(y).toHaveLength(2);
    expect(y[0]).toBeCloseTo(Math.log(3), 12);
  });

  it('needs over without a softmax', () => {
    const b = new IrBuilder('e');
    const p = b.input('p', 'scalar', { dtype: 'f32', axes: [{ name: 'k', size: 2 }] });
    expect(() => block(b, 'entropy', {}, { p })).toThrow("'entropy' needs option 'over' because its input does not come straight from a softmax.");
  });
});
