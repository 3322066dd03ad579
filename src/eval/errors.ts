// The error type of the evaluation layer. Evaluation works on arrays the caller built, so bad
// input (mismatched lengths, an invalid label value, a wrong tensor shape) is raised as an
// `EvalError` carrying a catalog code and, where known, the file and the JSON path of the value.
import type { Diagnostic } from '../diagnostics/types.js';

export interface EvalIssue {
  /** Catalog code, for example `TIER7002`. */
  code: string;
  message: string;
  /** The file the value came from, when it came from a file. */
  file?: string;
  /** Where in that file: a JSON path such as `labels.Edema[3]`, or `line 12`. */
  location?: string;
}

export class EvalError extends Error {
  readonly issue: EvalIssue;

  constructor(issue: EvalIssue) {
    super(formatEvalIssue(issue));
    this.name = 'EvalError';
    this.issue = issue;
  }
}

/** Formats an issue as `file: location: message [CODE]`, leaving out the parts that are unknown. */
export function formatEvalIssue(issue: EvalIssue): string {
  const parts = [issue.file, issue.location].filter((part): part is string => part !== undefined && part !== '');
  const prefix = parts.length > 0 ? `${parts.join(': ')}: ` : '';
  return `${prefix}${issue.message} [${issue.code}]`;
}

/** Converts an issue to a shared `Diagnostic` (evaluation input has no spec span). */
export function evalIssueToDiagnostic(issue: EvalIssue, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const where = [issue.file, issue.location].filter((part) => part !== undefined && part !== '').join(': ');
  return { code: issue.code, severity, message: where === '' ? issue.message : `${where}: ${issue.message}` };
}
