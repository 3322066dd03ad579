// Loads pretrained weights from a safetensors file into the parameters that name it,
// through an optional map from parameter names to tensor names. Every missing, unexpected
// and mis-shaped tensor is reported, not only the first.
import type { Param } from '../ir/types.js';
import { TrainingError, trainingWarning } from './errors.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { readSafetensors, SafetensorsError, type SafetensorsFile } from './safetensors.js';

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
