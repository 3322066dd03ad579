// The front-end phases: load and parse the spec and its imports, then the checks that need no
// types. The semantic checker and the back ends append their phases after these.
import type { Program } from '../ast/index.js';
import { checkFrontend } from '../check/frontend/index.js';
import type { CompilerHost } from './host.js';
import { loadProgram } from './load.js';
import type { Phase } from './phases.js';
import { semanticPhases } from '../lower/phases.js';

export interface FrontendState {
  /** The spec path as given (relative to `host.cwd` or absolute). */
  rootPath: string;
  host: CompilerHost;
  /** Set by the 'parse' phase unless the root file could not be read. */
  program?: Program;
  /** Texts of the loaded files by display path, for rendering diagnostics. */
  sources: Map<string, string>;
}

export function frontendState(rootPath: string, host: CompilerHost): FrontendState {
  return { rootPath, host, sources: new Map() };
}

export const parsePhase: Phase<FrontendState> = {
  name: 'parse',
  run(state) {
    const loaded = loadProgram(state.rootPath, state.host);
    if (loaded.program !== undefined) state.program = loaded.program;
    for (const [path, text] of loaded.sources) state.sources.set(path, text);
    return loaded.diagnostics;
  },
};

export const namesPhase: Phase<FrontendState> = {
  name: 'names',
  run(state) {
    return state.program === undefined ? [] : checkFrontend(state.program);
  },
};

/** The phases `tierc check` runs today, in order. */
export const frontendPhases: ReadonlyArray<Phase<FrontendState>> = [parsePhase, namesPhase, ...semanticPhases];
