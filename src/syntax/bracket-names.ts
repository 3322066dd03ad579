// Names for the construct that a bracket opens, used in unclosed-bracket messages: `The 'axes'
// block`, `The model 'm'`, `The call to 'vit'`, `The list`.
import type { IToken } from 'chevrotain';
import * as t from './tokens.js';

/** Tells whether `token` is an identifier or a keyword, which are names in most places. */
export const isName = (token: IToken | undefined): token is IToken =>
  token !== undefined && (token.tokenType === t.Identifier || token.tokenType.CATEGORIES?.includes(t.Name) === true);

/** Tells whether `next` starts right where `previous` ends. */
const touches = (previous: IToken | undefined, next: IToken) => previous !== undefined && previous.endOffset! + 1 === next.startOffset;

/** Tells whether the '(' at `index` starts the arguments of a call or the parameters of a declaration. */
export function opensArguments(tokens: IToken[], index: number): boolean {
  const before = tokens[index - 1];
  return isName(before) && touches(before, tokens[index]!);
}

/**
 * Names the construct that the bracket at `index` opens, for example `The 'axes' block`, `The model 'm'` or
 * `The call to 'vit'`. `matchedOpener` maps each closing bracket already paired to its opener, so
 * the name before a parameter list is found.
 */
export function describeOpener(tokens: IToken[], index: number, matchedOpener: Map<number, number>): string {
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
    if (isName(before) && opensArguments(tokens, index)) {
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
