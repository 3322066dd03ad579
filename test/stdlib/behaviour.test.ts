import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../../src/ir/index.js';
import type { IrModule } from '../../src/ir/index.js';
import { initializeParams } from '../../src/ir/init.js';
import { interpret } from '../../src/ir/interpret.js';
import { expandIn, imageInput, tokenInput } from './helpers.js';

const tiny = { width: 8, layers: 2, heads: 2, mlp_width: 16 };

function textModule(block: 'clip_text' | 'bert', options: Record<string, unknown> = {}): IrModule {
  const b = new IrBuilder(block);
  const ids = tokenInput(b, 6);
  const out = expandIn(b, 'text', block, { vocab: 20, max_len: 6, ...tiny, ...options }, { token_ids: ids });
  for (const [name, value] of Object.entries(out)) b.output(name, value);
  return b.finish();
}

function evaluate(module: IrModule, ids: number[][], outputs: string[]) {
  const weights = initializeParams(module, 7);
  const feed = { token_ids: { shape: [ids.length, ids[0]!.length], data: ids.flat() } };
  return interpret(module, { inputs: feed, weights, mode: 'inference', outputs });
}

function row(data: ArrayLike<number>, start: number, length: number): number[] {
  return Array.from(data).slice(start, start + length);
}

describe('clip_text', () => {
  it('causal mask hides later tokens', () => {
    const module = textModule('clip_text');
    const a = evaluate(module, [[3, 4, 5, 19, 0, 0]], ['tokens'])['tokens']!.data;
    const b = evaluate(module, [[3, 4, 7, 19, 0, 0]], ['tokens'])['tokens']!.data;
    // Positions 0 and 1 come before the changed token; position 2 does not.
    expect(row(b, 0, 16)).toEqual(row(a, 0, 16));
    expect(row(b, 16, 8)).not.toEqual(row(a, 16, 8));
  });

  it('pools at the end-of-text token', () => {
    const module = textModule('clip_text');
    const out = evaluate(module, [[3, 4, 5, 19, 0, 0], [6, 19, 0, 0, 0, 0]], ['tokens', 'pooled', 'padding']);
    const tokens = out['tokens']!.data;
    const pooled = out['pooled']!.data;
    for (let i = 0; i < 8; i++) {
      expect(pooled[i]).toBeCloseTo(tokens[3 * 8 + i]!, 12);
      expect(pooled[8 + i]).toBeCloseTo(tokens[(6 + 1) * 8 + i]!, 12);
    }
    expect(Array.from(out['padding']!.data)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('mean pooling skips padding', () => {
    const module = textModule('clip_text', { pool: 'mean' });
    const out = evaluate(module, [[3, 19, 0, 0, 0, 0]], ['tokens', 'pooled']);
    const tokens = out['tokens']!.data;
    for (let i = 0; i < 8; i++) expect(out['pooled']!.data[i]).toBeCloseTo((tokens[i]! + tokens[8 + i]!) / 2, 12);
  });
});

describe('bert', () => {
  it('padding keys do not change real tokens', () => {
    const module = textModule('bert', { dropout: 0, attention_dropout: 0 });
    const a = evaluate(module, [[2, 5, 9, 0, 0, 0]], ['tokens', 'cls'])['tokens']!.data;
    const b = evaluate(module, [[2, 5, 9, 0, 0, 0], [2, 5, 9, 4, 4, 4]], ['tokens'])['tokens']!.data;
    for (let i = 0; i < 24; i++) expect(b[i]).toBeCloseTo(a[i]!, 12);
    // Without padding, the extra tokens are attended to and the real positions change.
    expect(Math.abs(b[48]! - a[0]!)).toBeGreaterThan(1e-6);
  });

  it('layer outputs are normalized', () => {
    const module = textModule('bert', { dropout: 0, attention_dropout: 0 });
    const tokens = evaluate(module, [[2, 5, 9, 1, 0, 0]], ['tokens'])['tokens']!.data;
    // Post-norm with unit scale and zero shift: every position has mean 0 and variance ≈ 1.
    const first = row(tokens, 0, 8);
    const mean = first.reduce((a, v) => a + v, 0) / 8;
    const variance = first.reduce((a, v) => a + (v - mean) ** 2, 0) / 8;
    expect(mean).toBeCloseTo(0, 10);
    expect(variance).toBeCloseTo(1, 6);
  });
});

describe('vit', () => {
  it('splits cls from patches', () => {
    const b = new IrBuilder('vit');
    const image = imageInput(b, 1, 8);
    const out = expandIn(b, 'image', 'vit', { image: 8, patch: 4, channels: 1, ...tiny }, { image });
    for (const [name, value] of Object.entries(out)) b.output(name, value);
    const module = b.finish();
    const pixels = Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const result = interpret(module, {
      inputs: { image: { shape: [1, 1, 8, 8], data: pixels } },
      weights: initializeParams(module, 3),
      mode: 'inference',
      outputs: ['cls', 'patches', 'tokens'],
    });
    expect(result['patches']!.shape).toEqual([1, 4, 8]);
    expect(Array.from(result['cls']!.data)).toEqual(row(result['tokens']!.data, 0, 8));
    expect(Array.from(result['patches']!.data)).toEqual(row(result['tokens']!.data, 8, 32));
  });
});

describe('conv1x1', () => {
  it('sequence and NCHW layouts agree', () => {
    // The same [3, 2, 1, 1] weight applied to a 2-channel 1×2 map and to its [batch, cell, channel] form.
    const build = (layout: 'nchw' | 'sequence') => {
      const b = new IrBuilder('c');
      const axes = layout === 'nchw'
        ? [{ name: 'batch', size: 1 }, { name: 'channel', size: 2 }, { name: 'height', size: 1 }, { name: 'width', size: 2 }]
        : [{ name: 'batch', size: 1 }, { name: 'patch', size: 2 }, { name: 'channel', size: 2 }];
      const x = b.input('x', 'scalar', { dtype: 'f32', axes });
      const out = expandIn(b, 'head', 'conv1x1', { out: 3 }, { x });
      b.output('y', out['y']!);
      return b.finish();
    };
    const weights = new Map([['head.weight', [1, 2, 3, 4, 5, 6]], ['head.bias', [0.5, -0.5, 1]]]);
    const nchw = interpret(build('nchw'), { inputs: { x: { shape: [1, 2, 1, 2], data: [1, 2, 3, 4] } }, weights, mode: 'inference', outputs: ['y'] })['y']!;
    const sequence = interpret(build('sequence'), { inputs: { x: { shape: [1, 2, 2], data: [1, 3, 2, 4] } }, weights, mode: 'inference', outputs: ['y'] })['y']!;
    // Cell 0 has channels (1, 3): outputs 1·1+2·3+0.5, 3·1+4·3−0.5, 5·1+6·3+1.
    expect(Array.from(sequence.data.slice(0, 3))).toEqual([7.5, 14.5, 24]);
    // The NCHW output [1, 3, 1, 2] contains the same numbers in channel-major order.
    expect(Array.from(nchw.data)).toEqual([7.5, 10.5, 14.5, 21.5, 24, 35]);
    expect(Array.from(sequence.data)).toEqual([7.5, 14.5, 24, 10.5, 21.5, 35]);
  });
});
