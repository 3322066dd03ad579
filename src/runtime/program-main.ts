// The entry point an emitted `train.js` calls: parses its command line, picks initial
// weights (seeded init), trains on synthetic batches and prints one JSON line per step.
// NOTE: real data needs the data loader wired in here; until then an emitted program trains
// on synthetic batches shaped from the model's inputs.
import { initializeParams } from '../ir/init.js';
import type { IrModule } from '../ir/types.js';
import { isBackendName, type BackendName } from './backend.js';
import { syntheticDataSource } from './data.js';
import { TrainingError } from './errors.js';
import type { CompiledModel, ModelInfo } from './model.js';
import { trainCompiled, type TrainOptions } from './trainer.js';

export interface ProgramArgs {
  steps: number;
  batch: number;
  seed: number;
  lr: number;
  out?: string;
  resume: boolean;
  backend?: BackendName;
  accumulate: number;
}

/** Parses `--steps N --batch N --seed N --lr X --accumulate N --out DIR --resume --backend NAME`. */
export function parseProgramArgs(argv: string[]): ProgramArgs {
  const args: ProgramArgs = { steps: 10, batch: 8, seed: 0, lr: 1e-4, resume: false, accumulate: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`Option '${flag}' needs a value.`);
      return next;
    };
    const number = () => {
      const text = value();
      const parsed = Number(text);
      if (!Number.isFinite(parsed)) throw new Error(`Option '${flag}' needs a number, got '${text}'.`);
      return parsed;
    };
    switch (flag) {
      case '--steps': args.steps = number(); break;
      case '--batch': args.batch = number(); break;
      case '--seed': args.seed = number(); break;
      case '--lr': args.lr = number(); break;
      case '--accumulate': args.accumulate = number(); break;
      case '--out': args.out = value(); break;
      case '--resume': args.resume = true; break;
      case '--backend': {
        const name = value();
        if (!isBackendName(name)) throw new Error(`Unknown backend '${name}'; use tensorflow-gpu, tensorflow, wasm or cpu.`);
        args.backend = name;
        break;
      }
      default: throw new Error(`Unknown option '${flag}'.`);
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

/** Runs the emitted program; returns the process exit code. */
export async function runTrainingProgram(model: CompiledModel, argv: string[], write: (line: string) => void = (line) => process.stdout.write(line)): Promise<number> {
  let args: ProgramArgs;
  try {
    args = parseProgramArgs(argv);
  } catch (error) {
    write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  const info = model.MODEL;
  const options: TrainOptions = {
    steps: args.steps,
    seed: args.seed,
    optimizer: { kind: 'adamw', lr: args.lr, weightDecay: 0.2 },
    initialWeights: initializeParams({ params: info.params } as IrModule, args.seed),
    resume: args.resume,
    accumulate: args.accumulate,
  };
  if (args.backend) options.backend = args.backend;
  if (args.out) {
    options.checkpoint = { dir: `${args.out}/checkpoints`, every: Math.max(1, args.steps) };
    options.metricsFile = `${args.out}/metrics.jsonl`;
  }
  try {
    await trainCompiled(model, options, syntheticSourceFor(info, args.batch, args.seed, info.vocabSize ?? 1000), {
      onStep: (m) => write(JSON.stringify({ step: m.step, loss: m.loss, terms: m.terms }) + '\n'),
    });
  } catch (error) {
    if (error instanceof TrainingError) {
      write(`error ${error.diagnostic.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  return 0;
}
