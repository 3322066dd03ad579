// Diagnostics of the ONNX backend, with severities from the TIER4xxx catalog range.
import { backendCatalog } from '../../diagnostics/catalog/backend.js';
import type { Diagnostic, Span } from '../../diagnostics/types.js';

export function backendDiagnostic(code: string, message: string, span?: Span): Diagnostic {
  const entry = backendCatalog.find((candidate) => candidate.code === code);
  if (!entry) throw new Error(`diagnostic code ${code} is not in the backend catalog`);
  const diagnostic: Diagnostic = { code, severity: entry.severity, message };
  if (span) diagnostic.span = span;
  return diagnostic;
}

/** Thrown inside a lowering to abandon one node; the emitter turns it into a diagnostic. */
export class LoweringError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}
