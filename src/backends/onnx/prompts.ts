// Prompt embeddings for the zero-shot graph: the text tower runs in onnxruntime-node on
// tokenized prompts, and each prompt set becomes the re-normalized mean of its members'
// embeddings, as CheXpert zero-shot evaluation averages its prompts.
import type { TensorValue } from '../../ir/interpret.js';
import type { IrModule } from '../../ir/types.js';
import { compileOnnx } from './compile.js';
import type { Weights } from './weights.js';

/**
 * Computes `text_embedding` for a batch of tokenized texts with the exported text tower.
 * `inputs` contains the text tower's inputs by name (token ids, and the attention mask or pool
 * index when the model has them). Throws an Error with the diagnostics when export fails.
 */
export async function embedTexts(module: IrModule, weights: Weights, inputs: Record<string, TensorValue>, opset?: number): Promise<number[][]> {
  const compiled = compileOnnx(module, { graphs: ['text_tower'], weights, externalDataThreshold: Infinity, ...(opset === undefined ? {} : { opset }) });
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`The text tower cannot be exported: ${errors.map((d) => `${d.message} [${d.code}]`).join(' ')}`);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(compiled.files[0]!.bytes);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const name of session.inputNames) {
    const declared = module.inputs.find((input) => input.name === name)!;
    const value = inputs[name];
    if (!value) throw new Error(`The text tower needs the input '${name}', which was not given.`);
    feeds[name] = declared.type.dtype === 'f32'
      ? new ort.Tensor('float32', Float32Array.from(value.data), value.shape)
      : new ort.Tensor('int32', Int32Array.from(value.data), value.shape);
  }
  const result = (await session.run(feeds)).text_embedding!;
  const [rows, width] = result.dims as [number, number];
  const data = result.data as Float32Array;
  return Array.from({ length: rows }, (_, row) => Array.from(data.subarray(row * width, (row + 1) * width)));
}

/** Averages L2-normalized prompt embeddings and normalizes the mean, giving one vector per prompt set. */
export function averagePromptSet(embeddings: readonly (readonly number[])[]): number[] {
  if (embeddings.length === 0) throw new Error('A prompt set needs at least one prompt embedding.');
  const width = embeddings[0]!.length;
  const mean = new Array<number>(width).fill(0);
  for (const embedding of embeddings) {
    const norm = Math.hypot(...embedding) || 1;
    embedding.forEach((value, i) => (mean[i]! += value / norm / embeddings.length));
  }
  const norm = Math.hypot(...mean) || 1;
  return mean.map((value) => value / norm);
}
