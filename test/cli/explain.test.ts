// `tierc explain` lists each block's options with the values the model uses: a tensor passed to
// a port that shares an option's name, as in `infonce(scale: learnable(…))`, replaces the default.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { explain } from '../../src/explain.js';
import { captureIo } from './capture.js';

const root = resolve(import.meta.dirname, '../..');

const SPEC = (loss: string) => `model m {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)
  loss clip = ${loss}
}
`;

function infonceScale(spec: string): unknown {
  const report = explain(spec);
  expect(report.ok).toBe(true);
  const record = report.models[0]!.options.find((entry) => entry.block === 'infonce')!;
  return record.options['scale'];
}

describe('explain infonce scale', () => {
  it('shows a learnable scale as written', () => {
    const scale = infonceScale(SPEC('infonce(normalize(image.cls, over: width), normalize(text.cls, over: width), scale: learnable(init: 14.29, max: 100))'));
    expect(scale).toEqual({ value: 'learnable(init: 14.29, max: 100)', default: false });
  });

  it('shows a constant scale as written', () => {
    const scale = infonceScale(SPEC('infonce(normalize(image.cls, over: width), normalize(text.cls, over: width), scale: 20)'));
    expect(scale).toEqual({ value: 20, default: false });
  });

  it('marks the default scale', () => {
    const scale = infonceScale(SPEC('infonce(normalize(image.cls, over: width), normalize(text.cls, over: width))'));
    expect(scale).toEqual({ value: 1, default: true });
  });

  it('prints the learnable scale of phantom_small', async () => {
    const io = captureIo(root);
    expect(await run(['explain', 'specs/phantom_small.tier'], io)).toBe(0);
    expect(io.out.join('')).toContain('clip.infonce = infonce(scale: learnable(init: 14.29, max: 100))\n');
  });

  it('gives the learnable scale in JSON', async () => {
    const io = captureIo(root);
    expect(await run(['explain', '--json', 'specs/phantom_small.tier'], io)).toBe(0);
    const report = JSON.parse(io.out.join('')) as { models: Array<{ options: Array<{ block: string; options: Record<string, unknown> }> }> };
    const record = report.models[0]!.options.find((entry) => entry.block === 'infonce')!;
    expect(record.options['scale']).toEqual({ value: 'learnable(init: 14.29, max: 100)', default: false });
  });
});
