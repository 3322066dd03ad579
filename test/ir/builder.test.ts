import { describe, expect, it } from 'vitest';
import { IrBuilder, ShapeError, formatType } from '../../src/ir/index.js';

function tokensBuilder() {
  const b = new IrBuilder('m');
  const batch = b.symbol('batch');
  const token = b.symbol('token', 128);
  const x = b.input('x', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: batch }, { name: 'token', size: token }, { name: 'dim', size: 128 }] });
  return { b, x };
}

function expectShapeError(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ShapeError);
    return error as ShapeError;
  }
  throw new Error('expected a ShapeError');
}

describe('IrBuilder', () => {
  it('matmul keeps batch axes, m from a, n from b', () => {
    const { b, x } = tokensBuilder();
    const w = b.param({ name: 'w', shape: [128, 64], axisNames: ['in', 'out'], init: { kind: 'zeros' } });
    const y = b.matmul(x, w);
    expect(b.typeOf(y).axes).toEqual([{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }, { name: 'out', size: 64 }]);
  });

  it('batched matmul contracts a symbolic axis', () => {
    const { b, x } = tokensBuilder();
    const xt = b.transpose(x, [0, 2, 1]);
    const sim = b.matmul(x, xt);
    expect(formatType(b.typeOf(sim))).toBe('f32[batch, token, token]');
  });

  it('matmul mismatch reports both sizes', () => {
    const { b, x } = tokensBuilder();
    const w = b.param({ name: 'w', shape: [64, 32], init: { kind: 'zeros' } });
    const error = expectShapeError(() => b.matmul(x, w));
    expect(error.reason).toBe('contract');
    expect(error.op).toBe('matmul');
    expect(error.message).toContain('128');
    expect(error.message).toContain('64');
    expect(error.actual.map(formatType)).toEqual(['f32[batch, token, 128]', 'f32[64, 32]']);
  });

  it('broadcast takes names from the operand that is not 1', () => {
    const { b, x } = tokensBuilder();
    const m = b.reduceMean(x, [1], true);
    expect(b.typeOf(m).axes[1]).toEqual({ name: 'token', size: 1 });
    const centered = b.sub(x, m);
    expect(b.typeOf(centered).axes.map((a) => a.name)).toEqual(['batch', 'token', 'dim']);
    const bias = b.param({ name: 'bias', shape: [128], axisNames: ['dim'], init: { kind: 'zeros' } });
    expect(formatType(b.typeOf(b.add(bias, x)))).toBe('f32[batch, token, 128]');
  });

  it('symbol broadcasts only with itself or 1', () => {
    const b = new IrBuilder('m');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: ['batch', 'token'] });
    const y = b.input('y', 'scalar', { dtype: 'f32', axes: ['batch', 'patch'] });
    const error = expectShapeError(() => b.add(x, y));
    expect(error.reason).toBe('broadcast');
    expect(error.message).toBe('Shapes [batch, token] and [batch, patch] do not broadcast: size patch meets size token at position 1 of 2.');
    const z = b.input('z', 'scalar', { dtype: 'f32', axes: ['batch', 7] });
    expect(() => b.add(x, z)).toThrow(ShapeError);
  });

  it('reductions drop or keep axes', () => {
    const { b, x } = tokensBuilder();
    expect(formatType(b.typeOf(b.reduceSum(x, [2])))).toBe('f32[batch, token]');
    expect(formatType(b.typeOf(b.reduceMax(x, [0, 1], true)))).toBe('f32[1, 1, 128]');
    expect(expectShapeError(() => b.reduceSum(x, [3])).reason).toBe('axis');
    expect(expectShapeError(() => b.reduceSum(x, [1, 1])).reason).toBe('axis');
  });

  it('reshape checks counts with symbols', () => {
    const b = new IrBuilder('m');
    const g = b.input('g', 'image', { dtype: 'f32', axes: ['batch', 2048, 7, 7] });
    const flat = b.reshape(g, ['batch', 2048, 49], { axisNames: ['batch', 'channel', 'patch'] });
    expect(b.typeOf(flat).axes).toEqual([{ name: 'batch', size: 'batch' }, { name: 'channel', size: 2048 }, { name: 'patch', size: 49 }]);
    expect(expectShapeError(() => b.reshape(g, ['batch', 2048, 48])).reason).toBe('reshape');
    expect(expectShapeError(() => b.reshape(g, [2048, 49, 1])).reason).toBe('reshape');
  });

  it('conv2d and max_pool2d follow floor arithmetic', () => {
    const b = new IrBuilder('m');
    const img = b.input('image', 'image', { dtype: 'f32', axes: ['batch', 3, 224, 224] });
    const w = b.param({ name: 'conv1.weight', shape: [64, 3, 7, 7], init: { kind: 'zeros' } });
    const c = b.conv2d(img, w, { strides: [2, 2], pads: [3, 3, 3, 3] });
    expect(formatType(b.typeOf(c))).toBe('f32[batch, 64, 112, 112]');
    const p = b.maxPool2d(c, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    expect(formatType(b.typeOf(p))).toBe('f32[batch, 64, 56, 56]');
    const bad = b.param({ name: 'bad', shape: [8, 4, 1, 1], init: { kind: 'zeros' } });
    const error = expectShapeError(() => b.conv2d(c, bad));
    expect(error.reason).toBe('contract');
    expect(error.expected).toBe('[N, 4, H, W]');
  });

  it('one_hot and range_like read symbolic sizes', () => {
    const b = new IrBuilder('m');
    const ids = b.input('pool', 'pool_index', { dtype: 'i32', axes: ['batch'] });
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: ['batch', 'token', 64] });
    expect(formatType(b.typeOf(b.oneHot(ids, x, 1)))).toBe('f32[batch, token]');
    expect(formatType(b.typeOf(b.rangeLike(x, 1)))).toBe('i32[token]');
    expect(() => b.oneHot(x, x, 1)).toThrow(ShapeError);
  });

  it('concat and slice', () => {
    const b = new IrBuilder('m');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: ['batch', 64, 128] });
    const cls = b.input('c', 'scalar', { dtype: 'f32', axes: ['batch', 1, 128] });
    const joined = b.concat([cls, x], 1);
    expect(formatType(b.typeOf(joined))).toBe('f32[batch, 65, 128]');
    expect(formatType(b.typeOf(b.slice(joined, 1, 1, 65)))).toBe('f32[batch, 64, 128]');
    expect(expectShapeError(() => b.slice(joined, 1, 0, 66)).reason).toBe('attribute');
    expect(expectShapeError(() => b.concat([x, x], 0)).reason).toBe('symbolic');
  });

  it('scopes name, tag, freeze and map params', () => {
    const b = new IrBuilder('m');
    b.scope('text', () => {
      b.param({ name: 'embeddings.word_embeddings.weight', shape: [10, 4], init: { kind: 'zeros' } });
      b.scope('encoder.layer.3', () => b.param({ name: 'output.dense.weight', shape: [4, 4], init: { kind: 'zeros' } }));
      b.scope('encoder.layer.9', () => b.param({ name: 'output.dense.weight', shape: [4, 4], init: { kind: 'zeros' } }));
    }, { component: 'text', pretrained: 'bert.safetensors', freeze: ['embeddings', 'encoder.layer.3'] });
    const params = b.finish().params;
    expect(params.map((p) => p.name)).toEqual([
      'text.embeddings.word_embeddings.weight',
      'text.encoder.layer.3.output.dense.weight',
      'text.encoder.layer.9.output.dense.weight',
    ]);
    expect(params.map((p) => p.trainable)).toEqual([false, false, true]);
    expect(params[1]!.pretrained).toEqual({ file: 'bert.safetensors', tensor: 'encoder.layer.3.output.dense.weight' });
    expect(params.every((p) => p.component === 'text')).toBe(true);
    expect(() => b.scope('text', () => b.param({ name: 'embeddings.word_embeddings.weight', shape: [1], init: { kind: 'zeros' } }))).toThrow(/twice/);
  });

  it('losses must be scalar f32', () => {
    const { b, x } = tokensBuilder();
    expect(() => b.loss('bad', x)).toThrow(ShapeError);
    const s = b.reduceMean(x, [0, 1, 2]);
    b.loss('ok', s, 0.5);
    const scale = b.param({ name: 'logit_scale', shape: [], init: { kind: 'constant', value: 2.659 } });
    b.clamp(scale, undefined, Math.log(100));
    const m = b.finish();
    expect(m.losses).toEqual([{ name: 'ok', value: s, weight: { kind: 'constant', value: 0.5 } }]);
    expect(m.clamps).toEqual([{ param: 0, max: Math.log(100) }]);
  });
});

describe('ShapeError context', () => {
  it('carries the node name and scope span', () => {
    const b = new IrBuilder('m');
    const span = { file: 'm.tier', start: { offset: 0, line: 4, column: 1 }, end: { offset: 9, line: 4, column: 10 } };
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: [2, 3] });
    const error = expectShapeError(() => b.scope('head', () => b.matmul(x, x, { name: 'proj' }), { span }));
    expect(error.node).toBe('head.proj');
    expect(error.span).toEqual(span);
  });
});
