// The shapes shared by every phase: source spans and diagnostics.

/** A position in a source file. Lines and columns start at 1; columns count UTF-16 code units, tabs as one. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

/** A half-open range [start, end) of a source file. */
export interface Span {
  file: string;
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  span: Span;
  message: string;
}

/** A suggested edit: replace the text at `span` with `replacement`. */
export interface Fix {
  description: string;
  span: Span;
  replacement: string;
}

export interface Diagnostic {
  /** Stable code from the catalog, for example `TIER1002`. */
  code: string;
  severity: Severity;
  message: string;
  /** Absent only for diagnostics about no source text at all (for example a missing file). */
  span?: Span;
  related?: RelatedInformation[];
  fix?: Fix;
}
