import { describe, expect, it } from 'vitest';
import { IrBuilder } from '../../src/ir/index.js';
import { BlockError, STDLIB_BLOCKS, SCHEDULES, defaultsOf, expandBlock, freezePrefixes, resolveOptions, warmup } from '../../src/stdlib/index.js';
import { imageInput, tokenInput } from './helpers.js';

const bert = STDLIB_BLOCKS['bert']!;

describe('resolveOptions', () => {
  it('fills defaults', () => {
    const result = resolveOptions<Record<string, unknown>>('bert', bert.options, { layers: 4 });
    expect(result.problems).toEqual([]);
    expect(result.options).toMatchObject({ layers: 4, width: 768, eps: 1e-12, pooler: false, freeze: [], init: null });
  });

  it('unknown option suggests a close name', () => {
    const result = resolveOptions('bert', bert.options, { layer: 4 });
    expect(result.problems).toEqual([{ option: 'layer', kind: 'unknown', message: "'bert' has no option 'layer'. Did you mean 'layers'?", suggestion: 'layers' }]);
  });

  it('unknown option without a close name', () => {
    const result = resolveOptions('bert', bert.options, { colour: 'red' });
    expect(result.problems[0]!.message).toBe("'bert' has no option 'colour'.");
  });

  it('wrong type, range and missing', () => {
    const linear = STDLIB_BLOCKS['linear']!;
    const result = resolveOptions('linear', linear.options, { in: 2.5, bias: 'yes' });
    expect(result.problems.map((p) => [p.option, p.kind])).toEqual([['in', 'type'], ['out', 'missing'], ['bias', 'type']]);
    expect(result.problems[0]!.message).toBe('Option \'in\' of \'linear\' must be an integer, got 2.5.');
    const dropout = resolveOptions('dropout', STDLIB_BLOCKS['dropout']!.options, { rate: 1 });
    expect(dropout.problems[0]!.message).toBe("Option 'rate' of 'dropout' must be [0, 1), got 1.");
  });

  it('enum lists its values', () => {
    const result = resolveOptions('resnet50', STDLIB_BLOCKS['resnet50']!.options, { output: 'layer5' });
    expect(result.problems[0]!.message).toBe("Option 'output' of 'resnet50' must be one of 'layer1', 'layer2', 'layer3', 'layer4', got \"layer5\".");
  });

  it('defaults are listed for explain', () => {
    expect(defaultsOf(STDLIB_BLOCKS['normalize']!.options)).toEqual({ over: null, eps: 1e-12 });
  });
});

describe('freeze patterns', () => {
  const targets = { embeddings: 'embeddings', 'layers[0]': 'encoder.layer.0', 'layers[1]': 'encoder.layer.1' };

  it('ranges are inclusive', () => {
    expect(freezePrefixes('bert', ['embeddings', 'layers[0..1]'], targets)).toEqual(['embeddings', 'encoder.layer.0', 'encoder.layer.1']);
  });

  it('unknown sub-module is a BlockError', () => {
    expect(() => freezePrefixes('bert', ['layers[2]'], targets)).toThrow(BlockError);
    expect(() => freezePrefixes('bert', ['embedding'], targets)).toThrow("'bert' has no sub-module 'embedding' to freeze. Did you mean 'embeddings'?");
  });

  it('resnet stem and stages freeze', () => {
    const b = new IrBuilder('r');
    const image = imageInput(b, 3, 64);
    b.scope('image', () => expandBlock(b, STDLIB_BLOCKS['resnet50']!, { freeze: ['stem', 'layer1'] }, { image }));
    const frozen = b.finish().params.filter((p) => !p.trainable && p.role !== 'buffer').map((p) => p.name);
    expect(frozen).toContain('image.conv1.weight');
    expect(frozen).toContain('image.layer1.2.bn3.bias');
    expect(frozen.some((n) => n.startsWith('image.layer2'))).toBe(false);
  });
});

describe('expandBlock', () => {
  it('reports option problems as one BlockError', () => {
    const b = new IrBuilder('e');
    const ids = tokenInput(b, 16);
    expect(() => expandBlock(b, bert, { hedas: 8 }, { token_ids: ids })).toThrow("'bert' has no option 'hedas'. Did you mean 'heads'?");
  });

  it('rejects an unknown input port', () => {
    const b = new IrBuilder('e');
    const ids = tokenInput(b, 16);
    expect(() => expandBlock(b, bert, {}, { ids })).toThrow("'bert' has no input 'ids'.");
  });

  it('rejects heads that do not divide width', () => {
    const b = new IrBuilder('e');
    const ids = tokenInput(b, 16);
    expect(() => expandBlock(b, bert, { width: 100, heads: 3 }, { token_ids: ids })).toThrow("Width 100 of 'bert' does not divide into 3 heads.");
  });

  it('rejects an axis the input lacks', () => {
    const b = new IrBuilder('e');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: 2 }, { name: 'dim', size: 4 }] });
    expect(() => expandBlock(b, STDLIB_BLOCKS['softmax']!, { over: 'patch' }, { x })).toThrow("Axis 'patch' is not an axis of the input of 'softmax', which has axes [batch, dim].");
  });

  it('linear checks a declared input width', () => {
    const b = new IrBuilder('e');
    const x = b.input('x', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: 2 }, { name: 'dim', size: 4 }] });
    expect(() => expandBlock(b, STDLIB_BLOCKS['linear']!, { in: 768, out: 128 }, { x })).toThrow("'linear' expects input width 768, but its input has 4.");
  });
});

describe('warmup', () => {
  it('makes a loss weight', () => {
    expect(warmup(0, 0.2, 2000)).toEqual({ kind: 'warmup', from: 0, to: 0.2, steps: 2000 });
    expect(SCHEDULES['warmup']!.make({ from: 0, to: 0.5, steps: 10 })).toEqual({ kind: 'warmup', from: 0, to: 0.5, steps: 10 });
  });

  it('rejects zero steps', () => {
    expect(() => warmup(0, 0.2, 0)).toThrow("'warmup' needs a positive whole number of steps, got 0.");
  });
});

describe('encoder inputs', () => {
  it('clip_text rejects pool_index without eot pooling', () => {
    const b = new IrBuilder('e');
    const ids = tokenInput(b, 16);
    const pool = b.input('pool', 'pool_index', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }] });
    expect(() => expandBlock(b, STDLIB_BLOCKS['clip_text']!, { pool: 'mean' }, { token_ids: ids, pool_index: pool })).toThrow(
      "'clip_text' reads input 'pool_index' only with pool: eot, but pool is 'mean'.",
    );
  });

  it('bert casts an integer attention mask', () => {
    const b = new IrBuilder('e');
    const ids = tokenInput(b, 16);
    const mask = b.input('mask', 'attention_mask', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] });
    const out = expandBlock(b, bert, { layers: 1, width: 8, heads: 2, vocab: 10 }, { token_ids: ids, attention_mask: mask });
    expect(b.typeOf(out['padding']!).dtype).toBe('f32');
  });
});
