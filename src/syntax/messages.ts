// Syntax error messages in the project's wording ("Expected X but found Y."), replacing
// Chevrotain's defaults. Rule names choose a description of what was expected where a list of
// tokens would be long and unhelpful.
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { EOF } from './chevrotain.js';
import { closestMatch } from '../diagnostics/suggest.js';

/** Words that start a model member other than an encoder, for suggestions on a misspelt one. */
const memberKeywords = ['axes', 'head', 'let', 'param', 'loss'];

const MAX_SHOWN = 24;

/** Describes the token that was found, for example `'}'` or `the end of the file`. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  const image = token.image.length > MAX_SHOWN ? `${token.image.slice(0, MAX_SHOWN)}…` : token.image;
  return `'${image}'`;
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

/** Descriptions of what each rule expects, used when none of its alternatives matches. */
const ruleDescriptions: Record<string, string> = {
  specFile: 'a declaration (import, model, block, data, preprocess, train, eval or export)',
  topLevelItem: 'a declaration (import, model, block, data, preprocess, train, eval or export)',
  modelMember: "a model member ('axes', 'image encoder', 'text encoder', 'head', 'let', 'param' or 'loss')",
  blockItem: "'let', 'param', 'head' or the block's result expression",
  settingsItem: "a setting ('key: value') or a nested block",
  setting: 'a setting name',
  axisDecl: 'an axis name',
  argument: 'an argument',
};

const expressionRules = new Set([
  'expression',
  'unaryExpr',
  'postfixExpr',
  'primaryExpr',
  'phrase',
  'settingValue',
]);

function expectedFromPaths(ruleName: string, paths: TokenType[][]): string {
  const described = ruleDescriptions[ruleName];
  if (described !== undefined) return described;
  if (expressionRules.has(ruleName)) return 'an expression';
  const firsts = [...new Set(paths.map((path) => (path[0] === undefined ? undefined : label(path[0]))))].filter(
    (text): text is string => text !== undefined,
  );
  if (firsts.length === 0) return 'more input';
  if (firsts.length === 1) return firsts[0]!;
  return `${firsts.slice(0, -1).join(', ')} or ${firsts[firsts.length - 1]}`;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    if (ruleName === 'setting' && expected.name === 'Colon') {
      return `Expected ':' after ${describeToken(previous)} but found ${describeToken(actual)}.`;
    }
    if (expected === EOF) return `Expected ${ruleDescriptions.specFile} but found ${describeToken(actual)}.`;
    if (ruleName === 'encoderDecl' && expected.name === 'Encoder') {
      // `lett a = 1` reaches here: a name followed by something other than `encoder`.
      const suggestion = closestMatch(previous.image, memberKeywords);
      if (suggestion !== undefined) return `Expected a model member but found ${describeToken(previous)}. Did you mean '${suggestion}'?`;
    }
    return `Expected ${label(expected)} but found ${describeToken(actual)}.`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `Expected ${ruleDescriptions.specFile} but found ${describeToken(firstRedundant)}.`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const expected = expectedFromPaths(ruleName, expectedPathsPerAlt.flat());
    return `Expected ${expected} but found ${describeToken(actual[0]!)}.`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const expected = expectedFromPaths(ruleName, expectedIterationPaths);
    return `Expected ${expected} but found ${describeToken(actual[0]!)}.`;
  },
};
