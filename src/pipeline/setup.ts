// The resolved training configuration of one model: its data block, preprocessing, train block,
// the eval blocks that run during training and the data blocks they read, with every path
// absolute. `tierc train` builds
// it from the checked spec. `tierc compile --target tfjs` prints it into train.js as a literal,
// so the emitted program and `tierc train` hand the same object to `runTraining`. The object is
// plain JSON (spans included), because the printer turns it into a JavaScript literal.
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Program } from '../ast/program.js';
import type { SettingsItem, TopLevelItem } from '../ast/types.js';
import type { DataConfig, EvalConfig, PreprocessConfig, SpecConfigs, TrainConfig } from '../config/types.js';
import { openDataset, type Dataset } from '../data/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { specTrainingSteps } from './source.js';
import { PipelineError, type SpecPlan } from './spec.js';

/** Format of `TrainingSetup`; a runtime rejects an emitted program built for another format. */
export const TRAINING_SETUP_VERSION = 1;

export interface TrainingSetup {
  version: number;
  /** The model the train block trains. */
  model: string;
  /** The spec file, as the compiler was given it. */
  specFile: string;
  data: Omit<DataConfig, 'defaulted'>;
  preprocess: Omit<PreprocessConfig, 'defaulted'> & { text: PreprocessConfig['text'] & { tokenizer: string } };
  train: Omit<TrainConfig, 'defaulted'>;
  /** Eval blocks evaluated at each checkpoint: the train block's `eval` list and the block that "keep best" ranks by. */
  evals: Omit<EvalConfig, 'defaulted'>[];
  /** Data blocks that eval blocks read besides the training data, such as a separate validation set. */
  evalData: Omit<DataConfig, 'defaulted'>[];
  /** The deepest folder that contains every manifest, image root and the tokenizer; `--data DIR` replaces it. */
  dataRoot: string;
}

export interface SetupInput {
  configs: SpecConfigs;
  /** The model's name and the names of its loss terms, which validation loss metrics are named after. */
  model: { name: string; losses: readonly string[] };
  specFile: string;
  /** The parsed spec, used to point a diagnostic at the train block's checkpoint line. */
  program?: Program | undefined;
}

/**
 * Builds the setup of `input.model`. Returns no setup and no diagnostics when the model has no
 * train block or the train block names no declared data block (such a model trains on
 * synthetic batches). Returns diagnostics for a setup that cannot train: no preprocess block,
 * no tokenizer, an unknown eval block, data block or metric.
 */
export function buildTrainingSetup(input: SetupInput): { setup: TrainingSetup | undefined; diagnostics: Diagnostic[] } {
  const { configs, model } = input;
  const train = configs.train.find((config) => config.model === model.name);
  const data = configs.data.find((config) => config.name === train?.data.name);
  if (train === undefined || data === undefined) return { setup: undefined, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const preprocess = train.preprocess === undefined ? configs.preprocess[0] : configs.preprocess.find((config) => config.name === train.preprocess);
  if (preprocess === undefined) {
    diagnostics.push(makeDiagnostic('TIER8001', `Model '${model.name}' has no preprocess block to train on; add one to the spec.`, train.span));
  } else if (preprocess.text.tokenizer === undefined) {
    diagnostics.push(makeDiagnostic('TIER8001', "The preprocess block names no tokenizer, which training needs; add 'text: tokenizer \"vocab.txt\", max_len: N'.", preprocess.span));
  }

  const evalNames = [...train.eval];
  const keep = train.checkpoint.keep;
  if (keep.mode === 'best' && !evalNames.includes(keep.eval)) evalNames.push(keep.eval);
  const evals: EvalConfig[] = [];
  const evalData: DataConfig[] = [];
  const declared = configs.eval.filter((config) => config.model === undefined || config.model === model.name);
  for (const name of evalNames) {
    const config = declared.find((entry) => entry.name === name);
    if (config === undefined) {
      const names = declared.map((entry) => `'${entry.name}'`).join(', ') || 'none';
      diagnostics.push(makeDiagnostic('TIER8006', `The train block evaluates eval block '${name}', which is not declared; the spec declares ${names}.${didYouMean(name, declared.map((entry) => entry.name))}`, checkpointSpan(input.program, train)));
      continue;
    }
    const read = configs.data.find((entry) => entry.name === config.data.name);
    if (read === undefined) {
      diagnostics.push(makeDiagnostic('TIER8001', `Eval block '${name}' reads data '${config.data.name}', which is not declared; add 'data ${config.data.name} { … }' to the spec.`, config.span));
      continue;
    }
    if (read !== data && !evalData.includes(read)) evalData.push(read);
    evals.push(config);
  }
  if (keep.mode === 'best') {
    const ranked = evals.find((config) => config.name === keep.eval);
    if (ranked !== undefined) {
      const known = knownEvalMetrics(ranked, model.losses);
      if (!known.includes(keep.metric)) {
        const list = known.map((name) => `'${name}'`).join(', ');
        diagnostics.push(makeDiagnostic('TIER8006', `Eval block '${keep.eval}' has no metric '${keep.metric}'; its metrics are ${list}.${didYouMean(keep.metric, known)}`, checkpointSpan(input.program, train)));
      }
    }
  }
  if (diagnostics.length > 0 || preprocess === undefined || preprocess.text.tokenizer === undefined) return { setup: undefined, diagnostics };

  const setup: TrainingSetup = {
    version: TRAINING_SETUP_VERSION,
    model: model.name,
    specFile: input.specFile,
    data: withoutDefaulted(data),
    preprocess: withoutDefaulted(preprocess) as TrainingSetup['preprocess'],
    train: withoutDefaulted(train),
    evals: evals.map(withoutDefaulted),
    evalData: evalData.map(withoutDefaulted),
    dataRoot: commonFolder([data, ...evalData].flatMap((block) => [dirname(block.manifest), block.image.root]).concat(dirname(preprocess.text.tokenizer))),
  };
  return { setup, diagnostics };
}

/**
 * Metrics an eval block gives during training: the weighted validation loss `loss`, each
 * unweighted term as `loss_<term>`, and `mean_auroc` (zero-shot macro AUROC) when the block has
 * zero-shot labels.
 */
export function knownEvalMetrics(config: Pick<EvalConfig, 'zeroshot'>, losses: readonly string[]): string[] {
  const names = ['loss', ...losses.map((loss) => `loss_${loss}`)];
  if (config.zeroshot !== undefined && Object.keys(config.zeroshot.labels).length > 0) names.push('mean_auroc');
  return names;
}

/** Returns whether a larger value of `metric` is better, which is true for AUROC and false for losses. */
export function higherIsBetter(metric: string): boolean {
  return metric.endsWith('auroc');
}

/** Returns a copy of `setup` that reads its data from `folder` in place of `setup.dataRoot`. */
export function rebaseSetup(setup: TrainingSetup, folder: string): TrainingSetup {
  const move = (path: string) => join(folder, relative(setup.dataRoot, path));
  const moveBlock = (block: TrainingSetup['data']) => ({ ...block, manifest: move(block.manifest), image: { ...block.image, root: move(block.image.root) } });
  return {
    ...setup,
    data: moveBlock(setup.data),
    evalData: setup.evalData.map(moveBlock),
    preprocess: { ...setup.preprocess, text: { ...setup.preprocess.text, tokenizer: move(setup.preprocess.text.tokenizer) } },
    dataRoot: folder,
  };
}

/**
 * Lists the manifest, image root and tokenizer paths of `setup` that do not exist, each with what
 * it is and the data block it belongs to.
 */
export function missingDataPaths(setup: TrainingSetup): { what: string; path: string; data?: string }[] {
  const paths: { what: string; path: string; data?: string }[] = [setup.data, ...setup.evalData].flatMap((block) => [
    { what: 'manifest', path: block.manifest, data: block.name },
    { what: 'image root', path: block.image.root, data: block.name },
  ]);
  paths.push({ what: 'tokenizer', path: setup.preprocess.text.tokenizer });
  return paths.filter((entry) => !existsSync(entry.path));
}

/**
 * Opens the manifest of data block `dataName` (default the training data) with the setup's
 * tokenizer; `training` adds the train block's augmentation to the image steps.
 */
export function openSetupDataset(setup: TrainingSetup, training: boolean, dataName = setup.data.name): Dataset {
  const block = [setup.data, ...setup.evalData].find((entry) => entry.name === dataName);
  if (block === undefined) throw new Error(`The training setup has no data block '${dataName}'.`);
  const { name: _name, onMissingFile, span: _span, ...manifest } = block;
  const preprocess = setup.preprocess;
  return openDataset({
    manifest,
    image: { channels: preprocess.channels === 3 ? 3 : 1 },
    onMissing: onMissingFile,
    tokenizer: { path: preprocess.text.tokenizer, maxLen: preprocess.text.maxLen, padding: preprocess.text.padding },
    preprocess: training ? specTrainingSteps(preprocess.image, setup.train.augment) : preprocess.image,
  });
}

function withoutDefaulted<T extends { defaulted: string[] }>(config: T): Omit<T, 'defaulted'> {
  const { defaulted: _defaulted, ...rest } = config;
  return rest;
}

/** Returns the deepest folder that contains every path in `folders`. */
function commonFolder(folders: readonly string[]): string {
  let common = folders[0] as string;
  for (const folder of folders.slice(1)) {
    while (common !== dirname(common) && folder !== common && !folder.startsWith(common.endsWith(sep) ? common : common + sep)) common = dirname(common);
  }
  return common;
}

/** Returns the span of the train block's `checkpoint` setting, else of the whole block. */
function checkpointSpan(program: Program | undefined, train: TrainConfig): Span {
  const decl = program?.files
    .flatMap((file) => file.ast.items)
    .find((item: TopLevelItem) => item.kind === 'TrainDecl' && item.span.file === train.span.file && item.span.start.offset === train.span.start.offset);
  const setting = decl?.kind === 'TrainDecl' ? decl.body.find((item: SettingsItem) => item.kind === 'Setting' && item.key.kind === 'Identifier' && item.key.name === 'checkpoint') : undefined;
  return setting?.span ?? train.span;
}

/** Builds the setup of the plan's model; throws PipelineError when the spec cannot train it on its data. */
export function trainingSetupOf(plan: SpecPlan): TrainingSetup {
  const built = buildTrainingSetup({
    configs: plan.checked.configs as SpecConfigs,
    model: { name: plan.model.name, losses: plan.model.module.losses.map((loss) => loss.name) },
    specFile: plan.specFile,
    program: plan.checked.program,
  });
  if (built.setup !== undefined) return built.setup;
  if (built.diagnostics.length > 0) throw new PipelineError(built.diagnostics, plan.checked.sources);
  const train = plan.train;
  const message = train === undefined
    ? `Model '${plan.model.name}' has no train block; add 'train { model: ${plan.model.name} … }' to the spec.`
    : `The train block reads data '${train.data.name}', which is not declared; add 'data ${train.data.name} { … }' to the spec.`;
  throw new PipelineError([makeDiagnostic('TIER8001', message, train?.span ?? plan.model.span)], plan.checked.sources);
}
