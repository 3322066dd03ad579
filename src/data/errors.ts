// Errors of the data layer. A `DataIssue` is a plain record (file, row, line, column, code)
// that crosses worker threads and JSON reports; `DataError` carries one as an exception.
import type { Diagnostic, Severity } from '../diagnostics/types.js';

export interface DataIssue {
  /** Catalog code, for example `TIER5011`. */
  code: string;
  severity: Severity;
  message: string;
  /** The manifest, image or vocabulary file the issue is about. */
  file?: string;
  /** 1-based data row of the manifest (the header is not counted). */
  row?: number;
  /** 1-based physical line of the manifest where the row starts. */
  line?: number;
  /** Manifest column name. */
  column?: string;
}

export class DataError extends Error {
  readonly issue: DataIssue;

  constructor(issue: Omit<DataIssue, 'severity'> & { severity?: Severity }) {
    const full: DataIssue = { severity: 'error', ...issue };
    super(formatIssue(full));
    this.name = 'DataError';
    this.issue = full;
  }
}

/** Formats an issue as `file:line: row N, column 'c': message [CODE]`. */
export function formatIssue(issue: DataIssue): string {
  const place: string[] = [];
  if (issue.file !== undefined) place.push(issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file);
  const where: string[] = [];
  if (issue.row !== undefined) where.push(`row ${issue.row}`);
  if (issue.column !== undefined) where.push(`column '${issue.column}'`);
  const prefix = [place.join(''), where.join(', ')].filter((part) => part.length > 0).join(': ');
  return `${prefix.length > 0 ? `${prefix}: ` : ''}${issue.message} [${issue.code}]`;
}

/**
 * Converts an issue to a shared `Diagnostic`; the span points at the row's first line when it is
 * known. Without a line the message starts with the file, so that it still names it.
 */
export function issueToDiagnostic(issue: DataIssue): Diagnostic {
  const where: string[] = [];
  if (issue.row !== undefined) where.push(`row ${issue.row}`);
  if (issue.column !== undefined) where.push(`column '${issue.column}'`);
  let message = where.length > 0 ? `${capitalize(where.join(', '))}: ${issue.message}` : issue.message;
  if (issue.file !== undefined && issue.line === undefined) message = `${issue.file}: ${message}`;
  const diagnostic: Diagnostic = { code: issue.code, severity: issue.severity, message };
  if (issue.file !== undefined && issue.line !== undefined) {
    const position = { offset: 0, line: issue.line, column: 1 };
    diagnostic.span = { file: issue.file, start: position, end: position };
  }
  return diagnostic;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Returns the issue of a `DataError`, or wraps another thrown value as an issue with `code`. */
export function toIssue(error: unknown, code: string, context: Partial<DataIssue> = {}): DataIssue {
  if (error instanceof DataError) return { ...error.issue, ...definedOnly(context) };
  const message = error instanceof Error ? error.message : String(error);
  return { code, severity: 'error', message, ...definedOnly(context) };
}

function definedOnly(context: Partial<DataIssue>): Partial<DataIssue> {
  const result: Partial<DataIssue> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) (result as Record<string, unknown>)[key] = value;
  }
  return result;
}
