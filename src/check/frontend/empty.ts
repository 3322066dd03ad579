// A spec that declares nothing to build or run: no model, data, train, eval or export block in
// the file or its imports. `check` warns. Commands that need a model report an error of their own.
import type { Program, SourceFile } from '../../ast/index.js';
import { makeDiagnostic } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';

const DECLARING_KINDS = new Set(['ModelDecl', 'ModelInstanceDecl', 'DataDecl', 'TrainDecl', 'EvalDecl', 'ExportDecl']);

/** Warns at the start of the root file when no loaded file declares a model, data, train, eval or export block. */
export function checkEmptySpec(program: Program): Diagnostic[] {
  const declares = program.files.some((file) => file.ast.items.some((item) => DECLARING_KINDS.has(item.kind)));
  // A syntax error can drop a declaration from the tree, and the parser already reported it.
  if (declares || !program.files.every(parsedCompletely)) return [];
  const file = program.root.displayPath;
  const start = { offset: 0, line: 1, column: 1 };
  return [makeDiagnostic('TIER2014', `'${file}' declares no model, data, train, eval or export block.`, { file, start, end: start })];
}

/** Returns true when every non-blank character of the file lies in a parsed top-level item or a comment. */
function parsedCompletely(file: SourceFile): boolean {
  const covered = new Uint8Array(file.text.length);
  for (const node of [...file.ast.items, ...file.ast.comments]) covered.fill(1, node.span.start.offset, node.span.end.offset);
  for (let i = 0; i < file.text.length; i++) {
    if (covered[i] === 0 && !/\s/.test(file.text[i]!)) return false;
  }
  return true;
}

/** Returns the message for a command that needs a model but got a spec that declares none. */
export function noModelMessage(file: string): string {
  return `'${file}' declares no model, so there is nothing to build; add a model block or import a file that declares one.`;
}
