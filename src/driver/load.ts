// Loads a spec and every file it imports, parsing each once. Import paths are relative to the
// importing file, must name a .tier file, and must stay inside the folder tree of the spec being
// compiled (after resolving symbolic links), so a spec cannot pull in arbitrary files. Cycles are
// reported with the chain of files that forms them.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ImportDecl, Program, SourceFile } from '../ast/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { parse } from '../syntax/index.js';
import type { CompilerHost } from './host.js';

export interface LoadResult {
  /** Undefined only when the root file itself could not be read. */
  program: Program | undefined;
  diagnostics: Diagnostic[];
  /** Texts of the loaded files by display path, for rendering diagnostics. */
  sources: Map<string, string>;
}

/** The path shown for `path`: relative to the working directory when inside it, else absolute. */
export function displayPath(host: CompilerHost, path: string): string {
  const relativePath = relative(host.cwd, path);
  return relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath) ? path : relativePath;
}

export function loadProgram(rootPath: string, host: CompilerHost): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  if (rootPath.trim() === '') {
    // resolve() would turn an empty path into the working directory and report it as a folder.
    diagnostics.push(makeDiagnostic('TIER2011', 'The spec path is empty; give the path of a .tier file.', undefined));
    return { program: undefined, diagnostics, sources };
  }
  const absoluteRoot = resolve(host.cwd, rootPath);
  const rootText = readText(host, absoluteRoot, rootPath, undefined, diagnostics);
  if (rootText === undefined) return { program: undefined, diagnostics, sources };

  const realRoot = host.realpath(absoluteRoot);
  const rootDir = dirname(realRoot);
  const loaded = new Map<string, SourceFile>();
  const order: SourceFile[] = [];
  const stack: string[] = [];

  const load = (path: string, text: string): SourceFile => {
    const shown = displayPath(host, path);
    const { ast, diagnostics: found } = parse(text, shown);
    diagnostics.push(...found);
    sources.set(shown, text);
    const file: SourceFile = { path, displayPath: shown, text, ast, imports: [] };
    loaded.set(path, file);
    stack.push(path);
    for (const item of ast.items) {
      if (item.kind !== 'ImportDecl') continue;
      const target = resolveImport(host, file, item, rootDir, stack, diagnostics);
      if (target === undefined) continue;
      if (!file.imports.includes(target)) file.imports.push(target);
      if (loaded.has(target)) continue;
      const importedText = readText(host, target, displayPath(host, target), item, diagnostics);
      if (importedText === undefined) {
        file.imports.pop();
        continue;
      }
      load(target, importedText);
    }
    stack.pop();
    order.push(file);
    return file;
  };

  const root = load(realRoot, rootText);
  return { program: { root, files: order }, diagnostics, sources };
}

function resolveImport(
  host: CompilerHost,
  file: SourceFile,
  decl: ImportDecl,
  rootDir: string,
  stack: string[],
  diagnostics: Diagnostic[],
): string | undefined {
  const written = decl.path.value;
  if (!written.endsWith('.tier')) {
    diagnostics.push(makeDiagnostic('TIER2011', `Import '${written}' does not name a .tier file.`, decl.path.span));
    return undefined;
  }
  const target = host.realpath(resolve(dirname(file.path), written));
  const fromRoot = relative(rootDir, target);
  if (isAbsolute(written) || fromRoot.startsWith(`..${sep}`) || fromRoot === '..' || isAbsolute(fromRoot)) {
    diagnostics.push(
      makeDiagnostic(
        'TIER2006',
        `Import '${written}' points outside the folder of the spec being compiled ('${rootDir}'); copy the file into that folder tree.`,
        decl.path.span,
      ),
    );
    return undefined;
  }
  const cycleStart = stack.indexOf(target);
  if (cycleStart >= 0) {
    const chain = [...stack.slice(cycleStart), target].map((path) => relative(rootDir, path)).join(' → ');
    diagnostics.push(makeDiagnostic('TIER2005', `Import cycle: ${chain}.`, decl.path.span));
    return undefined;
  }
  return target;
}

function readText(host: CompilerHost, path: string, shown: string, decl: ImportDecl | undefined, diagnostics: Diagnostic[]): string | undefined {
  const span = decl?.path.span;
  const what = decl === undefined ? 'Spec file' : 'Imported file';
  let text: string;
  try {
    text = host.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      diagnostics.push(makeDiagnostic('TIER2011', `${what} '${shown}' is not a text .tier file: its bytes are not valid UTF-8.`, span));
    } else if (code === 'ENOENT') {
      diagnostics.push(makeDiagnostic('TIER2004', `${what} '${shown}' does not exist.`, span));
    } else if (code === 'EISDIR') {
      diagnostics.push(makeDiagnostic('TIER2011', `${what} '${shown}' is a folder, not a file.`, span));
    } else {
      const reason = code ?? (error instanceof Error ? error.message : String(error));
      diagnostics.push(makeDiagnostic('TIER2011', `${what} '${shown}' cannot be read (${reason}).`, span));
    }
    return undefined;
  }
  // Valid UTF-8 can still be binary (a zero-filled file, a UTF-16 text); no .tier text has NUL.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    diagnostics.push(makeDiagnostic('TIER2011', `${what} '${shown}' is not a text .tier file: it contains a NUL byte at character ${nul}.`, span));
    return undefined;
  }
  return text;
}
