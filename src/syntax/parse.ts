// The parse entry: lex, split the tokens into top-level declarations, parse each with error
// recovery, then build the AST. Splitting at declaration keywords keeps one broken declaration
// (a missing '}', say) from hiding the errors in the next ones. Lexing errors, syntax errors and
// over-deep nesting come back as diagnostics instead of exceptions (the fuzz test checks this).
import type { CstNode, IRecognitionException, IToken } from 'chevrotain';
import { EOF } from './chevrotain.js';
import type { Comment, SpecFile } from '../ast/types.js';
import { buildSpecFile } from './build-ast.js';
import { LineMap } from '../diagnostics/source.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { TierParser } from './parser.js';
import { declarationKeywords, repairBrackets, startsDeclaration, virtualOffsets } from './brackets.js';
import { describeToken } from './messages.js';
import * as t from './tokens.js';

export interface ParseResult {
  ast: SpecFile;
  diagnostics: Diagnostic[];
}

/**
 * Bracket and unary-minus nesting allowed before the parser stops. Recursive descent uses the
 * call stack: nested calls `f(f(…))` overflowed Node 20's default stack between 200 and 400
 * levels when measured, so 64 leaves a wide margin and is far beyond any real spec.
 */
export const MAX_NESTING = 64;

let sharedParser: TierParser | undefined;

/** Returns the shared parser; building one analyses the grammar, so it happens once. */
export function parserInstance(): TierParser {
  sharedParser ??= new TierParser();
  return sharedParser;
}

const opening = new Set([t.LParen, t.LBracket, t.LCurly]);
const closing = new Set([t.RParen, t.RBracket, t.RCurly]);

/** Parses `text`, read from `file`, into an AST and diagnostics. */
export function parse(text: string, file: string): ParseResult {
  const lines = new LineMap(text);
  const diagnostics: Diagnostic[] = [];
  const span = (start: number, end: number) => lines.span(file, start, end);

  const lexed = t.tierLexer.tokenize(text);
  for (const error of lexed.errors) {
    const shown = showCharacters(text.slice(error.offset, error.offset + error.length));
    const noun = error.length > 1 ? 'characters' : 'character';
    const pronoun = error.length > 1 ? 'them' : 'it';
    diagnostics.push(
      makeDiagnostic('TIER1001', `Unexpected ${noun} '${shown}'; remove ${pronoun} or put ${pronoun} inside a string.`, span(error.offset, error.offset + error.length)),
    );
  }

  const comments: Comment[] = [];
  for (const token of lexed.groups.comments ?? []) {
    const commentSpan = span(token.startOffset, token.startOffset + token.image.length);
    if (token.tokenType === t.UnterminatedBlockComment) {
      diagnostics.push(makeDiagnostic('TIER1004', "Block comment is not closed; add '*/' where it should end.", span(token.startOffset, token.startOffset + 2)));
    }
    comments.push({ kind: 'Comment', text: token.image, block: token.tokenType !== t.LineComment, span: commentSpan });
  }
  for (const token of lexed.tokens) {
    if (token.tokenType === t.UnterminatedString) {
      diagnostics.push(makeDiagnostic('TIER1003', "String is not closed; add '\"' before the end of the line.", span(token.startOffset, token.startOffset + token.image.length)));
    }
  }

  const repaired = repairBrackets(lexed.tokens, MAX_NESTING, span);
  diagnostics.push(...repaired.diagnostics);
  const chunks = splitDeclarations(repaired.tokens);
  const parser = parserInstance();
  const trees: CstNode[] = [];
  for (let index = 0; index < chunks.length; index++) {
    const chunk = chunks[index]!;
    const tooDeep = firstTooDeep(chunk);
    if (tooDeep !== undefined) {
      diagnostics.push(
        makeDiagnostic('TIER1008', `Nesting is deeper than ${MAX_NESTING} levels; this declaration was not parsed.`, span(tooDeep.startOffset, tooDeep.startOffset + tooDeep.image.length)),
      );
      continue;
    }
    parser.input = chunk;
    const tree = parser.specFile();
    const next = chunks[index + 1]?.[0];
    // One syntax error per line: recovery after the first often reports a second, less useful one.
    // Lines with a bracket error start out taken, because the parser's error there usually comes
    // from the same mistake.
    const linesWithErrors = new Set<number>(repaired.reportedLines);
    for (const error of parser.errors) {
      if (followsLexingError(text, lexed.errors, error.token)) continue;
      const diagnostic = syntaxDiagnostic(error, next, text.length, span);
      const line = diagnostic.span?.start.line ?? -1;
      if (linesWithErrors.has(line)) continue;
      linesWithErrors.add(line);
      diagnostics.push(diagnostic);
      // After text that is not a declaration, the rest of the chunk only repeats the problem.
      if (diagnostic.code === 'TIER1007') break;
    }
    trees.push(tree);
  }

  const ast = buildSpecFile(trees, { file, lines, diagnostics, comments, textLength: text.length });
  diagnostics.sort((a, b) => (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0));
  return { ast, diagnostics };
}

/**
 * Splits tokens before each declaration keyword at bracket depth zero. A declaration keyword
 * in column 1 splits at any depth unless the next token shows it is used as a name (`:`, `.`
 * or `=`), so `train {` at the start of a line after an unclosed model starts a declaration.
 */
function splitDeclarations(tokens: IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (declarationKeywords.has(token.tokenType) && current.length > 0) {
      if (depth === 0 || (token.startColumn === 1 && startsDeclaration(tokens, i))) {
        chunks.push(current);
        current = [];
        depth = 0;
      }
    }
    current.push(token);
    if (opening.has(token.tokenType)) depth++;
    else if (closing.has(token.tokenType) && depth > 0) depth--;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

/** Finds the first token that opens a bracket or unary minus beyond `MAX_NESTING`. */
function firstTooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  let minusRun = 0;
  for (const token of tokens) {
    if (token.tokenType === t.Minus) minusRun++;
    else minusRun = 0;
    if (opening.has(token.tokenType)) depth++;
    else if (closing.has(token.tokenType) && depth > 0) depth--;
    if (depth + minusRun > MAX_NESTING) return token;
  }
  return undefined;
}

function syntaxDiagnostic(
  error: IRecognitionException,
  nextDeclaration: IToken | undefined,
  textLength: number,
  span: (start: number, end: number) => Diagnostic['span'],
): Diagnostic {
  let token = error.token;
  let message = error.message;
  const previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
  // A closing bracket that the bracket repair inserted has no text; errors there point where it went.
  const inserted = virtualOffsets.get(token) ?? (token.tokenType === EOF && previous !== undefined ? virtualOffsets.get(previous) : undefined);
  const atEnd = token.tokenType === EOF || !Number.isFinite(token.startOffset);
  if (atEnd && nextDeclaration !== undefined) {
    // The declaration ended where the next one starts; name that token instead of the file end.
    message = message.replace('the end of the file', describeToken(nextDeclaration));
    token = nextDeclaration;
  }
  const atTopLevel = error.name === 'NotAllInputParsedException' || message.startsWith('Expected a declaration');
  const code = atTopLevel ? 'TIER1007' : error.name === 'MismatchedTokenException' ? 'TIER1002' : 'TIER1006';
  if (inserted !== undefined) return makeDiagnostic(code, message, span(inserted, inserted));
  if (message.includes('Did you mean') && previous !== undefined && Number.isFinite(previous.startOffset)) {
    // A suggestion is about the misspelt word before the unexpected token.
    return makeDiagnostic(code, message, span(previous.startOffset, previous.startOffset + previous.image.length));
  }
  if (token.tokenType === EOF || !Number.isFinite(token.startOffset)) {
    const end = previous !== undefined && Number.isFinite(previous.endOffset) ? previous.endOffset! + 1 : textLength;
    return makeDiagnostic(code, message, span(end, end));
  }
  return makeDiagnostic(code, message, span(token.startOffset, token.startOffset + token.image.length));
}

/**
 * Tells whether a syntax error only echoes a lexing error, because its token follows the
 * skipped characters with nothing but whitespace between them.
 */
function followsLexingError(text: string, errors: ReadonlyArray<{ offset: number; length: number }>, token: IToken): boolean {
  if (!Number.isFinite(token.startOffset)) return false;
  return errors.some((error) => {
    const end = error.offset + error.length;
    return end <= token.startOffset && text.slice(end, token.startOffset).trim() === '';
  });
}

/** Shows characters as written, except invisible ones, which appear as \u{hex}. */
function showCharacters(text: string): string {
  const shown = [...text]
    .map((char) => (/[\p{L}\p{N}\p{P}\p{S}]/u.test(char) ? char : `\\u{${char.codePointAt(0)!.toString(16)}}`))
    .join('');
  return shown.length > 24 ? `${shown.slice(0, 24)}…` : shown;
}
