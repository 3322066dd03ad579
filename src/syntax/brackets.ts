// Bracket matching before the parser runs. When the '{', '(' and '[' of a file do not pair up,
// the indentation of the lines shows where a bracket should have closed: a line that starts at
// or left of the start of the line that opened a bracket is outside it. Each bracket closed that
// way gets one diagnostic that names it and its opening line, and a virtual closing token. The
// parser then gets balanced input and reports nothing more for the same mistake. A closing
// bracket that matches no open one stays for the parser to report. Files whose brackets pair up
// are left as they are, so layout never changes how a well-formed file parses.
import type { IToken, TokenType } from 'chevrotain';
import { createTokenInstance } from './chevrotain.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import * as t from './tokens.js';

export interface BracketRepair {
  /** The tokens with stray closing brackets removed and virtual closing brackets inserted. */
  tokens: IToken[];
  diagnostics: Diagnostic[];
  /** Lines that have a bracket diagnostic; parser errors there are most likely the same mistake. */
  reportedLines: Set<number>;
}

/** At most this many bracket diagnostics per file; later ones repeat the same confusion. */
const MAX_REPORTED = 10;

const closerOf = new Map<TokenType, TokenType>([
  [t.LCurly, t.RCurly],
  [t.LParen, t.RParen],
  [t.LBracket, t.RBracket],
]);
const openerOf = new Map<TokenType, TokenType>([...closerOf].map(([open, close]) => [close, open]));

interface OpenBracket {
  /** The bracket's index in the input tokens. */
  index: number;
  /** The bracket's index in the output tokens. */
  outputIndex: number;
  /** The column of the first token on the opening bracket's line. */
  indent: number;
  /** Whether the bracket is a '(' or '[' with more tokens after it on its line. */
  inline: boolean;
  /** Whether the bracket is a '{' of a block whose kind is not a keyword, or inside one. */
  opaque: boolean;
  /** Whether the first line inside the bracket is not indented, so indentation shows nothing about it. */
  flat: boolean;
  /** The output position where the bracket most likely should have closed, if layout shows one. */
  endsBefore?: number;
}

/**
 * Pairs the brackets of `tokens`; see the file comment. `maxDepth` is the nesting limit that the
 * parser enforces, and deeper input is left unchanged for that check to report.
 */
export function repairBrackets(
  tokens: IToken[],
  maxDepth: number,
  span: (start: number, end: number) => Span,
): BracketRepair {
  const unchanged: BracketRepair = { tokens, diagnostics: [], reportedLines: new Set() };
  if (bracketsPairUp(tokens, maxDepth)) return unchanged;

  const lineIndent = new Map<number, number>();
  for (const token of tokens) {
    if (!lineIndent.has(token.startLine!)) lineIndent.set(token.startLine!, token.startColumn!);
  }

  const output: IToken[] = [];
  const diagnostics: Diagnostic[] = [];
  const stack: OpenBracket[] = [];
  const matchedOpener = new Map<number, number>();

  const report = (diagnostic: Diagnostic) => {
    if (diagnostics.length < MAX_REPORTED) diagnostics.push(diagnostic);
  };
  /**
   * Closes the innermost open bracket before `next` (undefined at the end of the file), or at the
   * earlier line where it most likely ended. `outerStaysOpen` is whether an enclosing '(' or '['
   * stays open after this one closes.
   */
  const forceClose = (next: IToken | undefined, outerStaysOpen: boolean) => {
    const open = stack.pop()!;
    const opener = tokens[open.index]!;

    let position = open.endsBefore ?? output.length;
    if (opener.tokenType === t.LBracket && open.endsBefore === undefined) {
      // A list contains no named arguments, so `, NAME:` inside it belongs to the enclosing call.
      position = namedArgumentAfter(output, open.outputIndex + 1, position) ?? position;
    }

    // A ',' or operator at the end of the line continues the enclosing expression when that stays
    // open: `f(g(x),` followed by the next argument. Otherwise the ',' or operator is unfinished
    // input inside this bracket, which the parser reports.
    if (opener.tokenType !== t.LCurly && next !== undefined && (open.endsBefore !== undefined || outerStaysOpen)) {
      while (position > 0 && isSeparator(output[position - 1]!, open.endsBefore !== undefined)) position--;
    }

    const closer = createTokenInstance(closerOf.get(opener.tokenType)!, closingText(opener), NaN, NaN, NaN, NaN, NaN, NaN);
    output.splice(position, 0, closer);

    // Virtual closers already inserted for inner brackets have no position, so the text before is the last real token.
    const at = lastRealToken(output, position);
    const end = at === undefined ? 0 : at.endOffset! + 1;
    virtualOffsets.set(closer, end);

    const following = output.slice(position + 1).find((token) => Number.isFinite(token.startOffset)) ?? next;
    let where = `before '${following?.image}'`;
    if (following === undefined) where = 'at the end of the file';
    else if (at === undefined || following.startLine !== at.endLine) where = `at the end of line ${span(end, end).start.line}`;
    const construct = describeOpener(tokens, open.index, matchedOpener);
    report(
      makeDiagnostic('TIER1011', `${construct} opened at line ${opener.startLine} is not closed; add '${closer.image}' ${where}.`, span(end, end), {
        related: [{ span: span(opener.startOffset, opener.startOffset + 1), message: `${construct} opens here.` }],
      }),
    );
  };

  /**
   * Tells whether the '(' or '[' below the innermost open bracket stays open at a line that
   * starts in `column`: indentation does not close it there.
   */
  const outerStaysOpenAt = (column: number) => {
    const outer = stack[stack.length - 2];
    return outer !== undefined && tokens[outer.index]!.tokenType !== t.LCurly && (outer.flat || outer.indent < column);
  };
  const innermostIsParen = () => stack.length > 0 && tokens[stack[stack.length - 1]!.index]!.tokenType !== t.LCurly;
  const innermostIsAxes = () => stack.length > 0 && tokens[stack[stack.length - 1]!.index - 1]?.tokenType === t.Axes;

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const previous = tokens[index - 1];
    /** The kind of bracket that `token` closes, when it is a closing bracket. */
    const closes = openerOf.get(token.tokenType);
    const startsLine = previous === undefined || token.startLine !== previous.endLine;

    // A declaration keyword at the start of a line in column 1 starts a declaration at any depth,
    // as the parse entry splits declarations, even in a file that is not indented.
    if (startsLine && token.startColumn === 1 && startsDeclaration(tokens, index)) {
      while (stack.length > 0) forceClose(token, false);
    }

    // A model member never starts inside '(', '[' or an 'axes' block, so those close before it.
    if (startsModelMember(tokens, index)) {
      while (innermostIsParen() || innermostIsAxes()) forceClose(token, false);
    }

    // The body of a block whose kind is not a keyword is skipped by the parser, so only its
    // braces need to pair up.
    if (stack[stack.length - 1]?.opaque === true && token.tokenType !== t.LCurly && token.tokenType !== t.RCurly) {
      output.push(token);
      continue;
    }

    if (startsLine) {
      const column = token.startColumn!;
      if (closes === undefined) {
        // A line at or left of an open bracket's line is a sibling of that line, not inside it,
        // unless it is the first line of a block that is not indented at all. Layout then shows
        // nothing about that bracket.
        while (stack.length > 0 && !stack[stack.length - 1]!.flat && stack[stack.length - 1]!.indent >= column) {
          const top = stack[stack.length - 1]!;
          if (top.index === index - 1) {
            top.flat = true;
            break;
          }
          // After a ',' or operator the line continues an expression, so a '(' or '[' most
          // likely closed before that ',' or operator.
          if (innermostIsParen() && previous !== undefined && isSeparator(previous, true)) top.endsBefore ??= output.length;
          forceClose(token, outerStaysOpenAt(column));
        }
        // A line that starts left of a '(' or '[' with more text after it on its line suggests
        // that the bracket ended before that line. The place is used only if the bracket turns
        // out to be unclosed.
        const top = stack[stack.length - 1];
        if (top !== undefined && top.inline && top.endsBefore === undefined && column <= tokens[top.index]!.startColumn!) {
          top.endsBefore = output.length;
        }
      } else {
        // A closing bracket left of the innermost open bracket's line belongs to an outer bracket
        // of its kind, when there is one.
        while (stack.length > 0 && stack[stack.length - 1]!.indent > column && openBelowTop(stack, tokens, closes)) forceClose(token, outerStaysOpenAt(column));
      }
    }

    if (closerOf.has(token.tokenType)) {
      // Braces never nest inside '(' or '[', so those close before a '{'.
      if (token.tokenType === t.LCurly) {
        while (innermostIsParen()) forceClose(token, false);
      }
      const inline = token.tokenType !== t.LCurly && tokens[index + 1]?.startLine === token.startLine;
      const opaque = token.tokenType === t.LCurly && (stack[stack.length - 1]?.opaque === true || (stack.length === 0 && opensUnknownBlock(tokens, index)));
      stack.push({ index, outputIndex: output.length, indent: lineIndent.get(token.startLine!)!, inline, opaque, flat: false });
      output.push(token);
      continue;
    }
    if (closes === undefined) {
      output.push(token);
      continue;
    }
    if (!stack.some((open) => tokens[open.index]!.tokenType === closes)) {
      // A closing bracket without an opening one has usually lost its opening bracket. The
      // parser's own recovery reports that case with fewer errors than dropping the bracket here
      // does, as measured by deleting each opening bracket of the specs in turn.
      output.push(token);
      continue;
    }
    while (tokens[stack[stack.length - 1]!.index]!.tokenType !== closes) forceClose(token, true);
    matchedOpener.set(index, stack.pop()!.index);
    output.push(token);
  }
  while (stack.length > 0) forceClose(undefined, false);

  const reportedLines = new Set(diagnostics.map((diagnostic) => diagnostic.span!.start.line));
  return { tokens: output, diagnostics, reportedLines };
}

/** The keywords that start a top-level declaration. */
export const declarationKeywords = new Set([t.Import, t.Model, t.Block, t.Data, t.Preprocess, t.Train, t.Eval, t.Export]);

/** Tells whether the declaration keyword at `index` starts a declaration rather than being a name (`model: m`, `eval.x`, `data = …`). */
export function startsDeclaration(tokens: IToken[], index: number): boolean {
  if (!declarationKeywords.has(tokens[index]!.tokenType)) return false;
  const following = tokens[index + 1]?.tokenType;
  return following !== t.Colon && following !== t.Dot && following !== t.Equals;
}

const memberKeywords = new Set([t.Axes, t.Head, t.Let, t.Param, t.Loss]);

/**
 * Tells whether the token at `index` starts a model member: `let`, `loss`, … or `NAME encoder =`.
 * The keywords are names after '.' and before ':' (`eval.e.loss`, `f(loss: 1)`).
 */
function startsModelMember(tokens: IToken[], index: number): boolean {
  const token = tokens[index]!;
  if (memberKeywords.has(token.tokenType)) return tokens[index - 1]?.tokenType !== t.Dot && tokens[index + 1]?.tokenType !== t.Colon;
  return token.tokenType === t.Identifier && tokens[index + 1]?.tokenType === t.Encoder && tokens[index + 2]?.tokenType === t.Equals;
}

/** Tells whether every bracket closes in order and nesting stays within `maxDepth`. */
function bracketsPairUp(tokens: IToken[], maxDepth: number): boolean {
  const stack: Array<{ type: TokenType; opaque: boolean }> = [];
  for (const [index, token] of tokens.entries()) {
    const top = stack[stack.length - 1];
    if (top?.opaque === true && token.tokenType !== t.LCurly && token.tokenType !== t.RCurly) continue;
    if (closerOf.has(token.tokenType)) {
      const opaque = token.tokenType === t.LCurly && (top?.opaque === true || (top === undefined && opensUnknownBlock(tokens, index)));
      stack.push({ type: token.tokenType, opaque });
      // Deeper input is reported as too deep by the parse entry; it is left unchanged here.
      if (stack.length > maxDepth) return true;
      continue;
    }
    const opener = openerOf.get(token.tokenType);
    if (opener !== undefined && stack.pop()?.type !== opener) return false;
  }
  return stack.length === 0;
}

/**
 * Tells whether the '{' at `index`, outside any bracket, opens a block whose kind is not a
 * keyword (`trian {`, `trian x {`), which the parser skips.
 */
function opensUnknownBlock(tokens: IToken[], index: number): boolean {
  const word = tokens[index - 1];
  const before = tokens[index - 2];
  if (word?.tokenType !== t.Identifier) return false;
  const keywordBefore = before !== undefined && before.tokenType !== t.Identifier && isName(before) && before.endLine === word.startLine;
  return !keywordBefore;
}

function openBelowTop(stack: OpenBracket[], tokens: IToken[], opener: TokenType): boolean {
  return stack.slice(0, -1).some((open) => tokens[open.index]!.tokenType === opener);
}

/** The text offset where each virtual closing bracket was inserted, for placing parser errors at it. */
export const virtualOffsets = new WeakMap<IToken, number>();

/** Finds the first `, NAME:` between `start` and `end` outside inner brackets; returns the comma's index. */
function namedArgumentAfter(tokens: IToken[], start: number, end: number): number | undefined {
  let depth = 0;
  for (let index = start; index < end; index++) {
    const type = tokens[index]!.tokenType;
    if (closerOf.has(type)) depth++;
    else if (openerOf.has(type)) depth--;
    else if (depth === 0 && type === t.Comma && isName(tokens[index + 1]) && tokens[index + 2]?.tokenType === t.Colon) return index;
  }
  return undefined;
}

/** Tells whether `token` is a ',' from the text, or an infix operator when `operators` is set. */
const isSeparator = (token: IToken, operators: boolean) =>
  Number.isFinite(token.startOffset) && (token.tokenType === t.Comma || (operators && token.tokenType.CATEGORIES?.includes(t.BinaryOperator) === true));

/** Finds the last token before `end` that comes from the text. */
function lastRealToken(tokens: IToken[], end: number): IToken | undefined {
  for (let index = end - 1; index >= 0; index--) {
    if (Number.isFinite(tokens[index]!.startOffset)) return tokens[index];
  }
  return undefined;
}

const closingTexts = new Map<TokenType, string>([
  [t.LCurly, '}'],
  [t.LParen, ')'],
  [t.LBracket, ']'],
]);

function closingText(opener: IToken): string {
  return closingTexts.get(opener.tokenType)!;
}

const isName = (token: IToken | undefined): token is IToken =>
  token !== undefined && (token.tokenType === t.Identifier || token.tokenType.CATEGORIES?.includes(t.Name) === true);

/** Tells whether `next` starts right where `previous` ends. */
const touches = (previous: IToken | undefined, next: IToken) => previous !== undefined && previous.endOffset! + 1 === next.startOffset;

/**
 * Names the construct that a bracket opens, for example `The 'axes' block`, `The model 'm'` or
 * `The call to 'vit'`. `matchedOpener` maps each closing bracket already paired to its opener, so
 * the name before a parameter list is found.
 */
function describeOpener(tokens: IToken[], index: number, matchedOpener: Map<number, number>): string {
  const opener = tokens[index]!;
  const before = tokens[index - 1];

  if (opener.tokenType === t.LCurly) {
    let position = index - 1;
    if (tokens[position]?.tokenType === t.RParen) position = (matchedOpener.get(position) ?? position) - 1;
    const name = tokens[position];
    const keyword = tokens[position - 1];
    if (keyword?.tokenType === t.Model && isName(name)) return `The model '${name.image}'`;
    if (keyword?.tokenType === t.Block && isName(name)) return `The block '${name.image}'`;
    if (!isName(name)) return "The '{'";
    const twoWords = isName(keyword) && keyword.startLine === name.startLine && keyword.startColumn === firstColumnOfLine(tokens, position - 1);
    return twoWords ? `The '${keyword.image} ${name.image}' block` : `The '${name.image}' block`;
  }

  if (opener.tokenType === t.LParen) {
    if (isName(before) && touches(before, opener)) {
      const keyword = tokens[index - 2]?.tokenType;
      if (keyword === t.Model || keyword === t.Block) return `The parameter list of '${before.image}'`;
      return `The call to '${before.image}'`;
    }
    return "The '('";
  }

  if (before !== undefined && touches(before, opener) && isName(before)) return `The '[' after '${before.image}'`;
  return 'The list';
}

function firstColumnOfLine(tokens: IToken[], index: number): number {
  let first = index;
  while (first > 0 && tokens[first - 1]!.endLine === tokens[index]!.startLine) first--;
  return tokens[first]!.startColumn!;
}
