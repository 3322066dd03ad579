// Diagnostics for a --weights path that names no weights. `eval`, `verify` and `compile` share
// them, so that each command reports a missing path or a folder without checkpoints alike.
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';

/** TIER8002 for a --weights path that does not exist; `given` is the path as the user wrote it. */
export function weightsNotFound(given: string): Diagnostic {
  return makeDiagnostic('TIER8002', `The weights '${given}' do not exist; pass a checkpoint folder, a run folder or a .safetensors file.`, undefined);
}

/** TIER8002 for a --weights folder that is neither a checkpoint nor a run folder with checkpoints. */
export function noCheckpointInFolder(given: string): Diagnostic {
  return makeDiagnostic('TIER8002', `The folder '${given}' contains no checkpoint (step-NNNNNNNN/ with state.json); train first or pass a checkpoint folder.`, undefined);
}
