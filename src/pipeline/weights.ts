// Finds and reads the weights a `--weights` argument names: a checkpoint folder
// (`step-NNNNNNNN/` with model.safetensors and state.json), a run folder (its best checkpoint
// by the run's keep-best metric, else its newest), or a bare `.safetensors` file. Checkpoints
// written for another model are rejected by their spec hash.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { chooseRunCheckpoint, loadCheckpoint } from '../runtime/checkpoint.js';
import { TrainingError } from '../runtime/errors.js';
import { readSafetensors, SafetensorsError } from '../runtime/safetensors.js';
import { PipelineError } from './spec.js';
import { noCheckpointInFolder, weightsNotFound } from './weights-errors.js';

export interface LoadedWeights {
  /** A short name for tables: the checkpoint folder or file name. */
  name: string;
  path: string;
  /** The training step, when the weights come from a checkpoint. */
  step: number | undefined;
  weights: Map<string, Float32Array>;
  /** The rule that chose a run folder's checkpoint ('newest' or 'best by METRIC (VALUE)'); undefined for a named checkpoint or file. */
  choice?: string;
  /** TIER6022 for step folders of the run that were skipped for lacking a readable state.json. */
  warnings?: Diagnostic[];
}

/** Resolves `given` (relative to `cwd`) to one checkpoint and reads it; throws PipelineError or TrainingError. */
export function loadWeights(given: string, cwd: string, specHash: string): LoadedWeights {
  const path = resolve(cwd, given);
  if (!existsSync(path)) throw new PipelineError([weightsNotFound(given)]);
  if (statSync(path).isFile()) {
    if (!path.endsWith('.safetensors')) throw weightsError(`The weights file '${given}' is not a .safetensors file.`);
    const stateFolder = basename(path) === 'model.safetensors' && existsSync(join(path, '..', 'state.json'));
    if (stateFolder) return fromCheckpoint(join(path, '..'), specHash);
    try {
      const file = readSafetensors(path);
      const weights = new Map<string, Float32Array>();
      for (const [name, tensor] of file.tensors) weights.set(name, Float32Array.from(tensor.data));
      return { name: basename(path), path, step: undefined, weights };
    } catch (error) {
      if (error instanceof SafetensorsError) throw new TrainingError('TIER6006', error.message);
      throw error;
    }
  }
  if (existsSync(join(path, 'state.json'))) return fromCheckpoint(path, specHash);
  const chosen = chooseRunCheckpoint(path);
  if (chosen === undefined) throw new PipelineError([noCheckpointInFolder(given)]);
  return { ...fromCheckpoint(chosen.path, specHash), choice: chosen.choice, warnings: chosen.warnings };
}

function fromCheckpoint(folder: string, specHash: string): LoadedWeights {
  const checkpoint = loadCheckpoint(folder, specHash, { purpose: 'reading its weights', remedy: 'pass another checkpoint folder or a .safetensors file with --weights' });
  return { name: basename(folder), path: folder, step: checkpoint.state.step, weights: checkpoint.weights };
}

function weightsError(message: string): PipelineError {
  return new PipelineError([makeDiagnostic('TIER8002', message, undefined)]);
}
