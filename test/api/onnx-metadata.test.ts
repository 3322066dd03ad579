// Graphs from `compile --target onnx` carry the spec hash and the test-time image pipeline,
// which `tierc run` needs to prepare images as training did.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/backends/onnx/dump.js';
import { compile } from '../../src/compile.js';
import { nodeHost } from '../../src/driver/index.js';

const root = resolve(import.meta.dirname, '../..');

describe('compile to ONNX metadata', () => {
  it('records spec hash and preprocessing', async () => {
    const report = await compile({ entry: 'specs/phantom_small.tier', host: nodeHost(root), cwd: root }, { target: 'onnx', graphs: ['image_tower'] });
    expect(report.ok).toBe(true);
    const imageTower = report.artifacts.find((artifact) => artifact.path.endsWith('image_tower.onnx'));
    expect(imageTower?.bytes).toBeDefined();

    const metadata = new Map(decodeModel(imageTower!.bytes!).metadataProps.map((entry) => [entry.key, entry.value]));
    expect(metadata.get('tierc.spec_hash')).toMatch(/^[0-9a-f]{64}$/);
    const preprocess = JSON.parse(metadata.get('tierc.preprocess') ?? 'null');
    expect(preprocess.input_channels).toBe(1);
    expect(preprocess.output_shape).toEqual([1, 64, 64]);
    expect(preprocess.mean).toEqual([0.4]);
    expect(preprocess.std).toEqual([0.22]);
  });
});
