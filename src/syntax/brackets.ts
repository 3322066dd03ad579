// Bracket matching before the parser runs. When the '{', '(' and '[' of a file do not pair up,
// the indentation of the lines shows where a bracket should have closed: a line that starts at
// or left of the start of the line that opened a bracket is outside it. Each bracket closed that
// way gets one diagnostic that names it and its opening line, and a virtual closing token. The
// parser then gets balanced input and reports nothing more for the same mistake. A closing
// bracket that matches no open one is reported and dropped when it doubles the one before it,
// and otherwise stays for the parser to report. Files whose brackets pair up are left as they
// are, so layout never changes how a well-formed file parses.
import type { IToken, TokenType } from 'chevrotain';
import { createTokenInstance } from './chevrotain.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import * as t from './tokens.js';
import { describeOpener, isName, opensArguments } from './bracket-names.js';

export interface BracketRepair {
  /** The tokens with virtual closing brackets inserted. */
  tokens: IToken[];
  diagnostics: Diagnostic[];
  /** Lines with a bracket diagnostic or an inserted closing bracket; parser errors there are most likely the same mistake. */
  reportedLines: Set<number>;
}

/** The maximum number of bracket diagnostics per file; later ones repeat the same confusion. */
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
export function repairBrackets(tokens: IToken[], maxDepth: number, span: (start: number, end: number) => Span): BracketRepair {
  if (bracketsPairUp(tokens, maxDepth)) return { tokens, diagnostics: [], reportedLines: new Set() };
  const repair = new Repair(tokens, span);
  repair.run();
  const reportedLines = new Set([...repair.insertedLines, ...repair.diagnostics.map((diagnostic) => diagnostic.span!.start.line)]);
  return { tokens: repair.output, diagnostics: repair.diagnostics, reportedLines };
}

/** One pass over the tokens of a file whose brackets do not pair up. */
class Repair {
  readonly output: IToken[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly insertedLines = new Set<number>();
  private readonly stack: OpenBracket[] = [];
  /** The input index of the opening bracket of each closing bracket paired so far, by the closing one's index. */
  private readonly matchedOpener = new Map<number, number>();
  /**
   * The column of the first token of each line.
   * NOTE: a tab counts as one column, so lines that mix tabs and spaces can close a bracket at the
   * wrong line. This matters only in files whose brackets do not pair up.
   */
  private readonly lineIndent = new Map<number, number>();

  constructor(
    private readonly tokens: IToken[],
    private readonly span: (start: number, end: number) => Span,
  ) {
    for (const token of tokens) {
      if (!this.lineIndent.has(token.startLine!)) this.lineIndent.set(token.startLine!, token.startColumn!);
    }
  }

  run(): void {
    for (let index = 0; index < this.tokens.length; index++) this.visit(index);
    while (this.stack.length > 0) this.forceClose(undefined, false);
  }

  private visit(index: number): void {
    const token = this.tokens[index]!;
    const previous = this.tokens[index - 1];
    const startsLine = previous === undefined || token.startLine !== previous.endLine;

    // A declaration keyword at the start of a line in column 1 starts a declaration at any depth,
    // as the parse entry splits declarations, even in a file that is not indented.
    if (startsLine && token.startColumn === 1 && startsDeclaration(this.tokens, index)) {
      while (this.stack.length > 0) this.forceClose(token, false);
    }

    // A model member never starts inside '(', '[' or an 'axes' block, so those close before it.
    if (startsModelMember(this.tokens, index)) {
      while (this.innermostIsParen() || this.innermostIsAxes()) this.forceClose(token, false);
    }

    // The body of a block whose kind is not a keyword is skipped by the parser, so only its
    // braces need to pair up.
    if (this.innermost()?.opaque === true && token.tokenType !== t.LCurly && token.tokenType !== t.RCurly) {
      this.output.push(token);
      return;
    }

    if (startsLine) this.closeBeforeLine(index);

    if (closerOf.has(token.tokenType)) this.open(index);
    else if (openerOf.has(token.tokenType)) this.close(index);
    else this.output.push(token);
  }

  /** Closes the brackets that the line starting with the token at `index` shows to be unclosed. */
  private closeBeforeLine(index: number): void {
    const token = this.tokens[index]!;
    const previous = this.tokens[index - 1];
    const column = token.startColumn!;
    const closes = openerOf.get(token.tokenType);

    if (closes !== undefined) {
      // A closing bracket left of the innermost open bracket's line belongs to an outer bracket
      // of its kind, when there is one.
      while (this.stack.length > 0 && this.innermost()!.indent > column && this.openBelowInnermost(closes)) {
        this.forceClose(token, this.outerStaysOpenAt(column));
      }
      return;
    }

    // A line at or left of an open bracket's line is a sibling of that line, not inside it,
    // unless it is the first line of a block that is not indented at all. Layout then shows
    // nothing about that bracket.
    while (this.stack.length > 0 && !this.innermost()!.flat && this.innermost()!.indent >= column) {
      const top = this.innermost()!;
      if (top.index === index - 1) {
        top.flat = true;
        break;
      }
      // After a ',' or operator the line continues an expression, so a '(' or '[' most likely
      // closed before that ',' or operator.
      if (this.innermostIsParen() && previous !== undefined && isSeparator(previous, true)) top.endsBefore ??= this.output.length;
      this.forceClose(token, this.outerStaysOpenAt(column));
    }

    // A line that starts left of a '(' or '[' with more text after it on its line suggests that
    // the bracket ended before that line. The place is used only if the bracket turns out to be
    // unclosed.
    const top = this.innermost();
    if (top !== undefined && top.inline && top.endsBefore === undefined && column <= this.tokens[top.index]!.startColumn!) {
      top.endsBefore = this.output.length;
    }
  }

  private open(index: number): void {
    const token = this.tokens[index]!;
    // Braces never nest inside '(' or '[', so those close before a '{'.
    if (token.tokenType === t.LCurly) {
      while (this.innermostIsParen()) this.forceClose(token, false);
    }
    const inline = token.tokenType !== t.LCurly && this.tokens[index + 1]?.startLine === token.startLine;
    const opaque = token.tokenType === t.LCurly && (this.innermost()?.opaque === true || (this.stack.length === 0 && opensUnknownBlock(this.tokens, index)));
    const indent = this.lineIndent.get(token.startLine!)!;
    this.stack.push({ index, outputIndex: this.output.length, indent, inline, opaque, flat: false });
    this.output.push(token);
  }

  private close(index: number): void {
    const token = this.tokens[index]!;
    const closes = openerOf.get(token.tokenType)!;
    if (this.stack.some((open) => this.tokens[open.index]!.tokenType === closes)) {
      while (this.tokens[this.innermost()!.index]!.tokenType !== closes) this.forceClose(token, true);
      this.matchedOpener.set(index, this.stack.pop()!.index);
      this.output.push(token);
      return;
    }
    // A closing bracket without an opening one right after another of its kind (`f(x))`) was
    // typed once too often. Otherwise it has more often lost its opening bracket, and the
    // parser's own recovery reports that case with fewer errors than dropping the bracket here
    // does, as measured by deleting each opening bracket of the specs in turn.
    if (this.tokens[index - 1]?.tokenType === token.tokenType) {
      const opening = bracketText.get(closes)!;
      const message = `This '${token.image}' has no matching '${opening}'; remove it or add the '${opening}' it closes.`;
      if (this.diagnostics.length < MAX_REPORTED) this.diagnostics.push(makeDiagnostic('TIER1012', message, this.span(token.startOffset, token.startOffset + 1)));
      return;
    }
    this.output.push(token);
  }

  /**
   * Closes the innermost open bracket before `next` (undefined at the end of the file), or at the
   * earlier line where it most likely ended. `outerStaysOpen` is whether an enclosing '(' or '['
   * stays open after this one closes.
   */
  private forceClose(next: IToken | undefined, outerStaysOpen: boolean): void {
    const open = this.stack.pop()!;
    const opener = this.tokens[open.index]!;

    let position = open.endsBefore ?? this.output.length;
    if (opener.tokenType === t.LBracket && open.endsBefore === undefined) {
      // A list contains no named arguments, so `, NAME:` inside it belongs to the enclosing call.
      position = namedArgumentAfter(this.output, open.outputIndex + 1, position) ?? position;
    }

    // A ',' or operator at the end of the line continues the enclosing expression when that stays
    // open: `f(g(x),` followed by the next argument. Otherwise the ',' or operator is unfinished
    // input inside this bracket, which the parser reports.
    if (opener.tokenType !== t.LCurly && next !== undefined && (open.endsBefore !== undefined || outerStaysOpen)) {
      while (position > 0 && isSeparator(this.output[position - 1]!, open.endsBefore !== undefined)) position--;
    }

    const closer = createTokenInstance(closerOf.get(opener.tokenType)!, closingText(opener), NaN, NaN, NaN, NaN, NaN, NaN);
    this.output.splice(position, 0, closer);

    // Virtual closers already inserted for inner brackets have no position, so the text before is the last real token.
    const at = lastRealToken(this.output, position);
    const end = at === undefined ? 0 : at.endOffset! + 1;
    virtualOffsets.set(closer, end);

    const insertedAt = this.span(end, end);
    this.insertedLines.add(insertedAt.start.line);
    // A string that runs to the end of its line took the closing bracket with it, and the parse
    // entry reports that string already.
    if (this.diagnostics.length >= MAX_REPORTED || at?.tokenType === t.UnterminatedString) return;

    const following = this.output.slice(position + 1).find((token) => Number.isFinite(token.startOffset)) ?? next;
    const construct = describeOpener(this.tokens, open.index, this.matchedOpener);
    const related = [{ span: this.span(opener.startOffset, opener.startOffset + 1), message: `${construct} opens here.` }];

    // Text that stops after an operator, ',' or ':', or an empty grouping '(', lacks an expression
    // as well as the bracket. The error is then about the expression, at the token that cannot
    // continue it, as the parser would report it.
    const emptyGroup = at === opener && opener.tokenType === t.LParen && !opensArguments(this.tokens, open.index);
    const unfinished = at !== undefined && this.output[position - 1] === at && (isUnfinished(at) || emptyGroup);
    if (unfinished) {
      const found = following === undefined ? 'the end of the file' : `'${following.image}'`;
      const place = following === undefined ? insertedAt : this.span(following.startOffset, following.startOffset + following.image.length);
      const completion = `complete ${construct.charAt(0).toLowerCase()}${construct.slice(1)} opened at line ${opener.startLine} and close it with '${closer.image}'`;
      this.diagnostics.push(makeDiagnostic('TIER1006', `Expected an expression after '${at!.image}' but found ${found}; ${completion}.`, place, { related }));
      return;
    }

    let where = `before '${following?.image}'`;
    if (following === undefined) where = 'at the end of the file';
    else if (at === undefined || following.startLine !== at.endLine) where = `at the end of line ${insertedAt.start.line}`;
    const message = `${construct} opened at line ${opener.startLine} is not closed; add '${closer.image}' ${where}.`;
    this.diagnostics.push(makeDiagnostic('TIER1011', message, insertedAt, { related }));
  }

  private innermost(): OpenBracket | undefined {
    return this.stack[this.stack.length - 1];
  }

  private innermostIsParen(): boolean {
    const top = this.innermost();
    return top !== undefined && this.tokens[top.index]!.tokenType !== t.LCurly;
  }

  private innermostIsAxes(): boolean {
    const top = this.innermost();
    return top !== undefined && this.tokens[top.index - 1]?.tokenType === t.Axes;
  }

  private openBelowInnermost(opener: TokenType): boolean {
    return this.stack.slice(0, -1).some((open) => this.tokens[open.index]!.tokenType === opener);
  }

  /**
   * Tells whether the '(' or '[' below the innermost open bracket stays open at a line that
   * starts in `column`, because indentation does not close it there.
   */
  private outerStaysOpenAt(column: number): boolean {
    const outer = this.stack[this.stack.length - 2];
    return outer !== undefined && this.tokens[outer.index]!.tokenType !== t.LCurly && (outer.flat || outer.indent < column);
  }
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

const continuing = new Set([t.Comma, t.Colon, t.Equals, t.LessEqual, t.Dot]);

/** Tells whether `token` needs more text after it: an infix operator, ',', ':', '=', '<=' or '.'. */
const isUnfinished = (token: IToken) => continuing.has(token.tokenType) || token.tokenType.CATEGORIES?.includes(t.BinaryOperator) === true;

/** Finds the last token before `end` that comes from the text. */
function lastRealToken(tokens: IToken[], end: number): IToken | undefined {
  for (let index = end - 1; index >= 0; index--) {
    if (Number.isFinite(tokens[index]!.startOffset)) return tokens[index];
  }
  return undefined;
}

const bracketText = new Map<TokenType, string>([
  [t.LCurly, '{'],
  [t.LParen, '('],
  [t.LBracket, '['],
  [t.RCurly, '}'],
  [t.RParen, ')'],
  [t.RBracket, ']'],
]);

function closingText(opener: IToken): string {
  return bracketText.get(closerOf.get(opener.tokenType)!)!;
}
