// `checkSpec`: the front end as one library call, for tools that embed tierc.
import type { Program } from '../ast/index.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { frontendState, runPhasesPastErrors } from './frontend.js';
import { nodeHost, type CompilerHost } from './host.js';

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** The loaded program; undefined when the spec could not be read. */
  program: Program | undefined;
  /** Texts of the loaded files by the file name used in spans, for `renderDiagnostics`. */
  sources: Map<string, string>;
}

/**
 * Loads, parses and checks the spec at `path` and the files it imports. After errors it goes on
 * with the declarations that have none, so independent errors of every phase are reported.
 */
export function checkSpec(path: string, host: CompilerHost = nodeHost(process.cwd())): CheckResult {
  const state = frontendState(path, host);
  const run = runPhasesPastErrors(state);
  return { diagnostics: run.diagnostics, program: state.program, sources: state.sources };
}
