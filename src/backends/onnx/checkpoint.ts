// Reading weights for export: a safetensors file, or a training checkpoint folder holding
// `model.safetensors`. Problems with the file become TIER4013 diagnostics instead of throws.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../diagnostics/types.js';
// Imported directly rather than through the runtime's index, which loads TensorFlow.js.
import { readSafetensors, SafetensorsError } from '../../runtime/safetensors.js';
import { backendDiagnostic } from './diagnostics.js';
import type { WeightTensor } from './weights.js';

export interface CheckpointWeights {
  /** Tensors by name with their shapes; empty when a diagnostic is an error. */
  weights: Map<string, WeightTensor>;
  /** The `__metadata__` strings of the file. */
  metadata: Record<string, string>;
  diagnostics: Diagnostic[];
}

export function readCheckpointWeights(path: string): CheckpointWeights {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'model.safetensors');
  } catch (error) {
    return failure(`The checkpoint '${path}' cannot be read: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}.`);
  }
  try {
    const parsed = readSafetensors(file);
    const weights = new Map<string, WeightTensor>();
    for (const [name, tensor] of parsed.tensors) {
      const data = tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data);
      weights.set(name, { shape: tensor.shape, data });
    }
    return { weights, metadata: parsed.metadata, diagnostics: [] };
  } catch (error) {
    if (error instanceof SafetensorsError) return failure(`${error.message} Write the checkpoint again or choose another one.`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && file !== path) {
      return failure(`The checkpoint folder '${path}' has no 'model.safetensors'; pass another checkpoint folder or a .safetensors file with --weights.`);
    }
    if ((error as NodeJS.ErrnoException).code !== undefined) return failure(`The checkpoint '${file}' cannot be read: ${(error as Error).message}.`);
    throw error;
  }
}

function failure(message: string): CheckpointWeights {
  return { weights: new Map(), metadata: {}, diagnostics: [backendDiagnostic('TIER4013', message)] };
}
