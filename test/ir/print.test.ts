import { describe, expect, it } from 'vitest';
import { IrBuilder, printModule } from '../../src/ir/index.js';

const span = (line: number) => ({ file: 'tiny.tier', start: { offset: 0, line, column: 1 }, end: { offset: 5, line, column: 6 } });

function tinyModule() {
  const b = new IrBuilder('tiny');
  b.symbol('batch');
  b.symbol('token', 16);
  const x = b.input('tokens', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }, { name: 'dim', size: 4 }] });
  const y = b.scope('text', () => {
    const w = b.param({ name: 'proj.weight', shape: [4, 2], axisNames: ['in', 'out'], init: { kind: 'normal', mean: 0, std: 0.02 }, pretrained: { file: 'w.safetensors', tensor: 'proj.weight' } });
    return b.matmul(x, w, { name: 'proj', span: span(3) });
  }, { component: 'text' });
  const scale = b.param({ name: 'logit_scale', shape: [], init: { kind: 'constant', value: 2.5 } });
  const scaled = b.mul(y, b.exp(scale));
  const mean = b.reduceMean(scaled, [0, 1, 2], false, { name: 'mean', span: span(5) });
  const c = b.constant([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10]);
  b.output('c', c);
  b.output('y', y);
  b.loss('words', mean, { kind: 'warmup', from: 0, to: 0.2, steps: 100 }, span(6));
  b.clamp(scale, undefined, 4.6);
  return b.finish();
}

describe('printModule', () => {
  it('prints a small module', () => {
    expect(printModule(tinyModule())).toBe(`module tiny

symbols
  batch
  token <= 16

inputs
  #0 tokens: f32[batch, token, dim:4]  role=scalar

params
  #0 text.proj.weight: f32[in:4, out:2]  weight  trainable  init=normal(mean=0, std=0.02)  component=text  pretrained=w.safetensors:proj.weight
  #1 logit_scale: f32[]  weight  trainable  init=constant(value=2.5)  component=logit_scale

nodes
  %0 = input #0 'tokens' : f32[batch, token, dim:4]  # tokens
  %1 = param #0 : f32[in:4, out:2]  # text.proj.weight
  %2 = matmul %0, %1 : f32[batch, token, out:2]  # text.proj @ tiny.tier:3
  %3 = param #1 : f32[]  # logit_scale
  %4 = exp %3 : f32[]
  %5 = mul %2, %4 : f32[batch, token, out:2]
  %6 = reduce_mean %5 {axes=[0, 1, 2], keepDims=false} : f32[]  # mean @ tiny.tier:5
  %7 = constant [1, 2, 3, 4, 5, 6, 7, 8, … 10 values] : f32[10]

outputs
  c = %7
  y = %2

losses
  words = %6 * warmup(from=0, to=0.2, steps=100)  # @ tiny.tier:6

clamps
  #1 logit_scale in [-inf, 4.6]
`);
  });

  it('printing is deterministic', () => {
    expect(printModule(tinyModule())).toBe(printModule(tinyModule()));
  });
});
