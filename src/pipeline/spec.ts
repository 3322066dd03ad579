// Loads a spec for the end-to-end commands: checks it, picks the model that its train block
// (or `--model`) names, and gathers the configs that the data layer, the trainer, the evaluator
// and the ONNX exporter take. Problems come back as a `PipelineError` with diagnostics.
import { noModelMessage } from '../check/frontend/empty.js';
import { check, type CheckReport } from '../compile.js';
import type { DataConfig, EvalConfig, ExportConfig, PreprocessConfig, TrainConfig } from '../config/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { nodeHost } from '../driver/index.js';
import type { LoweredModel } from '../lower/index.js';

/** Errors in the spec or in how a command uses it; `diagnostics` render with the spec's sources. */
export class PipelineError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly sources: Map<string, string> = new Map(),
  ) {
    super(diagnostics.map((diagnostic) => diagnostic.message).join(' '));
    this.name = 'PipelineError';
  }
}

/** Everything a command needs from one checked spec and one of its models. */
export interface SpecPlan {
  /** The spec path as given. */
  specFile: string;
  checked: CheckReport;
  model: LoweredModel;
  /** The train block of the model, when the spec has one. */
  train: TrainConfig | undefined;
  /** The data block the train block (or else the first eval block) reads. */
  data: DataConfig | undefined;
  preprocess: PreprocessConfig | undefined;
  evals: EvalConfig[];
  export: ExportConfig | undefined;
}

export interface LoadSpecOptions {
  cwd: string;
  /** The model to use when the spec declares several; default the model of the train block. */
  model?: string;
}

/** Checks `specFile` and selects its model and configs; throws `PipelineError` on errors. */
export function loadSpecPlan(specFile: string, options: LoadSpecOptions): SpecPlan {
  const checked = check({ entry: specFile, host: nodeHost(options.cwd), cwd: options.cwd });
  const errors = checked.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (!checked.ok || checked.configs === undefined) throw new PipelineError(errors.length > 0 ? errors : checked.diagnostics, checked.sources);
  const configs = checked.configs;
  const model = chooseModel(checked, specFile, options.model);
  const train = configs.train.find((config) => config.model === model.name);
  const evals = configs.eval.filter((config) => config.model === undefined || config.model === model.name);
  const dataName = train?.data.name ?? evals[0]?.data.name;
  const data = configs.data.find((config) => config.name === dataName);
  const preprocessName = train?.preprocess ?? evals[0]?.preprocess;
  const preprocess = preprocessName === undefined ? configs.preprocess[0] : configs.preprocess.find((config) => config.name === preprocessName);
  return {
    specFile,
    checked,
    model,
    train,
    data,
    preprocess,
    evals,
    export: configs.export.find((config) => config.model === model.name),
  };
}

function chooseModel(checked: CheckReport, specFile: string, wanted: string | undefined): LoweredModel {
  if (checked.models.length === 0) throw new PipelineError([makeDiagnostic('TIER2015', noModelMessage(specFile), undefined)], checked.sources);
  const names = checked.models.map((model) => `'${model.name}'`).join(', ') || 'no model';
  if (wanted !== undefined) {
    const found = checked.models.find((model) => model.name === wanted);
    if (found === undefined) throw new PipelineError([makeDiagnostic('TIER2115', `Model '${wanted}' is not declared; the spec declares ${names}.`, undefined)], checked.sources);
    return found;
  }
  // A spec that imports another can use its models too. Its own train block names the one it trains.
  const trained = checked.configs?.train.map((config) => config.model) ?? [];
  const byTrain = checked.models.filter((model) => trained.includes(model.name));
  if (byTrain.length === 1) return byTrain[0] as LoweredModel;
  if (checked.models.length === 1) return checked.models[0] as LoweredModel;
  throw new PipelineError([makeDiagnostic('TIER2115', `The spec declares the models ${names} and no single train block selects one; choose one with --model.`, undefined)], checked.sources);
}

/** The data block, or a `PipelineError` naming what the command needs it for. */
export function requireData(plan: SpecPlan, purpose: string): { data: DataConfig; preprocess: PreprocessConfig } {
  if (plan.data === undefined || plan.preprocess === undefined) {
    const missing = plan.data === undefined ? 'a data block' : 'a preprocess block';
    throw new PipelineError([makeDiagnostic('TIER8001', `Model '${plan.model.name}' has no ${missing} to ${purpose}; add one to the spec.`, plan.model.span)], plan.checked.sources);
  }
  if (plan.preprocess.text.tokenizer === undefined) {
    throw new PipelineError([makeDiagnostic('TIER8001', `The preprocess block names no tokenizer, which ${purpose} needs; add 'text: tokenizer "vocab.txt", max_len: N'.`, plan.preprocess.span)], plan.checked.sources);
  }
  return { data: plan.data, preprocess: plan.preprocess };
}
