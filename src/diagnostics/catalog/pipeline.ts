// Diagnostic codes TIER8xxx: the end-to-end commands that train, evaluate and verify a spec.
import type { CatalogEntry } from './entry.js';

export const pipelineCatalog: CatalogEntry[] = [
  { code: 'TIER8001', severity: 'error', summary: 'The spec lacks a block or setting that the command needs (data, preprocess, tokenizer, eval or zero-shot prompts).' },
  { code: 'TIER8002', severity: 'error', summary: 'A --weights path is not a checkpoint folder, a run folder with checkpoints, or a safetensors file.' },
  { code: 'TIER8003', severity: 'error', summary: 'The model lacks an output that the command needs, such as image_embedding.' },
  { code: 'TIER8004', severity: 'error', summary: 'An ONNX graph output differs from the tfjs forward pass by more than the tolerance.' },
  { code: 'TIER8005', severity: 'warning', summary: 'A label has no mask in the evaluation split, so its localization is not scored.' },
  { code: 'TIER8006', severity: 'error', summary: "The train block evaluates an eval block or ranks checkpoints by a metric that does not exist ('keep best N by eval.NAME.METRIC')." },
  { code: 'TIER8007', severity: 'error', summary: 'A compiled training program cannot run: its data files are missing, or it was compiled for another runtime format.' },
];
