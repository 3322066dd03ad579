// compileOnnx and writeOnnxArtifacts: determinism, external data, and clear errors for bad
// options, mismatching checkpoints and unusable output paths.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileOnnx, decodeModel, writeOnnxArtifacts, type Weights } from '../../../src/backends/onnx/index.js';
import { IrBuilder } from '../../../src/ir/builder.js';
import { tinyClip, tinyConvNet, weightsFor } from './models.js';

const convnet = tinyConvNet();
const scratch = mkdtempSync(join(tmpdir(), 'tierc-onnx-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function codes(result: { diagnostics: { code: string }[] }): string[] {
  return result.diagnostics.map((d) => d.code);
}

describe('compileOnnx', () => {
  it('gives identical bytes on two runs', () => {
    const module = tinyClip();
    const options = { graphs: ['image_tower', 'text_tower', 'similarity_map'] as const, weights: weightsFor(module), spec: { file: 'tiny.tier', hash: 'h' } };
    const first = compileOnnx(module, { ...options, graphs: [...options.graphs] });
    const second = compileOnnx(tinyClip(), { ...options, graphs: [...options.graphs], weights: weightsFor(module) });
    expect(first.files.map((f) => f.name)).toEqual(['image_tower.onnx', 'text_tower.onnx', 'similarity_map.onnx']);
    first.files.forEach((file, i) => expect(Buffer.compare(file.bytes, second.files[i]!.bytes)).toBe(0));
  });

  it('rejects opsets outside 13 to 21', () => {
    for (const opset of [12, 22]) {
      const result = compileOnnx(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet), opset });
      expect(codes(result)).toEqual(['TIER4001']);
      expect(result.diagnostics[0]!.message).toBe(`Opset ${opset} is not supported; choose an opset from 13 to 21.`);
      expect(result.files).toEqual([]);
    }
  });

  it('lists every checkpoint mismatch', () => {
    const weights = new Map<string, Weights extends ReadonlyMap<string, infer T> ? T : never>(weightsFor(convnet));
    weights.delete('image.stem.conv.weight');
    weights.delete('patch_proj.bias');
    weights.set('image.layer1.bn.weight', { shape: [4], data: new Float32Array(4) });
    weights.set('image.shortcut.weight', new Float32Array(3));
    weights.set('optimizer.step', new Float32Array(1));
    const result = compileOnnx(convnet, { graphs: ['image_tower'], weights });
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['TIER4010', "Parameter 'image.stem.conv.weight' with shape [4, 1, 3, 3] is missing from the checkpoint."],
      ['TIER4012', "Tensor 'image.layer1.bn.weight' in the checkpoint has shape [4], but the parameter has shape [8]."],
      ['TIER4012', "Tensor 'image.shortcut.weight' in the checkpoint has 3 values, but the parameter has shape [8, 4, 1, 1] (32 values)."],
      ['TIER4010', "Parameter 'patch_proj.bias' with shape [6] is missing from the checkpoint."],
      ['TIER4011', "Tensor 'optimizer.step' in the checkpoint is not a parameter of model 'tiny_convnet'."],
    ]);
  });

  it('reports a graph whose output the model lacks', () => {
    const result = compileOnnx(convnet, { graphs: ['image_tower', 'text_tower'], weights: weightsFor(convnet) });
    expect(codes(result)).toEqual(['TIER4002']);
    expect(result.diagnostics[0]!.message).toBe("Graph 'text_tower' needs the output 'text_embedding', which model 'tiny_convnet' does not define.");
    expect(result.files).toEqual([]);
  });

  it('reports a fixed symbol without a maximum', () => {
    const result = compileOnnx(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet), dynamic: [] });
    expect(codes(result)).toEqual(['TIER4004']);
  });

  it('reports an unknown graph kind', () => {
    const result = compileOnnx(convnet, { graphs: ['heatmap' as 'zeroshot'], weights: weightsFor(convnet) });
    expect(codes(result)).toEqual(['TIER4007']);
  });

  it('checks zero-shot prompt widths', () => {
    const labels = [{ name: 'Edema', positive: [1, 0, 0, 0, 0, 0], negative: [0, 1, 0] }];
    const result = compileOnnx(convnet, { graphs: ['zeroshot'], weights: weightsFor(convnet), zeroshot: { labels, rule: 'difference' } });
    expect(codes(result)).toEqual(['TIER4006']);
    expect(result.diagnostics[0]!.message).toBe("The negative prompt embedding of label 'Edema' has 3 values, but 'image_embedding' has width 6.");
  });

  it('moves weights to external data above the threshold', () => {
    const result = compileOnnx(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet), externalDataThreshold: 100 });
    expect(result.files.map((f) => f.name)).toEqual(['image_tower.onnx', 'image_tower.onnx.data']);
    expect(codes(result)).toEqual(['TIER4021']);
    const model = decodeModel(result.files[0]!.bytes);
    const external = model.graph!.initializer!.filter((t) => t.dataLocation === 1);
    expect(external.length).toBeGreaterThan(0);
    for (const tensor of external) {
      const entries = Object.fromEntries(tensor.externalData!.map((e) => [e.key, e.value]));
      expect(entries.location).toBe('image_tower.onnx.data');
      expect(Number(entries.offset) % 64).toBe(0);
      expect(tensor.rawData!.length).toBe(0);
    }
  });

  it('keeps small weights inline by default', () => {
    const result = compileOnnx(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet) });
    expect(result.files.map((f) => f.name)).toEqual(['image_tower.onnx']);
  });
});

describe('writeOnnxArtifacts', () => {
  it('writes every file and no temporary', () => {
    const out = join(scratch, 'out');
    const result = writeOnnxArtifacts(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet), externalDataThreshold: 100 }, out);
    expect(result.diagnostics.map((d) => d.severity)).toEqual(['info']);
    expect(readdirSync(out).sort()).toEqual(['image_tower.onnx', 'image_tower.onnx.data']);
  });

  it('rejects an output path that is a file', () => {
    const file = join(scratch, 'occupied');
    writeFileSync(file, 'x');
    const result = writeOnnxArtifacts(convnet, { graphs: ['image_tower'], weights: weightsFor(convnet) }, file);
    expect(codes(result)).toEqual(['TIER4020']);
    expect(result.diagnostics[0]!.message).toContain('is a file, not a directory');
  });

  it('writes nothing when compilation fails', () => {
    const out = join(scratch, 'failed');
    const result = writeOnnxArtifacts(convnet, { graphs: ['image_tower'], weights: new Map() }, out);
    expect(result.files).toEqual([]);
    expect(() => readdirSync(out)).toThrow();
  });
});

describe('lowering diagnostics', () => {
  it('points at the node an opset cannot express', () => {
    const b = new IrBuilder('unknown_op');
    b.symbol('batch');
    const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'f', size: 2 }] });
    const span = { file: 'unknown.tier', start: { offset: 10, line: 4, column: 3 }, end: { offset: 20, line: 4, column: 13 } };
    b.output('image_embedding', b.neg(x, { span }));
    const module = b.finish();
    // Stands in for an op kind added to the IR before the ONNX table has a rule for it.
    (module.nodes[1] as { op: string }).op = 'cumsum';
    const result = compileOnnx(module, { graphs: ['image_tower'], weights: new Map() });
    expect(result.files).toEqual([]);
    expect(result.diagnostics).toEqual([{ code: 'TIER4005', severity: 'error', message: "The op 'cumsum' has no ONNX lowering at opset 17.", span }]);
  });
});

describe('symbolic reshape targets', () => {
  it('reads a second symbolic size with Shape', () => {
    const b = new IrBuilder('orphan');
    b.symbol('batch');
    b.symbol('group', 4);
    const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'c', size: 'group' }] });
    const span = { file: 'orphan.tier', start: { offset: 0, line: 7, column: 1 }, end: { offset: 1, line: 7, column: 2 } };
    const y = b.reshape(b.unsqueeze(x, [2]), ['group', 'batch', 1], { span });
    b.output('image_embedding', b.reshape(y, ['batch', 'group']));
    const module = b.finish();
    // [group, batch, 1]: neither symbol sits at its input position, so one becomes -1 and the other is read.
    const result = compileOnnx(module, { graphs: ['image_tower'], weights: new Map() });
    expect(result.diagnostics).toEqual([]);
    const ops = decodeModel(result.files[0]!.bytes).graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'Shape')).toHaveLength(1);
    expect(ops.filter((op) => op === 'Gather')).toHaveLength(2);
    expect(ops.filter((op) => op === 'Concat')).toHaveLength(2);
  });
});
