// Loads pretrained weights from a safetensors file into the parameters that name it,
// through an optional map from parameter names to tensor names. Every missing, unexpected
// and mis-shaped tensor is reported, not only the first. `startingWeights` gives a model's
// seeded weights with its encoders' `init:` files loaded, for `tierc train` and emitted programs.
import { dirname, resolve } from 'node:path';
import { initializeParams } from '../ir/init.js';
import type { IrModule, Param } from '../ir/types.js';
import { TrainingError, trainingWarning } from './errors.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { readSafetensors, SafetensorsError, type SafetensorsFile } from './safetensors.js';

/**
 * Absolute paths of the files that parameters name with `init:`, by the spec file that declares
 * the parameter (its span's file, '' without a span) and then by the path as written there.
 * `tierc compile --target tfjs` prints this into train.js.
 */
export type InitFiles = Record<string, Record<string, string>>;

/**
 * Resolves each `init:` file of `params` against the folder of the spec file that declares it, as
 * every path in a spec is resolved. Span files are relative to `cwd`.
 */
export function resolveInitFiles(params: readonly Param[], cwd: string): InitFiles {
  const files: InitFiles = {};
  for (const param of params) {
    if (!param.pretrained) continue;
    const spec = param.span?.file ?? '';
    const bySpec = (files[spec] ??= {});
    bySpec[param.pretrained.file] ??= resolve(cwd, spec === '' ? '.' : dirname(spec), param.pretrained.file);
  }
  return files;
}

/**
 * Returns seeded initial weights with every parameter that names a pretrained file loaded from
 * it. `files` maps each file to its path (see `resolveInitFiles`). A file it lacks is read from
 * the path as written, relative to the process's working folder. Missing or mis-shaped tensors
 * are errors (the first one thrown, the rest sent to `onDiagnostic`), and unused tensors are
 * warnings sent to `onDiagnostic`.
 */
export function startingWeights(params: readonly Param[], seed: number, onDiagnostic?: (diagnostic: Diagnostic) => void, files: InitFiles = {}): Map<string, Float32Array> {
  const weights = initializeParams({ params } as IrModule, seed);
  const byFile = new Map<string, Param[]>();
  for (const param of params) {
    if (!param.pretrained) continue;
    const file = files[param.span?.file ?? '']?.[param.pretrained.file] ?? param.pretrained.file;
    byFile.set(file, [...(byFile.get(file) ?? []), param]);
  }
  for (const [file, fileParams] of byFile) {
    const loaded = loadPretrained(file, fileParams);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    for (const diagnostic of loaded.diagnostics) if (diagnostic.severity !== 'error') onDiagnostic?.(diagnostic);
    if (errors.length > 0) {
      for (const diagnostic of errors.slice(1)) onDiagnostic?.(diagnostic);
      throw new TrainingError(errors[0]!.code, `${errors[0]!.message}${errors.length > 1 ? ` (${errors.length - 1} more problems reported)` : ''}`, errors[0]!.span);
    }
    for (const [name, values] of loaded.weights) weights.set(name, values);
  }
  return weights;
}

export interface PretrainedLoad {
  weights: Map<string, Float32Array>;
  /** TIER6007 (missing), TIER6008 (unexpected) and TIER6009 (shape) diagnostics. */
  diagnostics: Diagnostic[];
}

/**
 * Reads `file` and returns the values of `params` found in it. `tensorName` maps a parameter
 * to its tensor name in the file (by default `param.pretrained.tensor`, then the parameter name).
 */
export function loadPretrained(file: string, params: readonly Param[], tensorName?: (param: Param) => string): PretrainedLoad {
  let parsed: SafetensorsFile;
  try {
    parsed = readSafetensors(file);
  } catch (error) {
    const span = params[0]?.span;
    if (error instanceof SafetensorsError) throw new TrainingError('TIER6006', error.message, span);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TrainingError('TIER6020', `The pretrained weights file '${file}' that 'init:' names does not exist; put the file there, or remove 'init:' to start from seeded weights.`, span);
    }
    throw new TrainingError('TIER6006', `The weights file '${file}' cannot be read: ${(error as Error).message}.`, span);
  }
  const weights = new Map<string, Float32Array>();
  const diagnostics: Diagnostic[] = [];
  const used = new Set<string>();
  for (const param of params) {
    const name = tensorName ? tensorName(param) : (param.pretrained?.tensor ?? param.name);
    const tensor = parsed.tensors.get(name);
    if (tensor === undefined) {
      diagnostics.push(trainingWarning('TIER6007', `The weights file '${file}' has no tensor '${name}' for parameter '${param.name}'.`, param.span));
      continue;
    }
    used.add(name);
    if (tensor.shape.length !== param.shape.length || tensor.shape.some((s, i) => s !== param.shape[i])) {
      diagnostics.push(trainingWarning('TIER6009', `Tensor '${name}' in '${file}' has shape [${tensor.shape.join(', ')}] but parameter '${param.name}' has shape [${param.shape.join(', ')}].`, param.span));
      continue;
    }
    weights.set(param.name, Float32Array.from(tensor.data));
  }
  for (const name of parsed.tensors.keys()) {
    if (!used.has(name)) diagnostics.push(trainingWarning('TIER6008', `Tensor '${name}' in '${file}' is not used by any parameter.`));
  }
  return { weights, diagnostics };
}
