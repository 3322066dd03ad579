// A program: the spec being compiled plus every file it imports, each parsed. What an import
// brings in: the imported file's models, blocks, data, preprocess and eval blocks (and, in turn,
// those of its own imports). Train and export blocks stay with their file: they describe what
// to do when that file is the one compiled.
import type { SpecFile, TopLevelItem } from './types.js';

export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** The path shown in diagnostics (relative to the working directory); also `ast.file`. */
  displayPath: string;
  text: string;
  ast: SpecFile;
  /** Absolute paths of the files this one imports, in source order, resolved and loaded. */
  imports: string[];
}

export interface Program {
  /** The spec named on the command line. */
  root: SourceFile;
  /** Every loaded file, each after the files it imports; the root comes last. */
  files: SourceFile[];
}

/** Whether a declaration of an imported file is visible to the files that import it. */
export function isImportable(item: TopLevelItem): boolean {
  return item.kind !== 'TrainDecl' && item.kind !== 'ExportDecl' && item.kind !== 'ImportDecl';
}

/**
 * The declarations of a program that its root sees, in load order: every importable
 * declaration of imported files, then every declaration of the root.
 */
export function visibleDeclarations(program: Program): Array<{ file: SourceFile; item: TopLevelItem }> {
  const result: Array<{ file: SourceFile; item: TopLevelItem }> = [];
  for (const file of program.files) {
    const isRoot = file === program.root;
    for (const item of file.ast.items) {
      if (isRoot || isImportable(item)) result.push({ file, item });
    }
  }
  return result;
}
