// End-to-end commands on one spec: train on the spec's data, evaluate checkpoints (zero-shot
// AUROC, localization, token entropy) into the run directory, and check the ONNX graphs against
// the tfjs forward pass. The CLI's train, eval SPEC and verify commands call these.
export { loadSpecPlan, requireData, PipelineError, type SpecPlan, type LoadSpecOptions } from './spec.js';
export { openSpecDataset, specTrainingSteps, loaderDataSource, toTrainerBatch } from './source.js';
export { trainSpec, runTraining, hasCheckpoints, type TrainSpecOptions, type TrainSpecResult, type RunTrainingOptions } from './train.js';
export { buildTrainingSetup, trainingSetupOf, knownEvalMetrics, TRAINING_SETUP_VERSION, type TrainingSetup } from './setup.js';
export { createForwardRunner, blankImages, type ForwardRunner } from './forward.js';
export { embedSplit, promptEncoder, concatPadded, type SplitEmbeddings } from './embed.js';
export { loadWeights, type LoadedWeights } from './weights.js';
export { evaluateSpec, type EvalSpecOptions, type EvalSpecResult, type LabelLocalization, type EntropySummary } from './evaluate.js';
export { verifySpec, VERIFY_TOLERANCE, type VerifySpecOptions, type VerifySpecResult, type OutputDifference } from './verify.js';
export { patchWasmOneHot } from './wasm-one-hot.js';
