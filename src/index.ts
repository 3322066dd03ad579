// The public library API of tierc. It prints nothing; results and diagnostics are returned as data.
export type { Diagnostic, Position, Span, Severity, RelatedInformation, Fix } from './diagnostics/types.js';
export * as evaluation from './eval/index.js';
export * as report from './report/index.js';
