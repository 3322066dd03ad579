// Trains the model of a spec on the spec's own data. The train split comes through the data
// layer and the model is compiled for tfjs in memory. The trainer gets the train block's
// optimizer, schedule, seed and checkpoints, and the run directory (settings.json,
// metrics.jsonl, checkpoints/) is written in the layout the report reads. Resuming first checks
// that the newest checkpoint comes from the same model, loss weights and batch size.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileTfjs } from '../backends/tfjs/index.js';
import { tiercVersion } from '../cli/version.js';
import type { TrainConfig } from '../config/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { initializeParams } from '../ir/init.js';
import type { BackendName } from '../runtime/backend.js';
import { listCheckpoints } from '../runtime/checkpoint.js';
import type { CheckpointOptions, TrainHooks, TrainOptions, TrainResult } from '../runtime/trainer.js';
import { trainCompiled } from '../runtime/trainer.js';
import { writeSettings } from '../report/write.js';
import { checkResume } from './resume.js';
import { loaderDataSource, openSpecDataset } from './source.js';
import { PipelineError, type SpecPlan } from './spec.js';
import { patchWasmOneHot } from './wasm-one-hot.js';

export interface TrainSpecOptions {
  /** Run directory; default `runs/<model>` under `cwd`. */
  outDir?: string;
  cwd: string;
  /** Optimizer steps; default the train block's duration (epochs × batches per epoch). */
  steps?: number;
  batch?: number;
  seed?: number;
  backend?: BackendName;
  resume?: boolean;
  /** Loader worker threads; default 1 (decoding is cheap next to a training step). */
  workers?: number;
  /** Extra settings.json entries, for example a description of the data. */
  settings?: Record<string, unknown>;
}

export interface TrainSpecResult extends Omit<TrainResult, 'weights'> {
  outDir: string;
  /** Folder of the newest checkpoint. */
  checkpoint: string | undefined;
  batch: number;
  batchesPerEpoch: number;
  /** Wall-clock seconds of the training loop, data loading included. */
  seconds: number;
}

/** Trains `plan.model`; throws PipelineError, DataError or TrainingError for problems the user can fix. */
export async function trainSpec(plan: SpecPlan, options: TrainSpecOptions, hooks: TrainHooks = {}): Promise<TrainSpecResult> {
  const config = plan.train;
  if (config === undefined) {
    throw new PipelineError([makeDiagnostic('TIER8001', `Model '${plan.model.name}' has no train block; add 'train { model: ${plan.model.name} … }' to the spec.`, plan.model.span)], plan.checked.sources);
  }
  const outDir = resolve(options.cwd, options.outDir ?? `runs/${plan.model.name}`);
  if (options.resume !== true && hasCheckpoints(outDir)) {
    throw new PipelineError([makeDiagnostic('TIER8001', `The run folder '${outDir}' already has checkpoints; pass --resume to continue that run, or choose another folder with --out.`, config.span)], plan.checked.sources);
  }
  const batch = options.batch ?? config.batch;
  const seed = options.seed ?? config.seed;
  const dataset = openSpecDataset(plan, 'train on', true);
  // Training drops the last short batch, so no step gets a batch too small for contrastive negatives.
  const loader = dataset.loader({ split: config.data.split, batchSize: batch, training: true, seed, workers: options.workers ?? 1, dropLast: true });
  try {
    const batchesPerEpoch = loader.batchesPerEpoch;
    if (batchesPerEpoch === 0) {
      throw new PipelineError([makeDiagnostic('TIER8001', `Split '${config.data.split}' has ${dataset.rows(config.data.split).length} rows, fewer than one batch of ${batch}; lower the batch size.`, config.span)], plan.checked.sources);
    }
    const steps = options.steps ?? (config.duration.unit === 'steps' ? config.duration.value : config.duration.value * batchesPerEpoch);
    const trainOptions: TrainOptions = {
      ...optimizerOptions(config, steps),
      steps,
      seed,
      checkpoint: checkpointOptions(config, outDir, steps, batchesPerEpoch),
      metricsFile: `${outDir}/metrics.jsonl`,
      initialWeights: initializeParams(plan.model.module, seed),
    };
    if (options.backend !== undefined) trainOptions.backend = options.backend;
    if (options.resume === true) trainOptions.resume = true;
    const model = compileTfjs(plan.model.module, { specFile: plan.specFile });
    const lossWeights = Object.fromEntries(model.MODEL.losses.map((loss) => [loss.name, loss.weight.kind === 'constant' ? loss.weight.value : loss.weight]));
    if (options.resume === true) checkResume(outDir, { specHash: model.MODEL.specHash, batch, lossWeights });
    await patchWasmOneHot();

    let backend = 'tfjs';
    const started = performance.now();
    const result = await trainCompiled(model, trainOptions, loaderDataSource(loader), {
      ...hooks,
      onStart(info) {
        backend = `tfjs-${info.backend.chosen}`;
        writeSettings(outDir, {
          spec: { name: plan.model.name, file: plan.specFile, hash: model.MODEL.specHash },
          backend,
          seeds: { train: seed, data: seed },
          steps,
          epochs: Number((steps / batchesPerEpoch).toFixed(2)),
          batch,
          tiercVersion: tiercVersion(),
          createdAt: new Date().toISOString(),
          lossWeights,
          optimizer: config.optimizer,
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

function optimizerOptions(config: TrainConfig, steps: number): Pick<TrainOptions, 'optimizer' | 'schedule'> {
  const { kind, lr, weightDecay, betas, eps, momentum } = config.optimizer;
  const schedule = config.schedule.kind === 'cosine' ? { kind: 'cosine' as const, warmupSteps: Math.min(config.schedule.warmupSteps, steps), minLr: config.schedule.minLr } : { kind: 'constant' as const };
  return { optimizer: { kind, lr, weightDecay, betas, eps, momentum }, schedule };
}

/**
 * Checkpoints every N steps (an epoch count becomes steps) and after the last step. A "keep best
 * by an eval metric" rule keeps the newest ones instead, because no evaluation runs during training.
 */
function checkpointOptions(config: TrainConfig, outDir: string, steps: number, batchesPerEpoch: number): CheckpointOptions {
  const every = config.checkpoint.every.unit === 'steps' ? config.checkpoint.every.value : config.checkpoint.every.value * batchesPerEpoch;
  // NOTE: 'keep best K by eval.X.metric' keeps the last K checkpoints until evaluation runs inside the training loop.
  return { dir: `${outDir}/checkpoints`, every: Math.max(1, Math.min(every, Math.max(1, steps))), keepLast: config.checkpoint.keep.count, keepBest: 0 };
}

/** Returns whether the run folder `dir` has checkpoints, so that a new run does not mix with an old one. */
export function hasCheckpoints(dir: string): boolean {
  return existsSync(`${dir}/checkpoints`) && listCheckpoints(`${dir}/checkpoints`).length > 0;
}
