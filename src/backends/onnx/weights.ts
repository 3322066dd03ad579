// Matching a checkpoint against a module's parameters before export: every missing,
// unexpected and wrongly shaped tensor is reported, not only the first.
import type { Diagnostic } from '../../diagnostics/types.js';
import type { IrModule } from '../../ir/types.js';
import { backendDiagnostic } from './diagnostics.js';

/** A checkpoint tensor: a bare array (only its length is checked) or an array with its shape. */
export type WeightTensor = Float32Array | { shape: number[]; data: Float32Array };

export type Weights = ReadonlyMap<string, WeightTensor>;

export function weightData(tensor: WeightTensor): Float32Array {
  return tensor instanceof Float32Array ? tensor : tensor.data;
}

/** Returns the weights as plain arrays keyed by parameter name, as the interpreter and the emitter read them. */
export function weightArrays(weights: Weights): Map<string, Float32Array> {
  return new Map([...weights].map(([name, tensor]) => [name, weightData(tensor)]));
}

export function checkWeights(module: IrModule, weights: Weights, source = 'the checkpoint'): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const expected = new Map(module.params.map((param) => [param.name, param]));
  for (const param of module.params) {
    const tensor = weights.get(param.name);
    if (!tensor) {
      diagnostics.push(backendDiagnostic('TIER4010', `Parameter '${param.name}' with shape [${param.shape.join(', ')}] is missing from ${source}.`, param.span));
      continue;
    }
    const size = param.shape.reduce((n, dim) => n * dim, 1);
    if (tensor instanceof Float32Array) {
      if (tensor.length !== size) {
        diagnostics.push(backendDiagnostic('TIER4012', `Tensor '${param.name}' in ${source} has ${tensor.length} values, but the parameter has shape [${param.shape.join(', ')}] (${size} values).`, param.span));
      }
      continue;
    }
    const sameShape = tensor.shape.length === param.shape.length && tensor.shape.every((dim, i) => dim === param.shape[i]);
    if (!sameShape || tensor.data.length !== size) {
      diagnostics.push(backendDiagnostic('TIER4012', `Tensor '${param.name}' in ${source} has shape [${tensor.shape.join(', ')}], but the parameter has shape [${param.shape.join(', ')}].`, param.span));
    }
  }
  for (const name of [...weights.keys()].sort()) {
    if (!expected.has(name)) diagnostics.push(backendDiagnostic('TIER4011', `Tensor '${name}' in ${source} is not a parameter of model '${module.name}'.`));
  }
  return diagnostics;
}
