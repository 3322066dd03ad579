// The public library API of tierc. It prints nothing; results and diagnostics are returned as data.
export type { Diagnostic, Position, Span, Severity, RelatedInformation, Fix } from './diagnostics/types.js';
