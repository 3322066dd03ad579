// The public library API of tierc. It prints nothing; results and diagnostics are returned as data.
export type { Diagnostic, Position, Span, Severity, RelatedInformation, Fix } from './diagnostics/types.js';
export * as evaluation from './eval/index.js';
export * as report from './report/index.js';
export { parse, type ParseResult } from './syntax/index.js';
export type * from './ast/types.js';
export type { Program, SourceFile } from './ast/index.js';
export { formatSpec, printSpec, type FormatResult } from './format/index.js';
export { renderDiagnostics, renderDiagnosticsJson, closestMatch, didYouMean, type RenderOptions, type SourceLookup } from './diagnostics/index.js';
export { checkSpec, type CheckResult } from './driver/check.js';
export * as data from './data/index.js';
export { createLoader, loadTokenizer, encodeBatch, readManifest, type Batch, type DataLoader, type LoaderOptions, type LoaderCursor, type TextTokenizer, type EncodedBatch, type ManifestOptions, type ManifestRow } from './data/index.js';
export { check, compile, checkPhases, type SpecInput, type SpecReader, type CheckReport, type CompileReport, type CompileRequest, type CompileTarget, type Artifact } from './compile.js';
export { explain, type ExplainOptions, type ExplainReport, type ExplainedModel, type ExplainedValue, type ExplainedComponent } from './explain.js';
export { readConfigs, applyFreeze, preprocessFor, type SpecConfigs, type DataConfig, type PreprocessConfig, type TrainConfig, type EvalConfig, type ExportConfig, type OptimizerConfig, type LrSchedule, type CheckpointConfig, type Duration, type ZeroShotConfig, type HeatmapConfig, type OnnxGraphName } from './config/index.js';
export { lowerProgram, type LoweredModel, type NamedValue, type LowerSettings, type ComponentOptions } from './lower/index.js';
export { memoryHost, nodeHost, loadProgram, type CompilerHost } from './driver/index.js';
export { printModule, type IrModule } from './ir/index.js';
export * as pipeline from './pipeline/index.js';
