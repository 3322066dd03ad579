// Diagnostic codes TIER4xxx: what a backend or opset cannot express, ONNX export, checkpoints
// read for export, and verification of exported graphs.
import type { CatalogEntry } from './entry.js';

export const backendCatalog: CatalogEntry[] = [
  { code: 'TIER4001', severity: 'error', summary: 'The requested ONNX opset is outside the supported range 13 to 21.' },
  { code: 'TIER4002', severity: 'error', summary: 'An ONNX graph needs a model output that the model does not define.' },
  { code: 'TIER4003', severity: 'error', summary: 'A symbolic size cannot be read at run time from the inputs of the ONNX graph.' },
  { code: 'TIER4004', severity: 'error', summary: 'A size symbol is neither dynamic nor bounded, so the ONNX graph cannot give it a fixed size.' },
  { code: 'TIER4005', severity: 'error', summary: 'The IR op has no ONNX lowering at the chosen opset.' },
  { code: 'TIER4006', severity: 'error', summary: 'The zero-shot graph needs labels with positive and negative prompt embeddings.' },
  { code: 'TIER4007', severity: 'error', summary: 'An unknown ONNX graph kind was requested.' },
  { code: 'TIER4008', severity: 'error', summary: 'The zero-shot graph needs the spec\'s zero-shot prompts and a tokenizer file that can be read.' },
  { code: 'TIER4010', severity: 'error', summary: 'A parameter of the model is missing from the checkpoint.' },
  { code: 'TIER4011', severity: 'error', summary: 'The checkpoint holds a tensor that is not a parameter of the model.' },
  { code: 'TIER4012', severity: 'error', summary: 'A checkpoint tensor has a different shape from the model parameter.' },
  { code: 'TIER4013', severity: 'error', summary: 'The checkpoint file is missing, truncated or not a valid safetensors file.' },
  { code: 'TIER4014', severity: 'warning', summary: 'The checkpoint records a spec hash that differs from the exported model, though its tensors match the parameters.' },
  { code: 'TIER4020', severity: 'error', summary: 'The ONNX output directory cannot be created or written.' },
  { code: 'TIER4021', severity: 'info', summary: 'The weights exceed the size limit of one protobuf file and are written as external data.' },
  { code: 'TIER4030', severity: 'error', summary: 'An ONNX graph output differs from the reference interpreter by more than the tolerance.' },
  { code: 'TIER4031', severity: 'error', summary: 'onnxruntime failed to load or run an ONNX graph.' },
  { code: 'TIER4032', severity: 'error', summary: 'The reference interpreter rejected the verification inputs or weights.' },
];
