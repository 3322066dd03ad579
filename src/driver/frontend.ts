// The front-end phases: load and parse the spec and its imports, then the checks that need no
// types. The semantic checker and the back ends append their phases after these.
import type { Program } from '../ast/index.js';
import { checkFrontend } from '../check/frontend/index.js';
import type { CompilerHost } from './host.js';
import { loadProgram } from './load.js';
import type { Phase, PhaseRun } from './phases.js';
import { isFollowOnError, keepIntactDeclarations, type IntactProgram } from './recover.js';
import { semanticPhases, type SemanticState } from '../lower/phases.js';

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

/**
 * Tells whether the phase named `phase` can run on the intact declarations after earlier errors.
 * The front-end checks are local to a declaration (or compare names), so they always can. Reading
 * settings and lowering resolve names, so they need every error placed in a named declaration.
 * Lowering also needs the image size of the preprocess blocks, so a damaged one stops it.
 */
function safeAfterErrors(phase: string, intact: IntactProgram): boolean {
  switch (phase) {
    case 'names':
      return true;
    case 'configs':
      return !intact.unattributed;
    case 'lower':
      return !intact.unattributed && !intact.droppedKinds.has('PreprocessDecl');
    default:
      return false;
  }
}

/**
 * Runs `phases` like `runPhases`, but continues after a phase with errors where that is safe,
 * on the declarations that have no error, so one run reports the independent errors of every
 * phase without follow-on errors. `failedPhase` is the first phase that reported an error and
 * `completed` lists the phases that ran. `state.program` is the whole program again afterwards.
 */
export function runPhasesPastErrors(state: SemanticState, phases: ReadonlyArray<Phase<SemanticState>> = frontendPhases): PhaseRun {
  const diagnostics: PhaseRun['diagnostics'] = [];
  const completed: string[] = [];
  let failedPhase: string | undefined;
  let whole = state.program;
  let droppedNames: ReadonlySet<string> = new Set();
  try {
    for (const phase of phases) {
      if (failedPhase !== undefined) {
        if (whole === undefined) break;
        const intact = keepIntactDeclarations(whole, diagnostics);
        if (!safeAfterErrors(phase.name, intact)) break;
        state.program = intact.program;
        droppedNames = intact.droppedNames;
      }
      const found = phase.run(state).filter((diagnostic) => !isFollowOnError(diagnostic, droppedNames));
      diagnostics.push(...found);
      completed.push(phase.name);
      whole ??= state.program;
      if (failedPhase === undefined && found.some((diagnostic) => diagnostic.severity === 'error')) failedPhase = phase.name;
    }
  } finally {
    if (whole !== undefined) state.program = whole;
  }
  return { diagnostics, completed, failedPhase };
}
