// Trains a compiled model on a spec's own data. `runTraining` is the one entry that both
// `tierc train` (through `trainSpec`, which compiles the model in memory) and an emitted
// train.js (through the runtime's `runTrainingProgram`) call. It opens the train split through
// the data layer and hands the train block's optimizer, schedule, seed and checkpoint rule to the
// trainer, evaluating the setup's eval blocks at each checkpoint. It writes the run directory
// (settings.json, metrics.jsonl, checkpoints/) in the layout the report reads. Resuming first
// checks that the newest checkpoint comes from the same model, loss weights and batch size.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileTfjs } from '../backends/tfjs/index.js';
import { tiercVersion } from '../cli/version.js';
import type { Dataset } from '../data/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { BackendName, BackendReport } from '../runtime/backend.js';
import { listCheckpoints, type CheckpointWriter } from '../runtime/checkpoint.js';
import type { CompiledModel } from '../runtime/model.js';
import type { CheckpointOptions, TrainHooks, TrainOptions, TrainResult } from '../runtime/trainer.js';
import { TrainingError } from '../runtime/errors.js';
import { trainCompiled } from '../runtime/trainer.js';
import { resolveInitFiles, startingWeights, type InitFiles } from '../runtime/pretrained.js';
import { writeSettings } from '../report/write.js';
import { checkResume } from './resume.js';
import { higherIsBetter, openSetupDataset, trainingSetupOf, type TrainingSetup } from './setup.js';
import { loaderDataSource } from './source.js';
import { PipelineError, type SpecPlan } from './spec.js';
import { trainingEvaluation } from './train-eval.js';
import { patchWasmOneHot } from './wasm-one-hot.js';

export interface RunTrainingOptions {
  /** Absolute run directory. */
  outDir: string;
  /** Optimizer steps; default the train block's duration (epochs × batches per epoch). */
  steps?: number;
  batch?: number;
  seed?: number;
  /** Learning rate in place of the optimizer's. */
  lr?: number;
  /** Micro-batches per optimizer step; default 1. */
  accumulate?: number;
  backend?: BackendName;
  wasmThreads?: number;
  resume?: boolean;
  /** Loader worker threads; default 1 (decoding is cheap next to a training step). */
  workers?: number;
  /** Extra settings.json entries, for example a description of the data. */
  settings?: Record<string, unknown>;
  /** Writes checkpoint files; tests pass one that fails to simulate a full disk. */
  checkpointWriter?: CheckpointWriter;
  /** The folder that the spec's file names are relative to, for the pretrained files its encoders name with `init:`. */
  specCwd?: string;
  /** Absolute paths of the `init:` files, in place of resolving them against `specCwd` (an emitted train.js records them). */
  initFiles?: InitFiles;
}

export interface TrainSpecOptions extends Omit<RunTrainingOptions, 'outDir'> {
  /** Run directory; default `runs/<model>` under `cwd`. */
  outDir?: string;
  cwd: string;
}

export interface TrainSpecResult extends Omit<TrainResult, 'weights'> {
  outDir: string;
  /** Folder of the newest checkpoint. */
  checkpoint: string | undefined;
  batch: number;
  batchesPerEpoch: number;
  /** Wall-clock seconds of the training loop, data loading and evaluation included. */
  seconds: number;
}

/** Trains `plan.model`; throws PipelineError, DataError or TrainingError for problems the user can fix. */
export async function trainSpec(plan: SpecPlan, options: TrainSpecOptions, hooks: TrainHooks = {}): Promise<TrainSpecResult> {
  if (plan.train === undefined) {
    throw new PipelineError([makeDiagnostic('TIER8001', `Model '${plan.model.name}' has no train block; add 'train { model: ${plan.model.name} … }' to the spec.`, plan.model.span)], plan.checked.sources);
  }
  const setup = trainingSetupOf(plan);
  const model = compileTfjs(plan.model.module, { specFile: plan.specFile });
  const { cwd, outDir, ...rest } = options;
  try {
    return await runTraining(model, setup, { ...rest, outDir: resolve(cwd, outDir ?? `runs/${plan.model.name}`), specCwd: cwd }, hooks);
  } catch (error) {
    // Diagnostics point into the spec, so they render with its source lines.
    if (error instanceof PipelineError && error.sources.size === 0) throw new PipelineError(error.diagnostics, plan.checked.sources);
    throw error;
  }
}

/** Trains `model` with the settings in `setup`, overridden by those given in `options`. */
export async function runTraining(model: CompiledModel, setup: TrainingSetup, options: RunTrainingOptions, hooks: TrainHooks = {}): Promise<TrainSpecResult> {
  const config = setup.train;
  const outDir = options.outDir;
  if (options.resume !== true && hasCheckpoints(outDir)) {
    throw new PipelineError([makeDiagnostic('TIER8001', `The run folder '${outDir}' already has checkpoints; pass --resume to continue that run, or choose another folder with --out.`, config.span)]);
  }
  const batch = options.batch ?? config.batch;
  const seed = options.seed ?? config.seed;
  if (!Number.isInteger(batch) || batch < 1) throw new TrainingError('TIER6013', `The batch size must be a whole number of at least 1, got ${batch}.`);
  const dataset = openSetupDataset(setup, true);
  // Training drops the last short batch, so no step gets a batch too small for contrastive negatives.
  const loader = dataset.loader({ split: config.data.split, batchSize: batch, training: true, seed, workers: options.workers ?? 1, dropLast: true });
  try {
    const batchesPerEpoch = loader.batchesPerEpoch;
    if (batchesPerEpoch === 0) {
      throw new PipelineError([makeDiagnostic('TIER8001', `Split '${config.data.split}' has ${dataset.rows(config.data.split).length} rows, fewer than one batch of ${batch}; lower the batch size.`, config.span)]);
    }
    const steps = options.steps ?? (config.duration.unit === 'steps' ? config.duration.value : config.duration.value * batchesPerEpoch);
    const schedule = config.schedule.kind === 'cosine' ? { kind: 'cosine' as const, warmupSteps: Math.min(config.schedule.warmupSteps, steps), minLr: config.schedule.minLr } : { kind: 'constant' as const };
    const { kind, lr, weightDecay, betas, eps, momentum } = config.optimizer;
    const initFiles = options.initFiles ?? (options.specCwd === undefined ? {} : resolveInitFiles(model.MODEL.params, options.specCwd));
    const checkpoint = checkpointOptions(setup, outDir, steps, batchesPerEpoch);
    if (options.checkpointWriter !== undefined) checkpoint.writer = options.checkpointWriter;
    let backend: BackendName | undefined;
    const trainOptions: TrainOptions = {
      optimizer: { kind, lr: options.lr ?? lr, weightDecay, betas, eps, momentum },
      schedule,
      steps,
      seed,
      checkpoint,
      metricsFile: `${outDir}/metrics.jsonl`,
      // Loaded after the trainer's wasm memory check, so a model too large for the heap is not allocated.
      initialWeights: () => startingWeights(model.MODEL.params, seed, (diagnostic) => hooks.onDiagnostic?.(diagnostic), initFiles),
      batchSize: batch,
    };
    if (options.accumulate !== undefined) trainOptions.accumulate = options.accumulate;
    if (options.backend !== undefined) trainOptions.backend = options.backend;
    if (options.wasmThreads !== undefined) trainOptions.wasmThreads = options.wasmThreads;
    if (options.resume === true) trainOptions.resume = true;
    if (setup.evals.length > 0) {
      // Evaluation reads its splits without augmentation, so it opens the training data a second time.
      // NOTE: the train block's `eval` blocks run at each checkpoint, not after each epoch when the checkpoint interval differs.
      const datasets = new Map<string, Dataset>();
      for (const config of setup.evals) if (!datasets.has(config.data.name)) datasets.set(config.data.name, openSetupDataset(setup, false, config.data.name));
      trainOptions.evaluation = { every: checkpoint.every, run: trainingEvaluation(model, setup, datasets, () => backend ?? 'cpu') };
    }
    const lossWeights = Object.fromEntries(model.MODEL.losses.map((loss) => [loss.name, loss.weight.kind === 'constant' ? loss.weight.value : loss.weight]));
    if (options.resume === true) checkResume(outDir, { specHash: model.MODEL.specHash, batch, lossWeights });
    await patchWasmOneHot();

    const started = performance.now();
    const result = await trainCompiled(model, trainOptions, loaderDataSource(loader), {
      ...hooks,
      onStart(info) {
        backend = info.backend.chosen;
        writeRunSettings(outDir, {
          spec: { name: setup.model, file: setup.specFile, hash: model.MODEL.specHash },
          backend: `tfjs-${info.backend.chosen}`,
          ...(info.backend.chosen === 'wasm' ? { kernels: kernelSettings(info.backend) } : {}),
          seeds: { train: seed, data: seed },
          steps,
          epochs: Number((steps / batchesPerEpoch).toFixed(2)),
          batch,
          tiercVersion: tiercVersion(),
          createdAt: new Date().toISOString(),
          lossWeights,
          optimizer: { ...config.optimizer, lr: trainOptions.optimizer.lr },
          ...options.settings,
        });
        hooks.onStart?.(info);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const { weights: _weights, ...rest } = result;
    const checkpoints = listCheckpoints(`${outDir}/checkpoints`);
    return { ...rest, outDir, checkpoint: checkpoints[checkpoints.length - 1]?.path, batch, batchesPerEpoch, seconds };
  } finally {
    await loader.close();
  }
}

/**
 * Checkpoints every N steps (an epoch count becomes steps) and after the last step. "Keep best
 * K by eval.NAME.METRIC" keeps the K best by that metric and also the newest checkpoint, so that
 * --resume continues where training stopped.
 */
function checkpointOptions(setup: TrainingSetup, outDir: string, steps: number, batchesPerEpoch: number): CheckpointOptions {
  const config = setup.train.checkpoint;
  const every = config.every.unit === 'steps' ? config.every.value : config.every.value * batchesPerEpoch;
  const dir = `${outDir}/checkpoints`;
  const clamped = Math.max(1, Math.min(every, Math.max(1, steps)));
  if (config.keep.mode === 'last') return { dir, every: clamped, keepLast: config.keep.count, keepBest: 0 };
  const metric = `eval.${config.keep.eval}.${config.keep.metric}`;
  return { dir, every: clamped, keepLast: 1, keepBest: config.keep.count, metric, mode: higherIsBetter(config.keep.metric) ? 'max' : 'min' };
}

/**
 * Records which kernels ran on the wasm backend, because the native and the wasm kernels give
 * losses that differ in the last bits: 'native avx2-fma, 2 threads' or 'wasm, 1 thread'.
 */
function kernelSettings(report: BackendReport): string {
  const native = report.nativeMatmul;
  if (native?.used) return `native ${native.isa}, ${native.threads} ${native.threads === 1 ? 'thread' : 'threads'}`;
  const threads = report.wasmThreads ?? 1;
  return `wasm, ${threads} ${threads === 1 ? 'thread' : 'threads'}`;
}

/** Writes settings.json; a failed write becomes TIER6018 naming the run folder. */
function writeRunSettings(outDir: string, settings: Parameters<typeof writeSettings>[1]): void {
  try {
    writeSettings(outDir, settings);
  } catch (error) {
    throw new TrainingError('TIER6018', `Writing settings.json in the run folder '${outDir}' failed: ${(error as Error).message}. Free space or choose another run folder with --out.`);
  }
}

/** Returns whether the run folder `dir` has checkpoints, so that a new run does not mix with an old one. */
export function hasCheckpoints(dir: string): boolean {
  return existsSync(`${dir}/checkpoints`) && listCheckpoints(`${dir}/checkpoints`).length > 0;
}
