// `tierc train SPEC [--model NAME] [--steps N] [--batch N] [--seed N] [--backend NAME]
// [-o DIR] [--resume] [--wasm-threads N]`: checks the spec, compiles the model for tfjs in memory and trains it
// with the spec's train block (optimizer, schedule, seed, checkpoints). A progress bar with
// loss, throughput and ETA shows on a terminal; `DIR/metrics.jsonl` gets one line per step
// and `DIR/checkpoints/` the checkpoints. Exit codes: 0 ok, 1 errors in the spec or during
// training, 2 usage error.
import { noModelMessage } from '../../check/frontend/empty.js';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { compileTfjs } from '../../backends/tfjs/index.js';
import { check } from '../../compile.js';
import type { TrainConfig } from '../../config/types.js';
import { renderDiagnostics } from '../../diagnostics/index.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { nodeHost } from '../../driver/index.js';
import type { BackendName } from '../../runtime/backend-names.js';
import { TrainingError } from '../../runtime/errors.js';
import { resolveInitFiles, startingWeights } from '../../runtime/pretrained.js';
import { syntheticSourceFor } from '../../runtime/program-main.js';
import { trainCompiled, type TrainOptions } from '../../runtime/trainer.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';
import { backendOption, checkedText, integerOption, SEED_RANGE } from '../options.js';
import { runSpecTraining, trainsOnSpecData, type SpecTrainFlags } from '../pipeline/train.js';

interface TrainFlags {
  model?: string;
  steps?: string;
  batch?: string;
  seed?: string;
  backend?: BackendName;
  out?: string;
  resume?: boolean;
  wasmThreads?: string;
}

function wholeNumber(flag: string, text: string | undefined, context: CliContext): number | undefined | null {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    context.io.stderr(`tierc train: ${flag} takes a whole number, got '${text}'.\n`);
    context.setExitCode(ExitCode.usage);
    return null;
  }
  return value;
}

/** Training options from the spec's train block, overridden by command-line flags. */
export function trainOptionsFromConfig(config: TrainConfig | undefined, steps: number, seed: number | undefined, outDir: string): Omit<TrainOptions, 'initialWeights'> {
  const optimizer = config?.optimizer ?? { kind: 'adam' as const, lr: 1e-4, weightDecay: 1e-6, betas: [0.9, 0.999] as [number, number], eps: 1e-8, momentum: 0 };
  const keep = config?.checkpoint.keep;
  const every = config?.checkpoint.every.unit === 'steps' ? config.checkpoint.every.value : Math.max(1, steps);
  return {
    steps,
    seed: seed ?? config?.seed ?? 0,
    optimizer: { kind: optimizer.kind, lr: optimizer.lr, weightDecay: optimizer.weightDecay, betas: optimizer.betas, eps: optimizer.eps, momentum: optimizer.momentum },
    schedule: config?.schedule.kind === 'cosine' ? { kind: 'cosine', warmupSteps: config.schedule.warmupSteps, minLr: config.schedule.minLr } : { kind: 'constant' },
    checkpoint: { dir: `${outDir}/checkpoints`, every, keepLast: keep?.mode === 'last' ? keep.count : 1, keepBest: keep?.mode === 'best' ? keep.count : 0, metric: 'loss', mode: 'min' },
    metricsFile: `${outDir}/metrics.jsonl`,
  };
}

async function runTrain(spec: string, flags: TrainFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const stepsFlag = wholeNumber('--steps', flags.steps, context);
  const batchFlag = wholeNumber('--batch', flags.batch, context);
  const seedFlag = wholeNumber('--seed', flags.seed, context);
  const threadsFlag = wholeNumber('--wasm-threads', flags.wasmThreads, context);
  if (stepsFlag === null || batchFlag === null || seedFlag === null || threadsFlag === null) return;
  const checked = check({ entry: spec, host: nodeHost(io.cwd), cwd: io.cwd });
  const render = (diagnostics: Diagnostic[]) => io.stderr(renderDiagnostics(diagnostics, { sources: (file) => checked.sources.get(file), color: useColor(io) }));
  if (checked.diagnostics.length > 0) render(checked.diagnostics);
  if (!checked.ok) {
    context.setExitCode(ExitCode.inputError);
    return;
  }
  if (checked.models.length === 0) {
    io.stderr(`tierc train: ${noModelMessage(spec)}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  const models = flags.model === undefined ? checked.models : checked.models.filter((m) => m.name === flags.model);
  if (models.length !== 1) {
    const names = checked.models.map((m) => `'${m.name}'`).join(', ');
    io.stderr(flags.model === undefined
      ? `tierc train: the spec declares ${checked.models.length} models (${names}); choose one with --model.\n`
      : `tierc train: model '${flags.model}' is not declared; the spec declares ${names || 'no model'}.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const lowered = models[0]!;
  const config = checked.configs?.train.find((c) => c.model === lowered.name);
  if (trainsOnSpecData(checked.configs, lowered.name)) {
    const specFlags: SpecTrainFlags = { model: lowered.name };
    if (stepsFlag !== undefined) specFlags.steps = stepsFlag;
    if (batchFlag !== undefined) specFlags.batch = batchFlag;
    if (seedFlag !== undefined) specFlags.seed = seedFlag;
    if (flags.backend !== undefined) specFlags.backend = flags.backend;
    if (flags.out !== undefined) specFlags.out = flags.out;
    if (flags.resume === true) specFlags.resume = true;
    if (threadsFlag !== undefined) specFlags.wasmThreads = threadsFlag;
    await runSpecTraining(spec, specFlags, context);
    return;
  }
  const steps = stepsFlag ?? (config?.duration.unit === 'steps' ? config.duration.value : undefined);
  if (steps === undefined) {
    io.stderr(`tierc train: the train block gives its duration in epochs, which needs the data loader; pass --steps N.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const outDir = resolve(io.cwd, flags.out ?? `runs/${lowered.name}`);
  const options = trainOptionsFromConfig(config, steps, seedFlag, outDir);
  if (flags.backend !== undefined) options.backend = flags.backend;
  if (flags.resume) options.resume = true;
  if (threadsFlag !== undefined) options.wasmThreads = threadsFlag;
  const model = compileTfjs(lowered.module, { specFile: lowered.span.file });
  // A model that no train block ties to a data block trains on seeded synthetic batches,
  // which checks its shapes, losses and speed. The start line reports it.
  const batch = batchFlag ?? config?.batch ?? 8;
  const data = syntheticSourceFor(model.MODEL, batch, options.seed, model.MODEL.vocabSize ?? 1000);

  const bar = io.isTTY ? new cliProgress.SingleBar({
    format: 'step {value}/{total} [{bar}] loss {loss} | {rate} samples/s | ETA {eta_formatted}',
    stream: { write: (text: string) => io.stderr(text) } as unknown as NodeJS.WritableStream,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic) : undefined;
  try {
    // The encoders' `init:` files resolve against the folder of the spec that names them, as an emitted train.js records them.
    const initialWeights = () => startingWeights(lowered.module.params, options.seed, (d) => render([d]), resolveInitFiles(lowered.module.params, io.cwd));
    const result = await trainCompiled(model, { ...options, initialWeights, batchSize: batch }, data, {
      onStart: (info) => {
        const native = info.backend.nativeMatmul;
        if (native !== undefined && !native.used && process.env['TIERC_NATIVE']?.trim() !== '0') io.stderr(`warning: the native kernels are not used, so training runs slower: ${native.reason}\n`);
        if (threadsFlag !== undefined && info.backend.chosen !== 'wasm') io.stderr(`warning: --wasm-threads applies to the wasm backend only; the '${info.backend.chosen}' backend ignores it.\n`);
        else if (threadsFlag !== undefined && info.backend.wasmThreadsReason?.includes('lowered to')) io.stderr(`warning: --wasm-threads ${threadsFlag} was lowered to ${info.backend.nativeMatmul?.threads ?? info.backend.wasmThreads}, the most tierc uses.\n`);
        if (info.startStep >= info.totalSteps) io.stderr(`warning: the run is already at step ${info.startStep}, so there is nothing to train; pass --steps above ${info.startStep} to continue it.\n`);
        io.stderr(`training '${lowered.name}' on ${info.backend.chosen}: ${info.params} trainable values, steps ${info.startStep}–${info.totalSteps}, on synthetic batches (no train block names a data block for this model)\n`);
        bar?.start(info.totalSteps, info.startStep, { loss: '-', rate: '-' });
      },
      onStep: (m) => bar?.update(m.step, { loss: m.loss.toFixed(4), rate: m.samplesPerSecond.toFixed(1) }),
      onDiagnostic: (d) => render([d]),
    });
    bar?.stop();
    io.stdout(`trained '${lowered.name}' for ${result.steps} ${result.steps === 1 ? 'step' : 'steps'}; final loss ${result.last?.loss.toFixed(5) ?? 'n/a'}; metrics in ${options.metricsFile}\n`);
    context.setExitCode(ExitCode.ok);
  } catch (error) {
    bar?.stop();
    if (!(error instanceof TrainingError)) throw error;
    render([error.diagnostic]);
    context.setExitCode(ExitCode.inputError);
  }
}

export const trainCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('train')
      .description('Train a model of a .tier spec with TensorFlow.js.')
      .argument('<spec>', '.tier spec file')
      .option('--model <name>', 'the model to train when the spec declares several')
      .option('--steps <n>', 'optimizer steps (default: the train block duration in steps)', checkedText(integerOption({ min: 1 })))
      .option('--batch <n>', 'batch size (default: the train block batch)', checkedText(integerOption({ min: 1 })))
      .option('--seed <n>', 'seed of initialization, data order and dropout (default: the train block seed)', checkedText(integerOption(SEED_RANGE)))
      .option('--backend <name>', 'force a backend: tensorflow-gpu, tensorflow, wasm or cpu', backendOption)
      .option('-o, --out <dir>', 'run folder for metrics.jsonl and checkpoints/ (default: runs/<model>)')
      .option('--resume', 'continue from the newest checkpoint in the run folder')
      .option('--wasm-threads <n>', 'compute threads on the wasm backend, used by the native kernels when built (default: TIERC_WASM_THREADS, else one per logical core, at most 8)', checkedText(integerOption({ min: 1 })))
      .action((spec: string, flags: TrainFlags) => runTrain(spec, flags, context));
  },
};
