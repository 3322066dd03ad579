// Typed configs from a program's settings blocks: data, preprocess, train, eval and export.
// Imported files contribute data, preprocess and eval blocks; train and export blocks come from
// the root file only. References between blocks (a train block's model and data, an eval's
// data, a checkpoint's metric) are checked here against the declared names.
import { dirname, resolve } from 'node:path';
import { visibleDeclarations, type Program } from '../ast/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { IrModule } from '../ir/index.js';
import { readData, readPreprocess } from './data.js';
import { DEFAULT_EVAL_SPLIT, readEval, readExport } from './eval.js';
import { readTrain } from './train.js';
import type { PreprocessConfig, SpecConfigs, TrainConfig } from './types.js';

export type * from './types.js';
export { readTransforms } from './data.js';

export interface ConfigResult {
  configs: SpecConfigs;
  diagnostics: Diagnostic[];
}

/** Reads the settings blocks of the root file and the data, preprocess and eval blocks it imports. */
export function readConfigs(program: Program): ConfigResult {
  const diagnostics: Diagnostic[] = [];
  const configs: SpecConfigs = { data: [], preprocess: [], train: [], eval: [], export: [] };
  const models = new Set<string>();
  for (const { item } of visibleDeclarations(program)) {
    if (item.kind === 'ModelDecl' || item.kind === 'ModelInstanceDecl') models.add(item.name.name);
  }
  const onlyModel = models.size === 1 ? [...models][0] : undefined;
  for (const { file, item } of visibleDeclarations(program)) {
    const resolvePath = (written: string) => resolve(dirname(file.path), written);
    switch (item.kind) {
      case 'DataDecl': {
        const config = readData(item, diagnostics, resolvePath);
        if (config) configs.data.push(config);
        break;
      }
      case 'PreprocessDecl': {
        const config = readPreprocess(item, diagnostics, resolvePath);
        if (config) configs.preprocess.push(config);
        break;
      }
      case 'TrainDecl': {
        const config = readTrain(item, diagnostics);
        if (config) configs.train.push(config);
        break;
      }
      case 'EvalDecl': {
        const config = readEval(item, diagnostics);
        if (config) configs.eval.push(config);
        break;
      }
      case 'ExportDecl': {
        const config = readExport(item, diagnostics, resolvePath, onlyModel);
        if (config) configs.export.push(config);
        break;
      }
      default:
        break;
    }
  }
  checkReferences(configs, models, diagnostics);
  return { configs, diagnostics };
}

function checkReferences(configs: SpecConfigs, models: Set<string>, diagnostics: Diagnostic[]): void {
  const dataNames = configs.data.map((data) => data.name);
  const evalNames = configs.eval.map((config) => config.name);
  const preprocessNames = configs.preprocess.flatMap((config) => (config.name === undefined ? [] : [config.name]));
  const refer = (kind: string, name: string, known: Iterable<string>, span: Span) => {
    const list = [...known];
    if (list.includes(name)) return;
    diagnostics.push(makeDiagnostic('TIER2115', `${kind} '${name}' is not declared.${didYouMean(name, list)}`, span));
  };
  const splitOf = (dataName: string, split: string, span: Span) => {
    const data = configs.data.find((candidate) => candidate.name === dataName);
    const groups = data?.split !== undefined && 'groupBy' in data.split ? Object.keys(data.split.fractions) : undefined;
    if (groups !== undefined && !groups.includes(split)) {
      diagnostics.push(makeDiagnostic('TIER2115', `Data '${dataName}' has no split '${split}'; its splits are ${groups.join(', ')}.${didYouMean(split, groups)}`, span));
    }
  };
  for (const train of configs.train) {
    refer('Model', train.model, models, train.span);
    refer('Data', train.data.name, dataNames, train.span);
    splitOf(train.data.name, train.data.split, train.span);
    if (train.preprocess !== undefined) refer('Preprocess block', train.preprocess, preprocessNames, train.span);
    for (const name of train.eval) refer('Eval', name, evalNames, train.span);
    if (train.checkpoint.keep.mode === 'best') refer('Eval', train.checkpoint.keep.eval, evalNames, train.span);
  }
  for (const config of configs.eval) {
    refer('Data', config.data.name, dataNames, config.span);
    if (config.data.split === DEFAULT_EVAL_SPLIT) config.data.split = defaultEvalSplit(configs, config.data.name);
    splitOf(config.data.name, config.data.split, config.span);
    if (config.model !== undefined) refer('Model', config.model, models, config.span);
    if (config.preprocess !== undefined) refer('Preprocess block', config.preprocess, preprocessNames, config.span);
  }
  for (const config of configs.export) refer('Model', config.model, models, config.span);
}

/** The split an eval block scores when it names none; see `EvalConfig.data`. */
function defaultEvalSplit(configs: SpecConfigs, dataName: string): string {
  const split = configs.data.find((data) => data.name === dataName)?.split;
  if (split === undefined) return 'train';
  if ('groupBy' in split) return 'test' in split.fractions ? 'test' : 'validate';
  return 'test';
}

/** Returns the preprocess block a model's inputs follow: the one its train block names, else the unnamed or only one. */
export function preprocessFor(configs: SpecConfigs, model: string): PreprocessConfig | undefined {
  const train = configs.train.find((config: TrainConfig) => config.model === model);
  if (train?.preprocess !== undefined) return configs.preprocess.find((config) => config.name === train.preprocess);
  return configs.preprocess.find((config) => config.name === undefined) ?? (configs.preprocess.length === 1 ? configs.preprocess[0] : undefined);
}

/**
 * Returns a copy of `module` with the parameters under `prefixes` frozen, and the prefixes that
 * match no parameter, so the caller can report them.
 */
export function applyFreeze(module: IrModule, prefixes: readonly string[]): { module: IrModule; unmatched: string[] } {
  const copy = structuredClone(module);
  const unmatched: string[] = [];
  for (const prefix of prefixes) {
    const matches = copy.params.filter((param) => param.name === prefix || param.name.startsWith(`${prefix}.`));
    if (matches.length === 0) unmatched.push(prefix);
    for (const param of matches) param.trainable = false;
  }
  return { module: copy, unmatched };
}
