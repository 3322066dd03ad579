// Shared helper of the syntax tests: the diagnostics of a parse as code, line, column and message.
import { parse } from '../../src/syntax/index.js';

export function where(text: string) {
  return parse(text, 'x.tier').diagnostics.map((diagnostic) => ({
    code: diagnostic.code,
    line: diagnostic.span?.start.line,
    column: diagnostic.span?.start.column,
    message: diagnostic.message,
  }));
}
