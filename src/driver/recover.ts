// Continuing the front end past errors. After a phase reports errors, the later phases see a
// copy of the program without the top-level declarations that contain an error. So one mistake
// is reported once: a model with a syntax error is not also shape-checked. A dropped declaration
// does not produce "is not defined" errors where other declarations use its name either.
// Later phases are skipped when an error cannot be tied to one named declaration, because then
// any name may have been lost.
import type { Program, SourceFile, TopLevelItem } from '../ast/index.js';
import type { Diagnostic } from '../diagnostics/types.js';

export interface IntactProgram {
  /** The program without damaged declarations; its files are copies, the originals are unchanged. */
  program: Program;
  /** Names of the dropped declarations, so errors about them as undefined names can be dropped too. */
  droppedNames: Set<string>;
  /** Kinds of the dropped declarations, such as 'PreprocessDecl'. */
  droppedKinds: Set<TopLevelItem['kind']>;
  /**
   * Whether an error lies outside every declaration (between or before them), in an import or
   * without a place in a loaded file. Name resolution is then unsafe: the lost text may have declared
   * anything.
   */
  unattributed: boolean;
}

/** Codes whose message names an undefined model, block, value or settings block in quotes. */
const UNDEFINED_NAME_CODES = new Set(['TIER2101', 'TIER2115']);

/** Returns a copy of `program` without the top-level declarations whose span contains an error of `errors`. */
export function keepIntactDeclarations(program: Program, errors: readonly Diagnostic[]): IntactProgram {
  const droppedNames = new Set<string>();
  const droppedKinds = new Set<TopLevelItem['kind']>();
  let unattributed = false;
  const copies = new Map<SourceFile, SourceFile>();

  for (const file of program.files) {
    const inFile = errors.filter((error) => error.severity === 'error' && error.span?.file === file.displayPath);
    const offsets = inFile.map((error) => error.span!.start.offset);
    const syntaxOffsets = inFile.filter((error) => error.code.startsWith('TIER1')).map((error) => error.span!.start.offset);
    const items = file.ast.items;
    const inside = (item: TopLevelItem, offset: number) => offset >= item.span.start.offset && offset <= item.span.end.offset;
    // A syntax error after a declaration's end, up to the start of the next one, may mean that
    // the parser cut the declaration short (a missing '}'), so that declaration counts as damaged.
    // Errors of later phases point at the node they are about, so they need no such widening.
    const cutShort = (index: number, offset: number) => {
      const item = items[index]!;
      const next = items[index + 1];
      return offset > item.span.end.offset && (next === undefined || offset <= next.span.start.offset);
    };
    const damagedAt = items.map((item, index) => offsets.some((offset) => inside(item, offset)) || syntaxOffsets.some((offset) => cutShort(index, offset)));
    const kept = items.filter((_, index) => !damagedAt[index]);
    for (const [index, item] of items.entries()) {
      if (!damagedAt[index]) continue;
      droppedKinds.add(item.kind);
      const name = declaredName(item);
      if (name === undefined) unattributed = true;
      else if (name !== null) droppedNames.add(name);
    }
    if (offsets.some((offset) => !items.some((item) => inside(item, offset)))) {
      unattributed = true;
    }
    copies.set(file, { ...file, ast: { ...file.ast, items: kept } });
  }
  // An error without a span (an unreadable file) or in a file that is not loaded cannot be placed.
  const loaded = new Set(program.files.map((file) => file.displayPath));
  if (errors.some((error) => error.severity === 'error' && (error.span === undefined || !loaded.has(error.span.file)))) unattributed = true;

  const files = program.files.map((file) => copies.get(file)!);
  return { program: { root: copies.get(program.root)!, files }, droppedNames, droppedKinds, unattributed };
}

/** Tells whether `diagnostic` reports a name as undefined that belongs to a dropped declaration. */
export function isFollowOnError(diagnostic: Diagnostic, droppedNames: ReadonlySet<string>): boolean {
  if (!UNDEFINED_NAME_CODES.has(diagnostic.code)) return false;
  const quoted = /'([^']+)'/.exec(diagnostic.message);
  return quoted !== null && droppedNames.has(quoted[1]!);
}

/**
 * Returns the name a declaration defines for other declarations to use. It is null when other
 * declarations cannot refer to it, and undefined for an import, whose loss hides every name of
 * the imported file.
 */
function declaredName(item: TopLevelItem): string | null | undefined {
  switch (item.kind) {
    case 'ImportDecl':
      return undefined;
    case 'ExportDecl':
      return null;
    case 'PreprocessDecl':
    case 'TrainDecl':
    case 'UnknownBlockDecl':
      return item.name?.name ?? null;
    default:
      return item.name.name;
  }
}
