// Renders diagnostics for a terminal: `file:line:col: error CODE: message`, the source line with
// a caret or underline under the span, then each related span as a note. Colour is added only
// when the caller allows it (see useColor in the CLI). Lines longer than MAX_LINE_SHOWN are shown
// as a window around the span, so a 1 MB line prints a short excerpt.
import { LineMap } from './source.js';
import type { Diagnostic, Span } from './types.js';
import { layoutLine } from './width.js';

/** Returns the text of `file`, or undefined when it is not available. */
export type SourceLookup = (file: string) => string | undefined;

export interface RenderOptions {
  sources: SourceLookup;
  color?: boolean;
}

/** UTF-16 code units of a source line shown at most. */
export const MAX_LINE_SHOWN = 160;

const ansi = {
  bold: '\u001b[1m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  blue: '\u001b[34m',
  reset: '\u001b[0m',
};

/** Renders every diagnostic as text; each ends with a newline. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderOptions): string {
  const maps = new Map<string, LineMap | undefined>();
  const lineMap = (file: string): LineMap | undefined => {
    if (!maps.has(file)) {
      const text = options.sources(file);
      maps.set(file, text === undefined ? undefined : new LineMap(text));
    }
    return maps.get(file);
  };
  const paint = (style: keyof typeof ansi, text: string) => (options.color === true ? `${ansi[style]}${text}${ansi.reset}` : text);

  let output = '';
  for (const diagnostic of diagnostics) {
    const severityStyle = diagnostic.severity === 'error' ? 'red' : diagnostic.severity === 'warning' ? 'yellow' : 'cyan';
    const head = `${paint(severityStyle, `${diagnostic.severity} ${diagnostic.code}`)}: ${paint('bold', diagnostic.message)}`;
    output += `${location(diagnostic.span)}${head}\n`;
    if (diagnostic.span !== undefined) output += excerpt(diagnostic.span, lineMap(diagnostic.span.file), paint, severityStyle);
    for (const related of diagnostic.related ?? []) {
      output += `${location(related.span)}${paint('cyan', 'note')}: ${related.message}\n`;
      output += excerpt(related.span, lineMap(related.span.file), paint, 'cyan');
    }
    if (diagnostic.fix !== undefined) {
      output += `  ${paint('cyan', 'help')}: ${diagnostic.fix.description}\n`;
    }
  }
  return output;
}

/** The diagnostics as a JSON array (the `--format json` output), with a final newline. */
export function renderDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify(diagnostics, null, 2)}\n`;
}

function location(span: Span | undefined): string {
  return span === undefined ? '' : `${span.file}:${span.start.line}:${span.start.column}: `;
}

function excerpt(
  span: Span,
  lines: LineMap | undefined,
  paint: (style: keyof typeof ansi, text: string) => string,
  style: keyof typeof ansi,
): string {
  if (lines === undefined) return '';
  const line = span.start.line;
  const text = lines.lineText(line);
  let startUnit = Math.min(span.start.column - 1, text.length);
  // A span that continues past this line is underlined to the end of the line.
  let endUnit = span.end.line === line ? Math.min(Math.max(span.end.column - 1, startUnit), text.length) : text.length;

  let shown = text;
  let prefix = '';
  let suffix = '';
  if (text.length > MAX_LINE_SHOWN) {
    let from = Math.max(0, startUnit - 40);
    let to = Math.min(text.length, from + MAX_LINE_SHOWN);
    if (isLowSurrogate(text.charCodeAt(from))) from++;
    if (isLowSurrogate(text.charCodeAt(to))) to--;
    shown = text.slice(from, to);
    prefix = from > 0 ? '…' : '';
    suffix = to < text.length ? '…' : '';
    startUnit -= from;
    endUnit = Math.min(endUnit - from, shown.length);
  }

  const { display, columns } = layoutLine(shown);
  const offset = prefix.length;
  const caretStart = columns[startUnit]! + offset;
  const caretEnd = columns[endUnit]! + offset;
  const marker = caretEnd > caretStart ? '^'.repeat(caretEnd - caretStart) : '^';
  const gutter = String(line);
  const blank = ' '.repeat(gutter.length);
  return (
    `${paint('blue', `${gutter} |`)} ${prefix}${display}${suffix}\n` +
    `${paint('blue', `${blank} |`)} ${' '.repeat(caretStart)}${paint(style, marker)}\n`
  );
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
