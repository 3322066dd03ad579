// Every token of the .tier language, in the order the lexer tries them. Keywords are also
// `Name`s, so they work as names wherever a name is expected (`model: tier_cxr`,
// `eval.chexpert.mean_auroc`), and each keyword uses `longer_alt` so that `infonce` lexes as one
// identifier, never as `in` + `fonce`. Comments go to their own group for the formatter.
import type { CustomPatternMatcherReturn, TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

/** Category of every token except braces; the body of a misspelt block is skipped with it. */
export const NotBrace = createToken({ name: 'NotBrace', pattern: Lexer.NA });
/** Category of identifiers and keywords. */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
/** Category of the infix operators; their precedence is applied when the AST is built. */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'an operator' });
/** Category of complete and unterminated string literals. */
export const StringToken = createToken({ name: 'StringToken', pattern: Lexer.NA, label: 'a string' });

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const LineComment = createToken({
  name: 'LineComment',
  pattern: /\/\/[^\r\n]*/,
  group: 'comments',
});

export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: 'comments',
  line_breaks: true,
});

/** `/*` without a closing `*\/`: kept as a comment so lexing continues; reported by the parser. */
export const UnterminatedBlockComment = createToken({
  name: 'UnterminatedBlockComment',
  pattern: /\/\*[\s\S]*/,
  group: 'comments',
  line_breaks: true,
});

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name, NotBrace],
  label: 'a name',
});

/**
 * Category of the keywords that may also be values in expressions (`eval.chexpert.mean_auroc`,
 * `data: train`). The words that start a model member (`let`, `param`, `loss`, `head`, `axes`)
 * are left out, so a statement after an unfinished expression is reported as such.
 */
export const ValueKeyword = createToken({ name: 'ValueKeyword', pattern: Lexer.NA, label: 'a name' });

function keyword(word: string, usableAsValue: boolean): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: usableAsValue ? [Name, NotBrace, ValueKeyword] : [Name, NotBrace],
    label: `'${word}'`,
  });
}

export const Import = keyword('import', true);
export const Model = keyword('model', true);
export const Block = keyword('block', true);
export const Data = keyword('data', true);
export const Preprocess = keyword('preprocess', true);
export const Train = keyword('train', true);
export const Eval = keyword('eval', true);
export const Export = keyword('export', true);
export const Axes = keyword('axes', false);
export const Encoder = keyword('encoder', true);
export const Head = keyword('head', false);
export const Let = keyword('let', false);
export const Param = keyword('param', false);
export const Loss = keyword('loss', false);

/** The words that start a top-level declaration. */
export const topLevelKeywords = ['import', 'model', 'block', 'data', 'preprocess', 'train', 'eval', 'export'];

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  categories: [NotBrace],
  label: 'a number',
});

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  categories: [StringToken, NotBrace],
  label: 'a string',
});

/** A string that reaches the end of its line: kept as a string so parsing continues. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringToken, NotBrace],
  label: 'a string',
});

function punctuation(name: string, text: string, categories: TokenType[] = []): TokenType {
  return createToken({
    name,
    pattern: new RegExp(text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')),
    categories: [NotBrace, ...categories],
    label: `'${text}'`,
  });
}

export const Arrow = punctuation('Arrow', '->', [BinaryOperator]);
export const DotDot = punctuation('DotDot', '..', [BinaryOperator]);
export const LessEqual = punctuation('LessEqual', '<=');

const isSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\r';

/** The contraction `a . b`: a single dot with whitespace on both sides. */
export const Contract = createToken({
  name: 'Contract',
  pattern: {
    exec: (text: string, offset: number): CustomPatternMatcherReturn | null => {
      if (text[offset] !== '.' || text[offset + 1] === '.') return null;
      if (!isSpace(text[offset - 1]) || !isSpace(text[offset + 1])) return null;
      return ['.'] as unknown as CustomPatternMatcherReturn;
    },
  },
  start_chars_hint: ['.'],
  line_breaks: false,
  categories: [NotBrace, BinaryOperator],
  label: "' . '",
});

/** Member access `image.grid`: any dot that is not a contraction. */
export const Dot = punctuation('Dot', '.');
export const Equals = punctuation('Equals', '=');
export const Colon = punctuation('Colon', ':');
export const Semicolon = punctuation('Semicolon', ';');
export const Comma = punctuation('Comma', ',');
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const LBracket = punctuation('LBracket', '[');
export const RBracket = punctuation('RBracket', ']');
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const Pipe = punctuation('Pipe', '|', [BinaryOperator]);
export const Plus = punctuation('Plus', '+', [BinaryOperator]);
export const Minus = punctuation('Minus', '-', [BinaryOperator]);
export const Star = punctuation('Star', '*', [BinaryOperator]);
export const Slash = punctuation('Slash', '/', [BinaryOperator]);

/** Lexer order: comments before `/`, `->` before `-`, `..` before `.`, keywords before names. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  Arrow,
  DotDot,
  LessEqual,
  Contract,
  Dot,
  Import,
  Model,
  Block,
  Data,
  Preprocess,
  Train,
  Eval,
  Export,
  Axes,
  Encoder,
  Head,
  Let,
  Param,
  Loss,
  Identifier,
  Equals,
  Colon,
  Semicolon,
  Comma,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Pipe,
  Plus,
  Minus,
  Star,
  Slash,
  Name,
  ValueKeyword,
  NotBrace,
  BinaryOperator,
  StringToken,
];

export const lexerOptions = { positionTracking: 'full', ensureOptimizations: true } as const;

// Checking the token definitions took about 20 ms of each start-up, so it is left to the grammar
// test, which builds a lexer from `lexerOptions` with the checks on.
export const tierLexer = new Lexer(allTokens, { ...lexerOptions, skipValidations: true });
