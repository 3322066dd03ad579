// Diagnostic codes TIER6xxx: training, checkpoints and weights.
import type { CatalogEntry } from './entry.js';

export const trainCatalog: CatalogEntry[] = [
  { code: 'TIER6001', severity: 'error', summary: 'The tfjs backend cannot compute an operation the spec trains (a grouped convolution).' },
  { code: 'TIER6002', severity: 'error', summary: 'A loss term became NaN or infinite; training stopped and the last good checkpoint was kept.' },
  { code: 'TIER6003', severity: 'error', summary: 'The checkpoint directory cannot be created or written.' },
  { code: 'TIER6004', severity: 'error', summary: 'Writing a checkpoint failed (for example the disk is full); no partial checkpoint was left.' },
  { code: 'TIER6005', severity: 'error', summary: 'The checkpoint was written by a different spec (its spec hash differs).' },
  { code: 'TIER6006', severity: 'error', summary: 'A checkpoint or weights file is corrupt or truncated.' },
  { code: 'TIER6007', severity: 'error', summary: 'A pretrained weights file lacks a tensor the model needs.' },
  { code: 'TIER6008', severity: 'warning', summary: 'A pretrained weights file has a tensor that no parameter uses.' },
  { code: 'TIER6009', severity: 'error', summary: 'A pretrained tensor has a different shape from its parameter.' },
  { code: 'TIER6010', severity: 'warning', summary: 'A batch has one example, so the contrastive loss has no negatives and is 0.' },
  { code: 'TIER6011', severity: 'error', summary: 'A masked softmax or mean has a row where every position is masked.' },
  { code: 'TIER6012', severity: 'warning', summary: 'Gradient accumulation splits the batch; contrastive negatives come from each micro-batch only.' },
  { code: 'TIER6013', severity: 'error', summary: 'A training option is invalid.' },
  { code: 'TIER6014', severity: 'error', summary: 'The requested tfjs backend cannot be used.' },
  { code: 'TIER6015', severity: 'error', summary: 'There is no checkpoint to resume from.' },
  { code: 'TIER6016', severity: 'error', summary: 'A data batch does not match the model inputs.' },
  { code: 'TIER6017', severity: 'error', summary: 'Resuming uses a different batch size from the run that wrote the checkpoint.' },
  { code: 'TIER6018', severity: 'error', summary: 'Writing metrics.jsonl or settings.json in the run folder failed (for example the disk is full).' },
  { code: 'TIER6019', severity: 'error', summary: 'A checkpoint folder lacks a file that resuming or reading its weights needs (state.json, model.safetensors, optimizer.safetensors).' },
  { code: 'TIER6020', severity: 'error', summary: "A pretrained weights file that an encoder's 'init:' names does not exist." },
  { code: 'TIER6021', severity: 'error', summary: 'Training needs more memory than the 4 GiB heap of the wasm backend, by the estimate before the first step or by a wasm fault during a step.' },
  { code: 'TIER6022', severity: 'warning', summary: 'The newest checkpoint folder of a run has no readable state.json, so an older checkpoint is used.' },
];
