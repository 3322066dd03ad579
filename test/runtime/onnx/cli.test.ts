// `tierc dump` and `tierc run` on written ONNX files and PNG images.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpOnnx, writeOnnxArtifacts } from '../../../src/backends/onnx/index.js';
import { PREPROCESS_METADATA_KEY } from '../../../src/backends/onnx/run.js';
import { applyTransforms, decodeImageFile, type TransformSpec } from '../../../src/data/index.js';
import { interpret } from '../../../src/ir/interpret.js';
import { tinyClip, tinyConvNet, weightsFor } from '../../backends/onnx/models.js';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'tierc-onnx-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const convnet = tinyConvNet();
const weights = weightsFor(convnet);
const steps: TransformSpec[] = [{ op: 'resize', size: [16, 16] }, { op: 'normalize', mean: [0.5], std: [0.25] }];
const labels = [{ name: 'Nodule', positive: [1, 2, 0, 0, 1, 0], negative: [0, 0, 1, 1, 0, 2] }];
const images = [join(scratch, 'a.png'), join(scratch, 'b.png')];

function cli(...argv: string[]): ReturnType<typeof runCli> {
  return runCli(scratch, argv);
}

beforeAll(async () => {
  const preprocess = JSON.stringify({ steps, input_channels: 1, output_shape: [1, 16, 16], mean: [0.5], std: [0.25] });
  const written = writeOnnxArtifacts(convnet, {
    graphs: ['image_tower', 'zeroshot'],
    weights,
    zeroshot: { labels, rule: 'difference' },
    metadata: { [PREPROCESS_METADATA_KEY]: preprocess },
  }, scratch);
  expect(written.diagnostics).toEqual([]);
  const clip = tinyClip();
  writeOnnxArtifacts(clip, { graphs: ['text_tower'], weights: weightsFor(clip) }, join(scratch, 'clip'));
  for (const [i, file] of images.entries()) {
    const pixels = Buffer.from(Array.from({ length: 32 * 24 }, (_, p) => (p * (i + 3)) % 256));
    await sharp(pixels, { raw: { width: 32, height: 24, channels: 1 } }).png().toFile(file);
  }
});

describe('tierc dump', () => {
  it('prints the model listing', async () => {
    const result = await cli('dump', 'image_tower.onnx');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(dumpOnnx(readFileSync(join(scratch, 'image_tower.onnx'))));
    expect(result.stdout.startsWith('ir_version: 8\nopset_import: ai.onnx 17\n')).toBe(true);
  });

  it('reports a missing file', async () => {
    const result = await cli('dump', 'absent.onnx');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^tierc dump: cannot read 'absent.onnx'/);
  });

  it('reports a file that is not ONNX', async () => {
    writeFileSync(join(scratch, 'garbage.onnx'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const result = await cli('dump', 'garbage.onnx');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^tierc dump: 'garbage.onnx' is not a valid ONNX model/);
  });
});

describe('tierc run', () => {
  it('prints embeddings that match the interpreter', async () => {
    const result = await cli('run', 'image_tower.onnx', '--image', 'a.png', 'b.png', '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.preprocessing).toBe('metadata');
    for (const [i, file] of images.entries()) {
      const image = applyTransforms(await decodeImageFile(file), steps);
      const reference = interpret(convnet, { inputs: { image: { shape: [1, 1, 16, 16], data: image.data } }, weights, mode: 'inference', outputs: ['image_embedding'] });
      const embedding = parsed.outputs.find((o: { name: string }) => o.name === 'image_embedding').images[i].values as number[];
      embedding.forEach((value, k) => expect(Math.abs(value - reference.image_embedding!.data[k]!)).toBeLessThan(1e-4));
    }
  });

  it('prints a score per label for zero-shot graphs', async () => {
    const result = await cli('run', 'zeroshot.onnx', '--image', 'a.png');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^graph zeroshot, 1 image\(s\), preprocessing: metadata\n.*a\.png\n {2}Nodule {2}-?\d\.\d{4}\n$/);
  });

  it('runs a model with external data', async () => {
    const metadata = { [PREPROCESS_METADATA_KEY]: JSON.stringify({ steps, input_channels: 1, output_shape: [1, 16, 16], mean: [0.5], std: [0.25] }) };
    const written = writeOnnxArtifacts(convnet, { graphs: ['image_tower'], weights, metadata, externalDataThreshold: 64 }, join(scratch, 'external'));
    expect(written.files.map((f) => f.split('/').pop())).toEqual(['image_tower.onnx', 'image_tower.onnx.data']);
    const inline = JSON.parse((await cli('run', 'image_tower.onnx', '--image', 'a.png', '--json')).stdout);
    const result = await cli('run', 'external/image_tower.onnx', '--image', 'a.png', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).outputs).toEqual(inline.outputs);
  });

  it('rejects a graph with text inputs', async () => {
    const result = await cli('run', 'clip/text_tower.onnx', '--image', 'a.png');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("takes the inputs 'tokens', 'attention_mask', 'pool_index'");
  });

  it('reports an unreadable image', async () => {
    const result = await cli('run', 'image_tower.onnx', '--image', 'missing.png');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TIER5011');
  });
});
