// The compile driver: a list of named phases run in order over a shared state, stopping after
// the first phase that reports an error. Later phases (types and shapes, lowering, emission)
// extend the state type and append themselves to the list.
import { hasErrors } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';

export interface Phase<S> {
  name: string;
  /** Runs the phase, updating `state`, and returns what it found. */
  run(state: S): Diagnostic[];
}

export interface PhaseRun {
  diagnostics: Diagnostic[];
  /** Names of the phases that ran to the end, in order. */
  completed: string[];
  /** The phase that reported errors, after which the driver stopped. */
  failedPhase: string | undefined;
}

export function runPhases<S>(state: S, phases: ReadonlyArray<Phase<S>>): PhaseRun {
  const diagnostics: Diagnostic[] = [];
  const completed: string[] = [];
  for (const phase of phases) {
    const found = phase.run(state);
    diagnostics.push(...found);
    completed.push(phase.name);
    if (hasErrors(found)) return { diagnostics, completed, failedPhase: phase.name };
  }
  return { diagnostics, completed, failedPhase: undefined };
}
