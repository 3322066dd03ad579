// runOnnxImages: runs an exported image graph (image_tower, zeroshot) in onnxruntime-node on
// image files. Images are decoded and preprocessed with the test-time pipeline recorded in
// the model's `tierc.preprocess` metadata; without it they are only resized to the input size.
import { readFileSync } from 'node:fs';
import type { PreprocessMetadata, TransformSpec } from '../../data/index.js';
import { decodeModel } from './dump.js';

/** metadata_props key holding the JSON test-time preprocessing that `tierc run` applies. */
export const PREPROCESS_METADATA_KEY = 'tierc.preprocess';

export interface OutputSummary {
  name: string;
  /** Shape of the whole batch's output. */
  shape: number[];
  /** Per image: the output's values, its first values and its L2 norm. */
  images: { values: number[]; first: number[]; norm: number }[];
}

export interface RunResult {
  graph: string;
  images: string[];
  /** Zero-shot graphs: one score per label and image. */
  scores?: { labels: string[]; rows: number[][] };
  outputs: OutputSummary[];
  /** Whether the images were normalized with metadata constants, or only resized. */
  preprocessing: 'metadata' | 'resize only';
}

export class OnnxRunError extends Error {}

export async function runOnnxImages(modelPath: string, imagePaths: string[], options: { first?: number } = {}): Promise<RunResult> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(modelPath);
  } catch (error) {
    throw new OnnxRunError(`Cannot read the ONNX model '${modelPath}': ${(error as Error).message}.`);
  }
  let model;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new OnnxRunError(`'${modelPath}' is not an ONNX model: ${(error as Error).message}.`);
  }
  const metadata = Object.fromEntries(model.metadataProps.map((entry) => [entry.key!, entry.value!]));
  const inputs = model.graph?.input ?? [];
  if (inputs.length !== 1 || inputs[0]!.name !== 'image') {
    const names = inputs.map((input) => `'${input.name}'`).join(', ');
    throw new OnnxRunError(`Model '${modelPath}' takes the inputs ${names}; tierc run feeds one input named 'image' (image_tower and zeroshot graphs).`);
  }
  const dims = inputs[0]!.type!.tensorType!.shape!.dim!.map((dim) => (dim.dimParam ? -1 : Number(dim.dimValue)));
  const [, channels, height, width] = dims as [number, number, number, number];
  if (dims.length !== 4 || ![1, 3].includes(channels) || !(height > 0) || !(width > 0)) {
    throw new OnnxRunError(`The 'image' input of '${modelPath}' has shape [${dims.join(', ')}]; expected [batch, 1 or 3, height, width] with fixed sizes.`);
  }

  const preprocess = readPreprocess(metadata[PREPROCESS_METADATA_KEY], modelPath);
  const steps: TransformSpec[] = preprocess ? (preprocess.steps as unknown as TransformSpec[]) : [{ op: 'resize', size: [height, width] }];
  // Loaded here so that importing the backend does not load the image decoders.
  const { applyTransforms, decodeImageFile } = await import('../../data/index.js');
  const batch = new Float32Array(imagePaths.length * channels * height * width);
  let decodeChannels = channels as 1 | 3;
  if (preprocess) decodeChannels = preprocess.input_channels === 3 ? 3 : 1;
  for (const [index, path] of imagePaths.entries()) {
    const decoded = await decodeImageFile(path, { channels: decodeChannels });
    const image = applyTransforms(decoded, steps);
    if (image.channels !== channels || image.height !== height || image.width !== width) {
      throw new OnnxRunError(`Image '${path}' is [${image.channels}, ${image.height}, ${image.width}] after preprocessing, but the model expects [${channels}, ${height}, ${width}].`);
    }
    batch.set(image.data, index * image.data.length);
  }

  const ort = await import('onnxruntime-node');
  const hasExternal = (model.graph?.initializer ?? []).some((tensor) => tensor.dataLocation === 1);
  const session = hasExternal
    ? await ort.InferenceSession.create(modelPath)
    : await ort.InferenceSession.create(bytes);
  const results = await session.run({ image: new ort.Tensor('float32', batch, [imagePaths.length, channels, height, width]) });
  const first = options.first ?? 4;
  const outputs = session.outputNames.map((name) => summarize(name, results[name]!.dims as number[], results[name]!.data as Float32Array, imagePaths.length, first));
  const result: RunResult = { graph: model.graph?.name ?? '', images: imagePaths, outputs, preprocessing: preprocess ? 'metadata' : 'resize only' };
  if (metadata['tierc.labels'] && results.scores) {
    const labels = JSON.parse(metadata['tierc.labels']) as string[];
    result.scores = { labels, rows: outputs.find((o) => o.name === 'scores')!.images.map((image) => image.values) };
  }
  return result;
}

function summarize(name: string, shape: number[], data: Float32Array, images: number, first: number): OutputSummary {
  const perImage = data.length / images;
  return {
    name,
    shape,
    images: Array.from({ length: images }, (_, i) => {
      const values = Array.from(data.subarray(i * perImage, (i + 1) * perImage));
      return { values, first: values.slice(0, first), norm: Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) };
    }),
  };
}

function readPreprocess(text: string | undefined, modelPath: string): PreprocessMetadata | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as PreprocessMetadata;
    if (Array.isArray(parsed.steps)) return parsed;
  } catch {
    // Reported below.
  }
  throw new OnnxRunError(`The '${PREPROCESS_METADATA_KEY}' metadata of '${modelPath}' is not a JSON object with a 'steps' list.`);
}
