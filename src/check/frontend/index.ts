// Front-end checks that need no types or shapes: duplicate definitions, block kinds and setting
// keys, and literal ranges. Imports are resolved by the loader before this runs.
import type { Program } from '../../ast/index.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { checkDuplicates } from './duplicates.js';
import { checkKindsAndKeys } from './settings.js';
import { checkLiterals } from './literals.js';
import { checkEmptySpec } from './empty.js';

export { blockSchemas, topLevelKinds, positiveSizeNames, type SettingsSchema, type SettingsBlockKind } from './schema.js';
export { constantValue } from './literals.js';

/** Runs every front-end check over a loaded program; diagnostics come in source order per file. */
export function checkFrontend(program: Program): Diagnostic[] {
  const diagnostics = [...checkEmptySpec(program), ...checkKindsAndKeys(program), ...checkDuplicates(program), ...checkLiterals(program)];
  const fileOrder = new Map(program.files.map((file, index) => [file.displayPath, index]));
  return diagnostics.sort((a, b) => {
    const fileA = fileOrder.get(a.span?.file ?? '') ?? -1;
    const fileB = fileOrder.get(b.span?.file ?? '') ?? -1;
    return fileA - fileB || (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0);
  });
}
