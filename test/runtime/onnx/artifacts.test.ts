// Written ONNX files in use: the zero-shot scorer against cosines computed here, external
// data loaded by onnxruntime from a directory, and onnx.checker on every graph.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compileOnnx, writeOnnxArtifacts } from '../../../src/backends/onnx/index.js';
import { interpret } from '../../../src/ir/interpret.js';
import { tinyClip, tinyConvNet, tinyInputs, weightsFor } from '../../backends/onnx/models.js';

const scratch = mkdtempSync(join(tmpdir(), 'tierc-onnx-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const clip = tinyClip();
const convnet = tinyConvNet();

function imageFeed(module: typeof clip, batch: number): Record<string, ort.Tensor> {
  const image = tinyInputs(module, batch).image!;
  return { image: new ort.Tensor('float32', Float32Array.from(image.data), image.shape) };
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('zero-shot graph', () => {
  const labels = ['Cardiomegaly', 'Edema', 'Pleural Effusion'].map((name, k) => ({
    name,
    positive: Array.from({ length: 6 }, (_, i) => Math.sin(i + k)),
    negative: Array.from({ length: 6 }, (_, i) => Math.cos(2 * i - k)),
  }));

  for (const rule of ['difference', 'softmax2'] as const) {
    it(`scores each label by ${rule}`, async () => {
      const weights = weightsFor(convnet);
      const result = compileOnnx(convnet, { graphs: ['zeroshot'], weights, zeroshot: { labels, rule } });
      expect(result.diagnostics).toEqual([]);
      const session = await ort.InferenceSession.create(result.files[0]!.bytes);
      const batch = 3;
      const scores = (await session.run(imageFeed(convnet, batch))).scores!;
      expect(scores.dims).toEqual([batch, 3]);
      const reference = interpret(convnet, { inputs: tinyInputs(convnet, batch), weights, mode: 'inference', outputs: ['image_embedding'] }).image_embedding!;
      for (let row = 0; row < batch; row++) {
        const embedding = reference.data.subarray(row * 6, row * 6 + 6);
        labels.forEach((label, k) => {
          const difference = cosine(embedding, label.positive) - cosine(embedding, label.negative);
          const expected = rule === 'difference' ? difference : 1 / (1 + Math.exp(-difference));
          expect(Math.abs((scores.data as Float32Array)[row * 3 + k]! - expected)).toBeLessThan(1e-5);
        });
      }
      const metadata = result.files[0]!;
      expect(Buffer.from(metadata.bytes).includes(Buffer.from('["Cardiomegaly","Edema","Pleural Effusion"]'))).toBe(true);
    });
  }
});

describe('external data', () => {
  it('loads from the written directory with the same outputs', async () => {
    const weights = weightsFor(clip);
    const inline = compileOnnx(clip, { graphs: ['image_tower'], weights });
    const out = join(scratch, 'external');
    const written = writeOnnxArtifacts(clip, { graphs: ['image_tower'], weights, externalDataThreshold: 4096 }, out);
    expect(written.diagnostics.map((d) => d.code)).toEqual(['TIER4021']);
    expect(readdirSync(out).sort()).toEqual(['image_tower.onnx', 'image_tower.onnx.data']);
    const fromDisk = await ort.InferenceSession.create(join(out, 'image_tower.onnx'));
    const fromBytes = await ort.InferenceSession.create(inline.files[0]!.bytes);
    const feed = imageFeed(clip, 2);
    const a = await fromDisk.run(feed);
    const b = await fromBytes.run(feed);
    expect(Array.from(a.image_embedding!.data as Float32Array)).toEqual(Array.from(b.image_embedding!.data as Float32Array));
  });
});

const python = '/usr/bin/python3';
const hasOnnx = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasOnnx)('onnx.checker (needs python3-onnx; skipped when import onnx fails)', () => {
  for (const opset of [13, 15, 17]) {
    it(`accepts every graph at opset ${opset}`, () => {
      const out = join(scratch, `checker-${opset}`);
      const labels = [{ name: 'Edema', positive: [1, 0, 0, 0, 0, 0], negative: [0, 1, 0, 0, 0, 0] }];
      const written = [
        ...writeOnnxArtifacts(clip, { graphs: ['image_tower', 'text_tower', 'similarity_map'], weights: weightsFor(clip), opset }, join(out, 'clip')).files,
        ...writeOnnxArtifacts(convnet, { graphs: ['image_tower', 'zeroshot'], weights: weightsFor(convnet), opset, zeroshot: { labels, rule: 'softmax2' } }, join(out, 'convnet')).files,
      ];
      expect(written).toHaveLength(5);
      const script = 'import onnx, sys\nfor path in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(path), full_check=True)\nprint("ok", len(sys.argv) - 1)';
      const run = spawnSync(python, ['-c', script, ...written], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('ok 5');
    });
  }
});
