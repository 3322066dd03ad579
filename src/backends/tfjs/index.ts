// The tfjs backend: lowers an IR module to a readable training program (`model.js` and
// `train.js`) that imports only tfjs and `tierc/runtime`, or to the same model in memory.
import type { IrModule } from '../../ir/types.js';
import { resolveInitFiles, startingWeights as runtimeStartingWeights, type InitFiles } from '../../runtime/pretrained.js';
import { tiercVersion } from '../../cli/version.js';
import { compileInMemory } from './evaluate.js';
import { lowerModule } from './lower.js';
import { printProgram, type PrintedFile } from './print.js';
import type { Literal, TfjsProgram } from './program.js';
import type { TrainingSetup } from '../../pipeline/setup.js';
import type { CompiledModel } from '../../runtime/model.js';
import type { DataSource } from '../../runtime/data.js';
import { trainCompiled, type TrainHooks, type TrainOptions, type TrainResult } from '../../runtime/trainer.js';

export type { TfjsProgram, Statement, ComponentFunction, Operand, Literal } from './program.js';
export type { PrintedFile } from './print.js';
export { lowerModule, specHash } from './lower.js';
export { compileInMemory } from './evaluate.js';
export { clipTierModule, PEER_SMALL, type ClipModelSizes } from './clip-model.js';
export { jsString, commentText, jsLiteral } from './escape.js';

export interface EmitTfjsOptions {
  /** The spec file named in the banner and comments; defaults to `<module name>.tier`. */
  specFile?: string;
  /** Defaults to the package version. */
  tiercVersion?: string;
  /** The training setup that train.js passes to the runtime; without it train.js trains on synthetic batches. */
  setup?: TrainingSetup;
  /** Absolute paths of the encoders' `init:` files (see `resolveInitFiles`), printed into train.js when there are any. */
  initFiles?: InitFiles;
}

export interface EmitTfjsResult {
  files: PrintedFile[];
  program: TfjsProgram;
}

/** Emits `model.js` and `train.js` for `module`. Generating twice gives identical bytes. */
export async function emitTfjs(module: IrModule, options: EmitTfjsOptions = {}): Promise<EmitTfjsResult> {
  const program = lowerModule(module, lowerOptions(options));
  if (options.setup !== undefined) program.setup = options.setup as unknown as Literal;
  if (options.initFiles !== undefined && Object.keys(options.initFiles).length > 0) program.initFiles = options.initFiles;
  return { files: await printProgram(program), program };
}

/** Compiles `module` to a model the runtime can train without writing files. */
export function compileTfjs(module: IrModule, options: EmitTfjsOptions = {}): CompiledModel {
  return compileInMemory(lowerModule(module, lowerOptions(options)));
}

function lowerOptions(options: EmitTfjsOptions) {
  const lowered: { specFile?: string; tiercVersion: string } = { tiercVersion: options.tiercVersion ?? tiercVersion() };
  if (options.specFile !== undefined) lowered.specFile = options.specFile;
  return lowered;
}

/**
 * Compiles `module` in memory and trains it: the entry point for `tierc train`. Initial
 * weights default to `startingWeights(module, options.seed)`: seeded, with pretrained files loaded.
 */
export async function trainModule(
  module: IrModule,
  options: Omit<TrainOptions, 'initialWeights'> & { initialWeights?: Map<string, Float32Array>; specFile?: string },
  data: DataSource,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const { specFile, initialWeights, ...rest } = options;
  const model = compileTfjs(module, specFile !== undefined ? { specFile } : {});
  const weights = initialWeights ?? (() => startingWeights(module, options.seed, hooks));
  return trainCompiled(model, { ...rest, initialWeights: weights }, data, hooks);
}

/**
 * Seeded initial weights with every parameter that names a pretrained file loaded from it (see
 * the runtime's `startingWeights`). With `cwd`, a relative file resolves against the folder of the
 * spec file that declares the parameter, as every path in a spec does. That spec file is the
 * span's, relative to `cwd`. Without `cwd`, a relative file resolves against the process's working folder.
 */
export function startingWeights(module: IrModule, seed: number, hooks: TrainHooks = {}, cwd?: string): Map<string, Float32Array> {
  const files = cwd === undefined ? {} : resolveInitFiles(module.params, cwd);
  return runtimeStartingWeights(module.params, seed, (diagnostic) => hooks.onDiagnostic?.(diagnostic), files);
}
