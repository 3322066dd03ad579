// Diagnostics shared by every phase: types, the code catalog, construction, rendering and
// "did you mean" suggestions.
export type { Diagnostic, Position, Span, Severity, RelatedInformation, Fix } from './types.js';
export { catalog, catalogEntry, type CatalogEntry } from './catalog/index.js';
export { makeDiagnostic, hasErrors, type DiagnosticExtras } from './make.js';
export { renderDiagnostics, renderDiagnosticsJson, MAX_LINE_SHOWN, type RenderOptions, type SourceLookup } from './render.js';
export { closestMatch, didYouMean, editDistance } from './suggest.js';
export { LineMap } from './source.js';
