// The ONNX backend: lowers an IR module to ONNX graphs, dumps them as text, and verifies
// them in onnxruntime-node against the reference interpreter.
export { compileOnnx, DEFAULT_EXTERNAL_DATA_THRESHOLD } from './compile.js';
export type { OnnxCompileOptions, OnnxCompileResult, OnnxFile } from './compile.js';
export { dumpOnnx, decodeModel } from './dump.js';
export type { DumpOptions } from './dump.js';
export { GRAPH_KINDS } from './graphs.js';
export type { OnnxGraphKind, ZeroShotLabel, ZeroShotOptions } from './graphs.js';
export { loweringTable } from './ops/index.js';
export type { LoweringRule, LoweringVersion } from './ops/index.js';
export { verifyOnnx, DEFAULT_TOLERANCE } from './verify.js';
export type { OutputComparison, VerifyOptions, VerifyReport } from './verify.js';
export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, irVersionFor } from './versions.js';
export { checkWeights } from './weights.js';
export type { WeightTensor, Weights } from './weights.js';
export { writeOnnxArtifacts } from './write.js';
export type { WrittenArtifacts } from './write.js';
export { readCheckpointWeights } from './checkpoint.js';
export type { CheckpointWeights } from './checkpoint.js';
export { PREPROCESS_METADATA_KEY, runOnnxImages } from './run.js';
export type { RunResult, OutputSummary } from './run.js';
export { averagePromptSet, embedTexts } from './prompts.js';
export { onnxTextEncoder, zeroShotFromSpec, zeroShotOptions } from './zeroshot.js';
export type { PromptText, SpecZeroShotRequest } from './zeroshot.js';
