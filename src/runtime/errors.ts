// The error type the runtime throws for problems the user can fix: it carries a diagnostic
// with a TIER6xxx code, which the CLI renders like any other diagnostic.
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';

export class TrainingError extends Error {
  readonly diagnostic: Diagnostic;

  constructor(code: string, message: string, span?: Span) {
    super(message);
    this.name = 'TrainingError';
    this.diagnostic = makeDiagnostic(code, message, span);
  }
}

/** A warning diagnostic for hooks, with the catalog's severity. */
export function trainingWarning(code: string, message: string, span?: Span): Diagnostic {
  return makeDiagnostic(code, message, span);
}
