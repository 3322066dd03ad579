// Checks the ONNX graphs of a trained model against the tfjs forward pass. Both get the same
// weights and the same batch of the spec's own data. Every graph runs in onnxruntime-node, and
// each output's maximum absolute and relative difference is compared with the tolerance. The
// zero-shot graph gets the prompt embeddings of the trained text tower and is compared with the
// evaluation layer's scores. With `exportDir` the checked graphs are also written there.
import type * as Ort from 'onnxruntime-node';
import { compileOnnx, PREPROCESS_METADATA_KEY, writeOnnxArtifacts, zeroShotOptions, type OnnxGraphKind, type ZeroShotOptions } from '../backends/onnx/index.js';
import { specHash } from '../ir/hash.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { embedPrompts, expandPrompts, scoreImages, type Tensor } from '../eval/index.js';
import type { BackendName } from '../runtime/backend.js';
import { promptEncoder } from './embed.js';
import { createForwardRunner } from './forward.js';
import { openSpecDataset, toTrainerBatch } from './source.js';
import type { SpecPlan } from './spec.js';
import { loadWeights } from './weights.js';

export const VERIFY_TOLERANCE = 1e-4;

export interface VerifySpecOptions {
  cwd: string;
  weights: string;
  /** Maximum absolute difference allowed per output; default 1e-4. */
  tolerance?: number;
  /** Images in the test batch; default 4. */
  images?: number;
  backend?: BackendName;
  /** Also write the verified graphs to this folder. */
  exportDir?: string;
  /** Receives warnings, such as TIER6022 for a run folder's newest checkpoint that was skipped. */
  onDiagnostic?(diagnostic: Diagnostic): void;
}

export interface OutputDifference {
  graph: OnnxGraphKind;
  output: string;
  shape: number[];
  maxAbsDiff: number;
  /** max |onnx − tfjs| / max(|tfjs|, 1e-6). */
  maxRelDiff: number;
  ok: boolean;
}

export interface VerifySpecResult {
  ok: boolean;
  checkpoint: string;
  backend: BackendName;
  tolerance: number;
  comparisons: OutputDifference[];
  diagnostics: Diagnostic[];
  /** Files written under `exportDir`. */
  files: string[];
}

const graphOutputs: Record<Exclude<OnnxGraphKind, 'zeroshot'>, string[]> = {
  image_tower: ['image_embedding', 'patch_embeddings'],
  text_tower: ['text_embedding', 'token_embeddings'],
  similarity_map: ['similarity'],
};

/** Compiles, runs and compares the graphs; never throws for an output above tolerance (see `ok`). */
export async function verifySpec(plan: SpecPlan, options: VerifySpecOptions): Promise<VerifySpecResult> {
  const tolerance = options.tolerance ?? VERIFY_TOLERANCE;
  const loaded = loadWeights(options.weights, options.cwd, specHash(plan.model.module));
  for (const warning of loaded.warnings ?? []) options.onDiagnostic?.(warning);
  const dataset = openSpecDataset(plan, 'verify with');
  const split = plan.evals[0]?.data.split ?? plan.train?.data.split ?? dataset.manifest.rows[0]?.split ?? 'test';
  const loader = dataset.loader({ split, batchSize: options.images ?? 4, training: false, workers: 0 });
  let batch;
  try {
    const first = await loader.batches(0).next();
    if (first.done) throw new Error(`Split '${split}' has no rows.`);
    batch = toTrainerBatch(first.value);
  } finally {
    await loader.close();
  }

  const runner = await createForwardRunner(plan.model.module, loaded.weights, { specFile: plan.specFile, ...(options.backend ? { backend: options.backend } : {}) });
  try {
    const outputs = Object.values(graphOutputs).flat().filter((name) => runner.model.MODEL.outputs.includes(name));
    const expected = await runner.run(batch, outputs);
    const wanted = plan.export?.graphs ?? ['image_tower', 'text_tower', 'similarity_map', 'zeroshot'];
    const graphs = wanted.filter((graph) => graph !== 'similarity_map' || runner.model.MODEL.outputs.includes('similarity'));
    let zeroshot: ZeroShotOptions | undefined;
    const evalConfig = plan.evals.find((config) => config.zeroshot !== undefined);
    if (graphs.includes('zeroshot') && evalConfig?.zeroshot !== undefined && expected.image_embedding !== undefined) {
      const preprocess = plan.preprocess!;
      const prompts = await embedPrompts(
        expandPrompts({ labels: evalConfig.zeroshot.labels, negatives: evalConfig.zeroshot.negatives }),
        promptEncoder(runner, dataset.tokenizer, { maxLen: preprocess.text.maxLen, padding: preprocess.text.padding }),
      );
      zeroshot = zeroShotOptions(prompts, evalConfig.zeroshot.score);
      const scores = scoreImages(expected.image_embedding, prompts, { rule: evalConfig.zeroshot.score });
      const rows = scores.labels.map((label) => scores.scores[label] as Float64Array);
      const count = scores.imageCount;
      const data = new Float32Array(count * rows.length);
      rows.forEach((column, k) => column.forEach((value, i) => (data[i * rows.length + k] = value)));
      expected.scores = { data, shape: [count, rows.length] };
    }
    const kinds = graphs.filter((graph) => graph !== 'zeroshot' || zeroshot !== undefined) as OnnxGraphKind[];
    const compileOptions = {
      graphs: kinds,
      weights: loaded.weights,
      ...(plan.export ? { opset: plan.export.opset, dynamic: plan.export.dynamic } : {}),
      ...(zeroshot ? { zeroshot } : {}),
      spec: { file: plan.specFile, hash: specHash(plan.model.module) },
      // `tierc run` reads the test-time preprocessing from this entry, so exported graphs see images as in training.
      metadata: { [PREPROCESS_METADATA_KEY]: JSON.stringify(dataset.preprocessMetadata()) },
    };
    const compiled = compileOnnx(plan.model.module, { ...compileOptions, externalDataThreshold: Infinity });
    const diagnostics: Diagnostic[] = [...compiled.diagnostics];
    const comparisons: OutputDifference[] = [];
    const ort = await import('onnxruntime-node');
    for (const file of compiled.files) {
      const kind = file.name.replace(/\.onnx$/, '') as OnnxGraphKind;
      let results: Ort.InferenceSession.OnnxValueMapType;
      try {
        const session = await ort.InferenceSession.create(file.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
        results = await session.run(feedsFor(ort, session.inputNames, plan.model.module.inputs, batch));
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        diagnostics.push(makeDiagnostic('TIER8004', `onnxruntime failed on graph '${kind}': ${message}`, undefined));
        continue;
      }
      for (const [name, value] of Object.entries(results)) {
        const reference = expected[name];
        if (reference === undefined) continue;
        const comparison = compare(kind, name, reference, value.dims as readonly number[], value.data as ArrayLike<number>, tolerance);
        comparisons.push(comparison);
        if (!comparison.ok) {
          diagnostics.push(makeDiagnostic('TIER8004', `Output '${name}' of graph '${kind}' differs from the tfjs forward pass by ${comparison.maxAbsDiff.toExponential(3)}, above the tolerance ${tolerance}.`, undefined));
        }
      }
    }
    let files: string[] = [];
    if (options.exportDir !== undefined && !diagnostics.some((d) => d.severity === 'error')) {
      const written = writeOnnxArtifacts(plan.model.module, compileOptions, options.exportDir);
      diagnostics.push(...written.diagnostics.filter((d) => d.severity === 'error'));
      files = written.files;
    }
    return { ok: !diagnostics.some((d) => d.severity === 'error') && comparisons.length > 0, checkpoint: loaded.path, backend: runner.backend, tolerance, comparisons, diagnostics, files };
  } finally {
    runner.dispose();
  }
}

type OrtModule = typeof Ort;

function feedsFor(ort: OrtModule, names: readonly string[], inputs: SpecPlan['model']['module']['inputs'], batch: ReturnType<typeof toTrainerBatch>): Record<string, Ort.Tensor> {
  const feeds: Record<string, Ort.Tensor> = {};
  const [count, width] = batch.tokenShape;
  for (const name of names) {
    const input = inputs.find((entry) => entry.name === name);
    switch (input?.role) {
      case 'image': feeds[name] = new ort.Tensor('float32', batch.images, batch.imageShape); break;
      case 'token_ids': feeds[name] = new ort.Tensor('int32', batch.tokenIds, [count, width]); break;
      case 'attention_mask': feeds[name] = new ort.Tensor('float32', batch.attentionMask ?? new Float32Array(count * width).fill(1), [count, width]); break;
      case 'pool_index': feeds[name] = new ort.Tensor('int32', batch.eotIndex ?? new Int32Array(count), [count]); break;
      default: throw new Error(`graph input '${name}' has no value in a data batch`);
    }
  }
  return feeds;
}

function compare(graph: OnnxGraphKind, output: string, expected: Tensor, shape: readonly number[], actual: ArrayLike<number>, tolerance: number): OutputDifference {
  const sameShape = shape.length === expected.shape.length && shape.every((dim, i) => dim === expected.shape[i]);
  if (!sameShape || actual.length !== expected.data.length) {
    return { graph, output, shape: [...shape], maxAbsDiff: Infinity, maxRelDiff: Infinity, ok: false };
  }
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  for (let i = 0; i < actual.length; i++) {
    const reference = expected.data[i] as number;
    const diff = Math.abs(Number(actual[i]) - reference);
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff);
    maxRelDiff = Math.max(maxRelDiff, diff / Math.max(Math.abs(reference), 1e-6));
  }
  return { graph, output, shape: [...shape], maxAbsDiff, maxRelDiff, ok: maxAbsDiff <= tolerance };
}

