// `tierc compile --target onnx` on a copy of the phantom spec: every graph of the export block,
// the zero-shot scorer with prompt embeddings from the exported weights, `--weights` from a
// safetensors checkpoint, and the errors that leave nothing written.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/backends/onnx/index.js';
import { check, compile } from '../../../src/compile.js';
import { encodeBatch, WordPieceTokenizer } from '../../../src/data/tokenizer/index.js';
import { nodeHost } from '../../../src/driver/host.js';
import { embedPrompts, expandPrompts, scoreImages } from '../../../src/eval/index.js';
import { initializeParams } from '../../../src/ir/init.js';
import { interpret, type TensorValue } from '../../../src/ir/interpret.js';
import type { IrModule } from '../../../src/ir/types.js';
import { encodeSafetensors, type SafeTensor } from '../../../src/runtime/safetensors.js';
import { runCli } from './run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'tierc-onnx-compile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The spec reads its vocabulary from data/phantom/vocab.txt next to it. These tokens cover the
// words of the spec's prompts; anything else becomes [UNK].
const vocabulary = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', 'the', 'is', 'are', 'a', 'there', 'no', 'present', 'heart', 'enlarged',
  'cardiomegaly', 'pleural', 'effusion', 'consolidation', 'nodule', 'pneumothorax', 'lungs', 'clear', 'acute', 'process',
  'blunting', 'of', 'costophrenic', 'angle', 'focal', 'airspace', 'opacity', 'pulmonary', 'seen', 'cardiopulmonary',
];
const specFile = join(scratch, 'phantom_small.tier');
writeFileSync(specFile, readFileSync(join(root, 'specs', 'phantom_small.tier'), 'utf8'));
mkdirSync(join(scratch, 'data', 'phantom'), { recursive: true });
writeFileSync(join(scratch, 'data', 'phantom', 'vocab.txt'), `${vocabulary.join('\n')}\n`);

const checked = check({ entry: specFile, host: nodeHost(scratch), cwd: scratch });
const module = checked.models.find((model) => model.name === 'phantom_small')!.module;
const trainSeed = checked.configs!.train.find((config) => config.model === 'phantom_small')!.seed;
const zeroshotConfig = checked.configs!.eval.find((config) => config.zeroshot !== undefined)!.zeroshot!;

function cli(...argv: string[]): ReturnType<typeof runCli> {
  return runCli(scratch, argv);
}

function image(batch: number): TensorValue {
  const data = Array.from({ length: batch * 64 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.8);
  return { shape: [batch, 1, 64, 64], data };
}

/** Returns text embeddings from the reference interpreter, with the prompts tokenized as in the spec's preprocess block. */
function interpreterEncoder(weights: Map<string, Float32Array>) {
  const tokenizer = new WordPieceTokenizer(vocabulary);
  return async (texts: string[]) => {
    const encoded = encodeBatch(tokenizer, texts, { maxLen: 32, padding: 'longest' });
    const inputs: Record<string, TensorValue> = {};
    for (const input of module.inputs) {
      if (input.role === 'image') inputs[input.name] = image(texts.length);
      if (input.role === 'token_ids') inputs[input.name] = { shape: [...encoded.shape], data: encoded.tokenIds };
      if (input.role === 'attention_mask') inputs[input.name] = { shape: [...encoded.shape], data: encoded.attentionMask };
      if (input.role === 'pool_index') inputs[input.name] = { shape: [texts.length], data: encoded.eotIndex };
    }
    const { text_embedding: embedding } = interpret(module, { inputs, weights, mode: 'inference', outputs: ['text_embedding'] });
    const width = embedding!.shape[1]!;
    return texts.map((_, row) => Float32Array.from(embedding!.data.subarray(row * width, (row + 1) * width)));
  };
}

async function runZeroShot(file: string, batch: number): Promise<{ dims: readonly number[]; data: Float32Array }> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const input = image(batch);
    const result = await session.run({ image: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) });
    return { dims: result.scores!.dims, data: result.scores!.data as Float32Array };
  } finally {
    await session.release();
  }
}

/** Zero-shot scores [image, label] computed without ONNX: interpreter embeddings and the evaluation layer's scoring. */
async function referenceScores(weights: Map<string, Float32Array>, batch: number): Promise<number[]> {
  const prompts = await embedPrompts(expandPrompts({ labels: zeroshotConfig.labels, negatives: zeroshotConfig.negatives }), interpreterEncoder(weights));
  const inputs = { image: image(batch) };
  const { image_embedding: embedding } = interpret(module, { inputs, weights, mode: 'inference', outputs: ['image_embedding'] });
  const scores = scoreImages(embedding!, prompts, { rule: zeroshotConfig.score });
  return Array.from({ length: batch }, (_, i) => scores.labels.map((label) => scores.scores[label]![i]!)).flat();
}

function checkpointFile(name: string, tensors: Map<string, SafeTensor>): string {
  const file = join(scratch, name);
  writeFileSync(file, encodeSafetensors(tensors, { spec_hash: 'not-this-model' }));
  return file;
}

function checkpointOf(weights: Map<string, Float32Array>): Map<string, SafeTensor> {
  return new Map(module.params.map((param) => [param.name, { dtype: 'F32' as const, shape: param.shape, data: weights.get(param.name)! }]));
}

describe('compile --target onnx', () => {
  it('writes every graph of the export block', async () => {
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'seeded');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(join(scratch, 'seeded', 'phantom_small')).sort()).toEqual(['image_tower.onnx', 'similarity_map.onnx', 'text_tower.onnx', 'zeroshot.onnx']);
  });

  it('writes only the graphs of --graphs', async () => {
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'chosen', '--graphs', 'image_tower,zeroshot');
    expect(result.code).toBe(0);
    expect(readdirSync(join(scratch, 'chosen', 'phantom_small')).sort()).toEqual(['image_tower.onnx', 'zeroshot.onnx']);
    const unknown = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'unknown', '--graphs', 'image_tower,scores');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error TIER4007: 'scores' is not an ONNX graph kind");
    expect(existsSync(join(scratch, 'unknown'))).toBe(false);
  });

  it('bakes in prompt embeddings of the exported weights', async () => {
    const file = join(scratch, 'seeded', 'phantom_small', 'zeroshot.onnx');
    const metadata = new Map(decodeModel(readFileSync(file)).metadataProps.map((entry) => [entry.key, entry.value]));
    expect(JSON.parse(metadata.get('tierc.labels')!)).toEqual(Object.keys(zeroshotConfig.labels));
    expect(metadata.get('tierc.weights')).toBe(`seeded initialization, seed ${trainSeed}`);
    const scores = await runZeroShot(file, 2);
    expect(scores.dims).toEqual([2, Object.keys(zeroshotConfig.labels).length]);
    const expected = await referenceScores(initializeParams(module, trainSeed), 2);
    expected.forEach((value, i) => expect(Math.abs(scores.data[i]! - value), `score ${i}`).toBeLessThan(1e-5));
  });

  it('embeds the weights of --weights', async () => {
    const weights = initializeParams(module, 7);
    const file = checkpointFile('trained.safetensors', checkpointOf(weights));
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'trained', '--weights', 'trained.safetensors');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning TIER4014');
    const zeroshot = join(scratch, 'trained', 'phantom_small', 'zeroshot.onnx');
    const scores = await runZeroShot(zeroshot, 1);
    const expected = await referenceScores(weights, 1);
    expected.forEach((value, i) => expect(Math.abs(scores.data[i]! - value), `score ${i}`).toBeLessThan(1e-5));
    const metadata = new Map(decodeModel(readFileSync(zeroshot)).metadataProps.map((entry) => [entry.key, entry.value]));
    expect(metadata.get('tierc.weights')).toBe('checkpoint trained.safetensors');
    expect(existsSync(file)).toBe(true);
  });

  it('takes the checkpoint through the library API', async () => {
    const weights = initializeParams(module, 7);
    const report = await compile({ entry: specFile, host: nodeHost(scratch), cwd: scratch }, { target: 'onnx', weights: 'trained.safetensors', opset: 20 });
    expect(report.ok).toBe(true);
    const tower = report.artifacts.find((artifact) => artifact.path === 'phantom_small/image_tower.onnx')!;
    expect(Number(decodeModel(tower.bytes!).opsetImport[0]!.version)).toBe(20);
    const session = await ort.InferenceSession.create(tower.bytes!);
    const input = image(1);
    const result = await session.run({ image: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) });
    await session.release();
    const reference = interpret(module, { inputs: { image: input }, weights, mode: 'inference', outputs: ['image_embedding'] }).image_embedding!;
    Array.from(reference.data).forEach((value, i) => expect(Math.abs((result.image_embedding!.data as Float32Array)[i]! - value)).toBeLessThan(1e-5));
  });

  it('reports every mismatch of a checkpoint', async () => {
    const tensors = checkpointOf(initializeParams(module, 7));
    const [first, second, third] = module.params;
    tensors.delete(first!.name);
    tensors.delete(second!.name);
    tensors.set(third!.name, { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    tensors.set('extra.weight', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
    checkpointFile('mismatch.safetensors', tensors);
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'mismatch', '--weights', 'mismatch.safetensors');
    expect(result.code).toBe(1);
    const codes = [...result.stderr.matchAll(/error (TIER\d{4})/g)].map((match) => match[1]);
    expect(codes.sort()).toEqual(['TIER4010', 'TIER4010', 'TIER4011', 'TIER4012']);
    expect(result.stderr).toContain(`'${first!.name}'`);
    expect(result.stderr).toContain("'extra.weight'");
    expect(existsSync(join(scratch, 'mismatch'))).toBe(false);
  });

  it('reports a truncated checkpoint', async () => {
    const bytes = encodeSafetensors(checkpointOf(initializeParams(module, 7)));
    writeFileSync(join(scratch, 'truncated.safetensors'), bytes.subarray(0, bytes.length - 100));
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'truncated', '--weights', 'truncated.safetensors');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error TIER4013');
    expect(existsSync(join(scratch, 'truncated'))).toBe(false);
  });

  it('rejects an opset outside 13 to 21', async () => {
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'opset', '--opset', '22');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--opset <n>' argument '22' is invalid. Expected a whole number from 13 to 21.");
    expect(existsSync(join(scratch, 'opset'))).toBe(false);
    const report = await compile({ entry: specFile, host: nodeHost(scratch), cwd: scratch }, { target: 'onnx', opset: 22 });
    expect(report.ok).toBe(false);
    expect(report.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(['TIER4001 Opset 22 is not supported; choose an opset from 13 to 21.']);
    expect(report.artifacts).toEqual([]);
  });

  it('rejects an output path that is a file', async () => {
    writeFileSync(join(scratch, 'taken'), 'not a folder');
    const result = await cli('compile', 'phantom_small.tier', '--target', 'onnx', '-o', 'taken');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is a file, not a directory; choose another output directory with -o.");
    expect(readFileSync(join(scratch, 'taken'), 'utf8')).toBe('not a folder');
  });

  it('names a missing tokenizer file', async () => {
    const folder = join(scratch, 'novocab');
    mkdirSync(folder);
    writeFileSync(join(folder, 'phantom_small.tier'), readFileSync(specFile, 'utf8'));
    const result = await cli('compile', 'novocab/phantom_small.tier', '--target', 'onnx', '-o', 'novocab/out');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error TIER4008');
    expect(result.stderr).toContain(join(folder, 'data', 'phantom', 'vocab.txt'));
    expect(existsSync(join(folder, 'out'))).toBe(false);
  });
});
