// Builds diagnostics whose severity comes from the catalog, so a code and its severity never
// disagree between phases.
import { catalogEntry } from './catalog/index.js';
import type { Diagnostic, RelatedInformation, Span, Fix } from './types.js';

export interface DiagnosticExtras {
  related?: RelatedInformation[];
  fix?: Fix;
}

/** Creates a diagnostic for a catalog code; an unknown or retired code is a bug in tierc. */
export function makeDiagnostic(code: string, message: string, span: Span | undefined, extras: DiagnosticExtras = {}): Diagnostic {
  const entry = catalogEntry(code);
  if (entry === undefined || entry.retired === true) {
    throw new Error(`diagnostic code ${code} is not an active catalog entry`);
  }
  const diagnostic: Diagnostic = { code, severity: entry.severity, message };
  if (span !== undefined) diagnostic.span = span;
  if (extras.related !== undefined && extras.related.length > 0) diagnostic.related = extras.related;
  if (extras.fix !== undefined) diagnostic.fix = extras.fix;
  return diagnostic;
}

/** Whether any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((diagnostic) => diagnostic.severity === 'error');
}
