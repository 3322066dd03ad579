// The evaluation layer: zero-shot scores, AUROC with bootstrap intervals, heatmaps and
// localization scores, and token-to-patch similarity statistics. Everything works on plain
// arrays, so either backend (tfjs or onnxruntime) can feed it.
export { EvalError, formatEvalIssue, evalIssueToDiagnostic, type EvalIssue } from './errors.js';
export { tensor, stackRows, type Tensor, type Vector } from './tensor.js';
export { checkLabelPolicy, resolveLabels, defaultLabelPolicy, type LabelPolicy, type LabelValue, type ResolvedLabels } from './labels.js';
export {
  auroc,
  bootstrapAuroc,
  describeUndefined,
  defaultBootstrap,
  type AurocValue,
  type BootstrapOptions,
  type ConfidenceInterval,
  type UndefinedReason,
} from './metrics.js';
export { aurocTable, type AurocTable, type AurocTableOptions, type LabelAuroc } from './table.js';
export {
  expandPrompts,
  fillLabel,
  type ExpandedLabelPrompts,
  type ExpandedPrompts,
  type LabelPrompts,
  type ZeroShotPrompts,
} from './prompts.js';
export {
  embedPrompts,
  ensembleScores,
  evaluateZeroShot,
  scoreImages,
  type CheckpointEmbeddings,
  type LabelPromptEmbeddings,
  type PromptEmbeddings,
  type ScoreOptions,
  type ScoreRule,
  type TextEncoder,
  type ZeroShotEvaluation,
  type ZeroShotEvaluationInput,
  type ZeroShotScores,
} from './zeroshot.js';
export {
  gridFor,
  labelHeatmaps,
  localizationScores,
  maskHitRate,
  patchSimilarity,
  percentile,
  pointingHit,
  scaleToRange,
  upsample,
  type Grid,
  type HeatmapOptions,
  type HeatmapSet,
  type LocalizationSummary,
  type MaskImage,
  type UpsampleMode,
} from './localization.js';
export {
  patchEntropyStats,
  pooledPatchSimilarity,
  rankOrderedSimilarity,
  tokenPatchSimilarity,
  type EntropyOptions,
  type EntropyStats,
  type RankedSimilarity,
} from './similarity.js';
