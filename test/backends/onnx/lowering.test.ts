// ONNX lowering: the forms chosen per opset, dynamic axes, folding and fusion, provenance.
import { describe, expect, it } from 'vitest';
import { irVersionFor, loweringTable } from '../../../src/backends/onnx/index.js';
import { structuralOps } from '../../../src/backends/onnx/ops/index.js';
import type { OpKind } from '../../../src/ir/types.js';
import { attribute, compileModels, countOps, dimsOf, int64Initializer, opTypes } from './helpers.js';
import { tinyClip, tinyConvNet } from './models.js';

const clip = tinyClip();
const convnet = tinyConvNet();
const towers = { graphs: ['image_tower', 'text_tower', 'similarity_map'] as const };

describe('opset versions', () => {
  it('maps each opset to the lowest IR version', () => {
    const expected = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };
    for (const [opset, ir] of Object.entries(expected)) expect(irVersionFor(Number(opset))).toBe(ir);
  });

  it('writes the opset and IR version into the model', () => {
    for (const opset of [13, 19, 21]) {
      const model = compileModels(convnet, { graphs: ['image_tower'], opset }).get('image_tower')!;
      expect(Number(model.opsetImport[0]!.version)).toBe(opset);
      expect(Number(model.irVersion)).toBe(irVersionFor(opset));
    }
  });

  it('decomposes layer norm and gelu at opset 13', () => {
    const text = compileModels(clip, { graphs: ['text_tower'], opset: 13 }).get('text_tower')!;
    expect(countOps(text, 'LayerNormalization')).toBe(0);
    expect(countOps(text, 'Gelu')).toBe(0);
    expect(countOps(text, 'Tanh')).toBe(1);
    const reduceMean = text.graph!.node!.find((node) => node.opType === 'ReduceMean')!;
    expect(reduceMean.input).toHaveLength(1);
    expect(attribute(reduceMean, 'axes')!.ints!.map(Number)).toEqual([2]);
  });

  it('uses native layer norm from opset 17', () => {
    const image = compileModels(clip, { graphs: ['image_tower'], opset: 17 }).get('image_tower')!;
    expect(countOps(image, 'LayerNormalization')).toBe(5);
    expect(countOps(image, 'Gelu')).toBe(0);
    expect(countOps(image, 'Erf')).toBe(2);
  });

  it('passes reduce axes as an input from opset 18', () => {
    const image = compileModels(convnet, { graphs: ['image_tower'], opset: 18 }).get('image_tower')!;
    const reduceMean = image.graph!.node!.find((node) => node.opType === 'ReduceMean')!;
    expect(reduceMean.input).toHaveLength(2);
    expect(attribute(reduceMean, 'axes')).toBeUndefined();
    expect(int64Initializer(image, reduceMean.input![1]!)).toEqual([1]);
  });

  it('uses native gelu from opset 20 with both forms', () => {
    const models = compileModels(clip, { graphs: ['image_tower', 'text_tower'], opset: 20 });
    const forms = (name: string) => models.get(name)!.graph!.node!.filter((n) => n.opType === 'Gelu').map((n) => new TextDecoder().decode(attribute(n, 'approximate')!.s!));
    expect(forms('image_tower')).toEqual(['none', 'none']);
    expect(forms('text_tower')).toEqual(['tanh']);
    expect(countOps(models.get('image_tower')!, 'Erf')).toBe(0);
  });

  it('has a rule for every computing op kind', () => {
    const kinds: OpKind[] = ['neg', 'exp', 'log', 'sqrt', 'reciprocal', 'abs', 'tanh', 'sigmoid', 'erf', 'relu', 'gelu', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'greater', 'equal', 'where', 'cast', 'clip', 'matmul', 'reduce_sum', 'reduce_mean', 'reduce_max', 'softmax', 'log_softmax', 'reshape', 'transpose', 'unsqueeze', 'concat', 'slice', 'gather', 'one_hot', 'range_like', 'eye_like', 'conv2d', 'max_pool2d', 'batch_norm', 'layer_norm'];
    for (const kind of kinds) {
      const lowering = loweringTable.get(kind);
      expect(lowering, kind).toBeDefined();
      expect(lowering!.versions[0]!.since).toBe(13);
      for (const version of lowering!.versions) expect(version.emits.length).toBeGreaterThan(0);
    }
    for (const kind of structuralOps) expect(loweringTable.has(kind)).toBe(false);
  });
});

describe('dynamic axes', () => {
  it('declares free symbols as dim_param', () => {
    const models = compileModels(clip, towers);
    const text = models.get('text_tower')!;
    expect(text.graph!.input!.map((i) => [i.name, dimsOf(i)])).toEqual([
      ['tokens', ['batch', 'token']],
      ['attention_mask', ['batch', 'token']],
      ['pool_index', ['batch']],
    ]);
    expect(dimsOf(models.get('similarity_map')!.graph!.output![0]!)).toEqual(['batch', 'token', 16]);
  });

  it('casts int64 integer inputs to int32 once', () => {
    const text = compileModels(clip, { graphs: ['text_tower'], integerInputs: 'int64' }).get('text_tower')!;
    expect(text.graph!.input!.map((i) => [i.name, i.type!.tensorType!.elemType])).toEqual([['tokens', 7], ['attention_mask', 1], ['pool_index', 7]]);
    const casts = text.graph!.node!.filter((n) => n.opType === 'Cast' && ['tokens', 'pool_index'].includes(n.input![0]!));
    expect(casts.map((n) => n.output![0])).toEqual(['tokens/Cast', 'pool_index/Cast']);
  });

  it('bakes no batch size into reshape targets', () => {
    for (const model of compileModels(clip, towers).values()) {
      for (const node of model.graph!.node!.filter((n) => n.opType === 'Reshape')) {
        const target = int64Initializer(model, node.input![1]!);
        expect(target, node.name!).toBeDefined();
        expect([0, -1]).toContain(target![0]);
      }
    }
  });

  it('reads only symbolic sizes with Shape', () => {
    const models = compileModels(clip, towers);
    expect(countOps(models.get('image_tower')!, 'Shape')).toBe(0);
    // The one-hot over the dynamic token axis is the only run-time size.
    expect(countOps(models.get('text_tower')!, 'Shape')).toBe(1);
    const fixed = compileModels(clip, { graphs: ['text_tower'], dynamic: ['batch'] }).get('text_tower')!;
    expect(countOps(fixed, 'Shape')).toBe(0);
    expect(dimsOf(fixed.graph!.input![0]!)).toEqual(['batch', 12]);
  });
});

describe('folding and fusion', () => {
  it('folds batch norm into the preceding conv', () => {
    const image = compileModels(convnet, { graphs: ['image_tower'] }).get('image_tower')!;
    expect(countOps(image, 'BatchNormalization')).toBe(0);
    expect(countOps(image, 'Conv')).toBe(3);
    const names = image.graph!.initializer!.map((t) => t.name);
    expect(names).toContain('image.stem.weight_bn_folded');
    expect(names).not.toContain('image.stem.conv.weight');
    expect(names).not.toContain('image.stem.bn.running_var');
  });

  it('fuses only 2-D matmul and add into Gemm', () => {
    const text = compileModels(clip, { graphs: ['text_tower'] }).get('text_tower')!;
    expect(countOps(text, 'Gemm')).toBe(1);
    // Attention, MLP and token projections are 3-D and keep MatMul + Add.
    expect(countOps(text, 'MatMul')).toBe(10);
  });

  it('composes a transpose of a transpose', () => {
    const text = compileModels(clip, { graphs: ['text_tower'] }).get('text_tower')!;
    const perms = text.graph!.node!.filter((n) => n.opType === 'Transpose').map((n) => attribute(n, 'perm')!.ints!.map(Number));
    // q and v heads [0, 2, 1, 3], then keys split into heads and transposed for the scores in one step, then the context back.
    expect(perms).toEqual([[0, 2, 1, 3], [0, 2, 1, 3], [0, 2, 3, 1], [0, 2, 1, 3]]);
  });

  it('removes dropout', () => {
    for (const model of compileModels(clip, towers).values()) {
      expect(opTypes(model)).not.toContain('Dropout');
      expect(opTypes(model)).not.toContain('Identity');
    }
  });

  it('stores each parameter once', () => {
    for (const model of compileModels(clip, towers).values()) {
      const names = model.graph!.initializer!.map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });
});

describe('provenance', () => {
  it('names the spec line in every node', () => {
    const image = compileModels(clip, { graphs: ['image_tower'] }).get('image_tower')!;
    for (const node of image.graph!.node!) expect(node.docString, node.name!).toMatch(/^tiny\.tier:\d+/);
    const reduce = image.graph!.node!.find((n) => n.opType === 'ReduceMean' && n.output![0] === 'image_embedding')!;
    expect(reduce.docString).toBe('tiny.tier:14 image_embedding');
  });

  it('records spec, version, options and caller metadata', () => {
    const image = compileModels(convnet, { graphs: ['image_tower'], opset: 15, spec: { file: 'specs/tiny.tier', hash: 'abc123' }, metadata: { 'preprocess.image_mean': '[0.5]' } }).get('image_tower')!;
    const metadata = Object.fromEntries(image.metadataProps.map((p) => [p.key, p.value]));
    expect(metadata['tierc.spec_hash']).toBe('abc123');
    expect(metadata['tierc.spec_file']).toBe('specs/tiny.tier');
    expect(metadata['tierc.version']).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse(metadata['tierc.options']!)).toEqual({ graph: 'image_tower', opset: 15, ir_version: 8, dynamic: ['batch'], fixed: {}, integer_inputs: 'int32' });
    expect(metadata['preprocess.image_mean']).toBe('[0.5]');
  });
});
