// Reading checkpoints for export: valid files and folders, and corrupt, truncated or
// missing ones reported as TIER4013 without a throw.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileOnnx, readCheckpointWeights } from '../../../src/backends/onnx/index.js';
import { encodeSafetensors, type SafeTensor } from '../../../src/runtime/safetensors.js';
import { tinyConvNet, weightsFor } from './models.js';

const scratch = mkdtempSync(join(tmpdir(), 'tierc-onnx-ckpt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const convnet = tinyConvNet();

function checkpointBytes(): Uint8Array {
  const tensors = new Map<string, SafeTensor>();
  const weights = weightsFor(convnet);
  for (const param of convnet.params) tensors.set(param.name, { dtype: 'F32', shape: param.shape, data: weights.get(param.name)! });
  return encodeSafetensors(tensors, { spec_hash: 'abc' });
}

describe('readCheckpointWeights', () => {
  it('reads a file and a checkpoint folder', () => {
    const file = join(scratch, 'weights.safetensors');
    writeFileSync(file, checkpointBytes());
    mkdirSync(join(scratch, 'step-00000010'));
    writeFileSync(join(scratch, 'step-00000010', 'model.safetensors'), checkpointBytes());
    for (const path of [file, join(scratch, 'step-00000010')]) {
      const result = readCheckpointWeights(path);
      expect(result.diagnostics).toEqual([]);
      expect(result.metadata).toEqual({ spec_hash: 'abc' });
      expect(result.weights.size).toBe(convnet.params.length);
      const compiled = compileOnnx(convnet, { graphs: ['image_tower'], weights: result.weights });
      expect(compiled.diagnostics).toEqual([]);
    }
  });

  it('reports a truncated file', () => {
    const file = join(scratch, 'truncated.safetensors');
    const bytes = checkpointBytes();
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    const result = readCheckpointWeights(file);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER4013']);
    expect(result.diagnostics[0]!.message).toMatch(/truncated file\?/);
    expect(result.weights.size).toBe(0);
  });

  it('reports a corrupt header', () => {
    const file = join(scratch, 'corrupt.safetensors');
    const bytes = checkpointBytes();
    bytes[9] = 0x7b;
    bytes[10] = 0x7b;
    writeFileSync(file, bytes);
    const result = readCheckpointWeights(file);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER4013']);
    expect(result.diagnostics[0]!.message).toContain('is not a valid safetensors file');
  });

  it('reports a missing file', () => {
    const result = readCheckpointWeights(join(scratch, 'absent.safetensors'));
    expect(result.diagnostics.map((d) => d.message)).toEqual([`The checkpoint '${join(scratch, 'absent.safetensors')}' cannot be read: it does not exist.`]);
  });

  it('reports a folder without model.safetensors', () => {
    mkdirSync(join(scratch, 'empty'));
    const result = readCheckpointWeights(join(scratch, 'empty'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER4013']);
    expect(result.diagnostics[0]!.message).toContain('model.safetensors');
  });
});
