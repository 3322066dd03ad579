// Embeddings for evaluation: one pass of the tfjs forward over a data split in file order
// (global image embeddings, patch and token embeddings, the model's token-to-patch similarity),
// and a text encoder for prompts that runs the text tower beside blank images.
import type { Dataset, ManifestRow, TextTokenizer } from '../data/index.js';
import { encodeBatch } from '../data/index.js';
import type { TextEncoder, Tensor } from '../eval/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { blankImages, type ForwardRunner } from './forward.js';
import { toTrainerBatch } from './source.js';
import { PipelineError } from './spec.js';

export interface SplitEmbeddings {
  /** Manifest rows in the order of the embeddings. */
  rows: ManifestRow[];
  /** Global image embeddings [image, dim]. */
  image: Tensor;
  /** Patch embeddings [image, patch, dim], when the model has them. */
  patches: Tensor | undefined;
  /** Pooled text embedding of each image's own report [image, dim]. */
  text: Tensor | undefined;
  /** Token embeddings of each image's own report [image, token, dim], zero-padded to the longest report. */
  tokens: Tensor | undefined;
  /** The model's token-to-patch similarity [image, token, patch], zero-padded like `tokens`. */
  similarity: Tensor | undefined;
  /** Real (non-padding) tokens of each report. */
  tokenCounts: number[];
}

const imageOutput = 'image_embedding';
const optionalOutputs = ['patch_embeddings', 'text_embedding', 'token_embeddings', 'similarity'];

/** Runs the forward pass over `split` in batches of `batchSize`; the split is read in file order. */
export async function embedSplit(runner: ForwardRunner, dataset: Dataset, split: string, batchSize: number, workers = 1): Promise<SplitEmbeddings> {
  const outputs = runner.model.MODEL.outputs;
  if (!outputs.includes(imageOutput)) {
    throw new PipelineError([makeDiagnostic('TIER8003', `The model has no '${imageOutput}' output, which zero-shot evaluation needs; its outputs are ${outputs.map((o) => `'${o}'`).join(', ')}.`, undefined)]);
  }
  const wanted = [imageOutput, ...optionalOutputs.filter((name) => outputs.includes(name))];
  const loader = dataset.loader({ split, batchSize, training: false, workers });
  const rowsByIndex = new Map(dataset.rows(split).map((row) => [row.index, row]));
  const rows: ManifestRow[] = [];
  const parts: Record<string, Tensor[]> = {};
  const tokenCounts: number[] = [];
  try {
    for await (const batch of loader.batches(0)) {
      const result = await runner.run(toTrainerBatch(batch), wanted);
      for (const name of wanted) (parts[name] ??= []).push(result[name] as Tensor);
      batch.rowIds.forEach((id) => rows.push(rowsByIndex.get(id) as ManifestRow));
      const [count, width] = batch.tokenShape;
      for (let b = 0; b < count; b++) {
        let real = 0;
        for (let t = 0; t < width; t++) real += batch.attentionMask[b * width + t] as number;
        tokenCounts.push(real);
      }
    }
  } finally {
    await loader.close();
  }
  const joined = (name: string): Tensor | undefined => (parts[name] === undefined ? undefined : concatPadded(parts[name] as Tensor[], 1));
  return {
    rows,
    image: joined(imageOutput) as Tensor,
    patches: joined('patch_embeddings'),
    text: joined('text_embedding'),
    tokens: joined('token_embeddings'),
    similarity: joined('similarity'),
    tokenCounts,
  };
}

/** Encodes prompts with the text tower (images are blank, which the text outputs do not read). */
export function promptEncoder(runner: ForwardRunner, tokenizer: TextTokenizer, text: { maxLen: number; padding: 'longest' | 'max_length' }): TextEncoder {
  return async (texts) => {
    if (!runner.model.MODEL.outputs.includes('text_embedding')) {
      throw new PipelineError([makeDiagnostic('TIER8003', "The model has no 'text_embedding' output, which zero-shot prompts need.", undefined)]);
    }
    const encoded = encodeBatch(tokenizer, texts, text);
    const result = await runner.run(
      {
        ...blankImages(runner.model, texts.length),
        tokenIds: encoded.tokenIds,
        tokenShape: encoded.shape,
        attentionMask: Float32Array.from(encoded.attentionMask),
        eotIndex: encoded.eotIndex,
      },
      ['text_embedding'],
    );
    const embedding = result.text_embedding as Tensor;
    const width = embedding.shape[1] as number;
    return texts.map((_, i) => embedding.data.slice(i * width, (i + 1) * width));
  };
}

/**
 * Stacks batch tensors along axis 0; axis `padAxis` may differ between batches (the token axis
 * of `pad: longest`) and is zero-padded to the largest. Tensors of rank 2 are stacked as given.
 */
export function concatPadded(parts: readonly Tensor[], padAxis: number): Tensor {
  const first = parts[0] as Tensor;
  if (first.shape.length <= padAxis + 1 && first.shape.length < 3) {
    const total = parts.reduce((n, part) => n + (part.shape[0] as number), 0);
    const data = new Float32Array(total * (first.data.length / (first.shape[0] as number)));
    let offset = 0;
    for (const part of parts) {
      data.set(part.data, offset);
      offset += part.data.length;
    }
    return { data, shape: [total, ...first.shape.slice(1)] };
  }
  const longest = Math.max(...parts.map((part) => part.shape[padAxis] as number));
  const tail = first.shape.slice(padAxis + 1).reduce((a, b) => a * b, 1);
  const total = parts.reduce((n, part) => n + (part.shape[0] as number), 0);
  const data = new Float32Array(total * longest * tail);
  let row = 0;
  for (const part of parts) {
    const count = part.shape[0] as number;
    const length = part.shape[padAxis] as number;
    for (let i = 0; i < count; i++) {
      const source = part.data.subarray(i * length * tail, (i + 1) * length * tail);
      data.set(source, (row + i) * longest * tail);
    }
    row += count;
  }
  const shape = [...first.shape];
  shape[0] = total;
  shape[padAxis] = longest;
  return { data, shape };
}
