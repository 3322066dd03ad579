// The tfjs backend: lowers an IR module to a readable training program (`model.js` and
// `train.js`) that imports only tfjs and `tierc/runtime`, or to the same model in memory.
import type { IrModule } from '../../ir/types.js';
import { tiercVersion } from '../../cli/version.js';
import { compileInMemory } from './evaluate.js';
import { lowerModule } from './lower.js';
import { printProgram, type PrintedFile } from './print.js';
import type { TfjsProgram } from './program.js';
import type { CompiledModel } from '../../runtime/model.js';
import { initializeParams } from '../../ir/init.js';
import type { DataSource } from '../../runtime/data.js';
import { trainCompiled, type TrainHooks, type TrainOptions, type TrainResult } from '../../runtime/trainer.js';

export type { TfjsProgram, Statement, ComponentFunction, Operand, Literal } from './program.js';
export type { PrintedFile } from './print.js';
export { lowerModule, specHash } from './lower.js';
export { compileInMemory } from './evaluate.js';
export { jsString, commentText, jsLiteral } from './escape.js';

export interface EmitTfjsOptions {
  /** The spec file named in the banner and comments; defaults to `<module name>.tier`. */
  specFile?: string;
  /** Defaults to the package version. */
  tiercVersion?: string;
}

export interface EmitTfjsResult {
  files: PrintedFile[];
  program: TfjsProgram;
}

/** Emits `model.js` and `train.js` for `module`. Generating twice gives identical bytes. */
export async function emitTfjs(module: IrModule, options: EmitTfjsOptions = {}): Promise<EmitTfjsResult> {
  const program = lowerModule(module, lowerOptions(options));
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
 * weights default to `initializeParams(module, options.seed)`.
 */
export async function trainModule(
  module: IrModule,
  options: Omit<TrainOptions, 'initialWeights'> & { initialWeights?: Map<string, Float32Array>; specFile?: string },
  data: DataSource,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const { specFile, initialWeights, ...rest } = options;
  const model = compileTfjs(module, specFile !== undefined ? { specFile } : {});
  return trainCompiled(model, { ...rest, initialWeights: initialWeights ?? initializeParams(module, options.seed) }, data, hooks);
}
