// The phases after the front end: typed configs from the settings blocks, then checking and
// lowering every model. They extend the driver's state with their results.
import { applyFreeze, preprocessFor, readConfigs, type SpecConfigs } from '../config/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { FrontendState } from '../driver/frontend.js';
import type { Phase } from '../driver/phases.js';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { lowerProgram, type LoweredModel } from './index.js';

export interface SemanticState extends FrontendState {
  /** Set by the 'configs' phase. */
  configs?: SpecConfigs;
  /** Set by the 'lower' phase: one lowered model per model and instance of the root file. */
  models?: LoweredModel[];
}

export const configPhase: Phase<SemanticState> = {
  name: 'configs',
  run(state) {
    if (state.program === undefined) return [];
    const { configs, diagnostics } = readConfigs(state.program);
    state.configs = configs;
    return diagnostics;
  },
};

export const lowerPhase: Phase<SemanticState> = {
  name: 'lower',
  run(state) {
    const program = state.program;
    if (program === undefined) return [];
    const configs = state.configs ?? { data: [], preprocess: [], train: [], eval: [], export: [] };
    const byDisplay = new Map(program.files.map((file) => [file.displayPath, file.path]));
    const host = state.host;
    const readRelative = (from: string, path: string): string | undefined => {
      const base = byDisplay.get(from) ?? from;
      // Like imports, files a spec reads must stay inside the root spec's folder tree.
      const target = host.realpath(resolve(dirname(base), path));
      const inside = relative(dirname(program.root.path), target);
      if (inside.startsWith('..') || isAbsolute(inside)) return undefined;
      try {
        return host.readFile(target);
      } catch {
        return undefined;
      }
    };
    const result = lowerProgram(program, (model) => {
      const preprocess = preprocessFor(configs, model);
      return { imageSize: preprocess?.imageSize, imageChannels: preprocess?.channels, readRelative };
    });
    const diagnostics = [...result.diagnostics];
    for (const train of configs.train) {
      const model = result.models.find((candidate) => candidate.name === train.model);
      if (model === undefined || train.freeze.length === 0) continue;
      // The train block's freeze list is part of how this model trains, so the module carries it.
      const { module, unmatched } = applyFreeze(model.module, train.freeze);
      model.module = module;
      for (const prefix of unmatched) {
        diagnostics.push(makeDiagnostic('TIER2106', `Freeze pattern '${prefix}' matches no parameter of model '${model.name}'; parameter names start with ${[...new Set(module.params.map((p) => p.name.split('.')[0]))].map((n) => `'${n}'`).join(', ')}.`, train.span));
      }
    }
    state.models = result.models;
    return diagnostics;
  },
};

/** The phases this module adds after the front end's, in order. */
export const semanticPhases: ReadonlyArray<Phase<SemanticState>> = [configPhase, lowerPhase];

