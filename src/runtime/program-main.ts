// The entry point an emitted train.js calls. It parses the command line and trains the model
// through `runTraining`, the entry `tierc train` uses, with the setup (data, preprocessing,
// train and eval blocks, paths resolved at compile time) that the compiler printed into
// train.js. It prints one JSON line per step and per evaluation on stdout, and diagnostics on
// stderr. A model whose spec has no train block with a data block gets a null setup and trains
// on synthetic batches shaped from the model's inputs, as `tierc train` does for such a spec.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import type { TrainingSetup } from '../pipeline/setup.js';
import { isBackendName, type BackendName } from './backend.js';
import { syntheticDataSource } from './data.js';
import { TrainingError } from './errors.js';
import type { CompiledModel, ModelInfo } from './model.js';
import type { StepMetrics } from './metrics.js';
import { startingWeights, type InitFiles } from './pretrained.js';
import { trainCompiled, type TrainOptions } from './trainer.js';

export interface ProgramArgs {
  steps?: number;
  batch?: number;
  seed?: number;
  lr?: number;
  out?: string;
  resume: boolean;
  backend?: BackendName;
  accumulate?: number;
  /** Folder that replaces the data folder recorded at compile time. */
  data?: string;
  help: boolean;
}

export interface ProgramIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

export interface ProgramOptions {
  /** Output streams and working folder; default the process's. */
  io?: ProgramIo;
  /** Absolute paths of the encoders' `init:` files, which train.js records at compile time. */
  initFiles?: InitFiles;
}

const processIo: ProgramIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  cwd: process.cwd(),
};

/** Returns the --help text of an emitted program for the model `name`. */
export function programHelp(name: string, setup: TrainingSetup | null): string {
  const about = setup === null
    ? `Trains model '${name}' on synthetic batches, because its spec has no train block with a data block.`
    : `Trains model '${name}' with the settings of the spec's train block on split '${setup.train.data.split}' of data '${setup.data.name}' in '${setup.dataRoot}'.`;
  return [
    `Usage: node train.js [options]`,
    '',
    about,
    'Each step prints one JSON line with the loss terms, and each evaluation one line with its',
    'metrics and duration in seconds. The run folder gets settings.json, metrics.jsonl and checkpoints/.',
    '',
    'Options:',
    '  --steps N        optimizer steps (default: the train block duration)',
    '  --batch N        batch size (default: the train block batch)',
    '  --seed N         seed of initialization, data order and dropout (default: the train block seed)',
    '  --lr X           learning rate in place of the optimizer\'s',
    '  --accumulate N   micro-batches per optimizer step (default 1)',
    `  --out DIR        run folder (default: runs/${name} under the working directory)`,
    '  --resume         continue from the newest checkpoint in the run folder',
    '  --backend NAME   force a backend: tensorflow-gpu, tensorflow, wasm or cpu',
    '  --data DIR       read the manifest, images and tokenizer from DIR in place of the folder',
    '                   recorded at compile time; DIR must have the same layout',
    '  -h, --help       print this help and exit',
    '',
  ].join('\n');
}

/** Parses the emitted program's options; throws an Error with a usage message for bad input. */
export function parseProgramArgs(argv: string[]): ProgramArgs {
  const args: ProgramArgs = { resume: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`Option '${flag}' needs a value.`);
      return next;
    };
    const whole = () => {
      const text = value();
      const parsed = Number(text);
      if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`Option '${flag}' takes a whole number, got '${text}'.`);
      return parsed;
    };
    switch (flag) {
      case '--steps': args.steps = whole(); break;
      case '--batch': args.batch = whole(); break;
      case '--seed': args.seed = whole(); break;
      case '--accumulate': args.accumulate = whole(); break;
      case '--lr': {
        const text = value();
        const parsed = Number(text);
        if (!(parsed > 0) || !Number.isFinite(parsed)) throw new Error(`Option '--lr' takes a positive number, got '${text}'.`);
        args.lr = parsed;
        break;
      }
      case '--out': args.out = value(); break;
      case '--data': args.data = value(); break;
      case '--resume': args.resume = true; break;
      case '-h': case '--help': args.help = true; break;
      case '--backend': {
        const name = value();
        if (!isBackendName(name)) throw new Error(`Unknown backend '${name}'; use tensorflow-gpu, tensorflow, wasm or cpu.`);
        args.backend = name;
        break;
      }
      default: throw new Error(`Unknown option '${flag}'; run with --help for the options.`);
    }
  }
  return args;
}

/** Synthetic data shaped like the model's image and token inputs. */
export function syntheticSourceFor(info: ModelInfo, batch: number, seed: number, vocab: number) {
  const image = info.inputs.find((i) => i.role === 'image');
  const tokens = info.inputs.find((i) => i.role === 'token_ids');
  const size = (axis: { size: number | string } | undefined, fallback: number) => (typeof axis?.size === 'number' ? axis.size : fallback);
  const maxOf = (axis: { size: number | string } | undefined) => info.symbols.find((s) => s.name === axis?.size)?.max;
  return syntheticDataSource({
    batchSize: batch,
    channels: size(image?.type.axes[1], 3),
    imageSize: size(image?.type.axes[2], 64),
    tokens: size(tokens?.type.axes[1], maxOf(tokens?.type.axes[1]) ?? 16),
    vocab,
    seed,
  });
}

/** Runs the emitted program; returns the process exit code (0 ok, 1 input errors, 2 usage). */
export async function runTrainingProgram(model: CompiledModel, setup: TrainingSetup | null, argv: string[], options: ProgramOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const initFiles = options.initFiles ?? {};
  let args: ProgramArgs;
  try {
    args = parseProgramArgs(argv);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(programHelp(model.MODEL.name, setup));
    return 0;
  }
  const printStep = (m: StepMetrics) => io.stdout(JSON.stringify({ step: m.step, loss: m.loss, terms: m.terms }) + '\n');
  // The pipeline and the data layer load only here, so that model.js imports a light runtime.
  const { renderDiagnostics } = await import('../diagnostics/render.js');
  const render = (diagnostics: Diagnostic[]) => io.stderr(renderDiagnostics(diagnostics, { sources: readSource, color: false }));
  try {
    if (setup === null) {
      if (args.data !== undefined) throw new TrainingError('TIER8007', `Option '--data' has no effect, because the spec of model '${model.MODEL.name}' has no train block with a data block.`);
      await trainSynthetic(model, args, io, initFiles, printStep, render);
      return 0;
    }
    const { runTraining } = await import('../pipeline/train.js');
    const resolved = await resolveSetup(setup, args, io.cwd);
    const training: import('../pipeline/train.js').RunTrainingOptions = { outDir: resolve(io.cwd, args.out ?? `runs/${setup.model}`), resume: args.resume, initFiles };
    if (args.steps !== undefined) training.steps = args.steps;
    if (args.batch !== undefined) training.batch = args.batch;
    if (args.seed !== undefined) training.seed = args.seed;
    if (args.lr !== undefined) training.lr = args.lr;
    if (args.accumulate !== undefined) training.accumulate = args.accumulate;
    if (args.backend !== undefined) training.backend = args.backend;
    await runTraining(model, resolved, training, {
      onStep: printStep,
      onEvaluation: (step, metrics, seconds) => io.stdout(JSON.stringify({ step, evaluation: metrics, seconds }) + '\n'),
      onDiagnostic: (d) => render([d]),
    });
    return 0;
  } catch (error) {
    const diagnostics = await diagnosticsOf(error);
    if (diagnostics === undefined) throw error;
    render(diagnostics);
    return 1;
  }
}

/** Checks the setup's format and data paths, applying --data; throws TIER8007 for what cannot run. */
async function resolveSetup(setup: TrainingSetup, args: ProgramArgs, cwd: string): Promise<TrainingSetup> {
  const { missingDataPaths, rebaseSetup, TRAINING_SETUP_VERSION } = await import('../pipeline/setup.js');
  if (setup.version !== TRAINING_SETUP_VERSION) {
    throw new TrainingError('TIER8007', `This train.js was compiled for training setup format ${setup.version}, and the installed tierc runtime reads format ${TRAINING_SETUP_VERSION}; compile the spec again with 'tierc compile --target tfjs'.`);
  }
  const resolved = args.data === undefined ? setup : rebaseSetup(setup, resolve(cwd, args.data));
  const missing = missingDataPaths(resolved);
  if (missing.length > 0) {
    const first = missing[0]!;
    const hint = args.data === undefined
      ? `create the data there, or pass --data DIR with a folder laid out like '${setup.dataRoot}'`
      : `the folder given with --data must be laid out like '${setup.dataRoot}'`;
    const owner = first.data === undefined ? '' : ` of data '${first.data}'`;
    throw new TrainingError('TIER8007', `The ${first.what} '${first.path}'${owner} does not exist${missing.length > 1 ? ` (nor ${missing.slice(1).map((entry) => `the ${entry.what}`).join(' and ')})` : ''}; ${hint}.`);
  }
  return resolved;
}

/**
 * Trains on synthetic batches for a model whose spec has no data to train on.
 * NOTE: this path uses its own defaults (AdamW, lr 1e-4, batch 8, 10 steps) and ignores a train
 * block without data, while `tierc train` reads that block's optimizer for such a spec.
 */
async function trainSynthetic(model: CompiledModel, args: ProgramArgs, io: ProgramIo, initFiles: InitFiles, printStep: (m: StepMetrics) => void, render: (d: Diagnostic[]) => void): Promise<void> {
  const info = model.MODEL;
  const steps = args.steps ?? 10;
  const seed = args.seed ?? 0;
  const options: TrainOptions = {
    steps,
    seed,
    optimizer: { kind: 'adamw', lr: args.lr ?? 1e-4, weightDecay: 0.2 },
    initialWeights: () => startingWeights(info.params, seed, (d) => render([d]), initFiles),
    batchSize: args.batch ?? 8,
    resume: args.resume,
    accumulate: args.accumulate ?? 1,
  };
  if (args.backend) options.backend = args.backend;
  if (args.out) {
    const out = resolve(io.cwd, args.out);
    options.checkpoint = { dir: `${out}/checkpoints`, every: Math.max(1, steps) };
    options.metricsFile = `${out}/metrics.jsonl`;
  }
  await trainCompiled(model, options, syntheticSourceFor(info, options.batchSize!, seed, info.vocabSize ?? 1000), { onStep: printStep, onDiagnostic: (d) => render([d]) });
}

/** Returns the diagnostics of an error the user can fix, or undefined for a bug. */
async function diagnosticsOf(error: unknown): Promise<Diagnostic[] | undefined> {
  if (error instanceof TrainingError) return [error.diagnostic];
  const { PipelineError } = await import('../pipeline/spec.js');
  if (error instanceof PipelineError) return error.diagnostics;
  const { DataError, issueToDiagnostic } = await import('../data/index.js');
  if (error instanceof DataError) return [issueToDiagnostic(error.issue)];
  const { EvalError, evalIssueToDiagnostic } = await import('../eval/index.js');
  if (error instanceof EvalError) return [evalIssueToDiagnostic(error.issue)];
  return undefined;
}

/** Reads a spec file for caret lines; a file that is gone renders without them. */
function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
