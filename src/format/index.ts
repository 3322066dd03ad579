// The .tier formatter: parse, then print the canonical layout. Files with syntax errors are not
// formatted (their tree is incomplete); the diagnostics say why.
import { printer } from 'prettier/doc';
import type { SpecFile } from '../ast/index.js';
import { hasErrors } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { parse } from '../syntax/index.js';
import { PRINT_WIDTH, SpecPrinter } from './print.js';

export { PRINT_WIDTH };

export interface FormatResult {
  /** The formatted text; undefined when the input has syntax errors. */
  formatted: string | undefined;
  diagnostics: Diagnostic[];
}

/** Formats the text of a .tier file. */
export function formatSpec(text: string, file = '<input>'): FormatResult {
  const { ast, diagnostics } = parse(text, file);
  if (hasErrors(diagnostics)) return { formatted: undefined, diagnostics };
  return { formatted: printSpec(ast, text), diagnostics };
}

/** Prints a parsed file in the canonical layout; `text` is the source it was parsed from. */
export function printSpec(ast: SpecFile, text: string): string {
  const doc = new SpecPrinter(ast, text).printFile();
  return printer.printDocToString(doc, { printWidth: PRINT_WIDTH, tabWidth: 2, useTabs: false }).formatted;
}
