// Shared state and span helpers of the CST-to-AST builder. Chevrotain's error recovery can leave
// tokens and subtrees missing, or insert virtual tokens without offsets, so every accessor here
// accepts absence and the builder substitutes placeholders (which only occur alongside errors).
import type { IToken } from 'chevrotain';
import type { Comment, Identifier } from '../ast/types.js';
import type { LineMap } from '../diagnostics/source.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';

export interface BuildContext {
  file: string;
  lines: LineMap;
  diagnostics: Diagnostic[];
  comments: Comment[];
  textLength: number;
}

/** The first real token of a CST child list (tokens inserted by recovery have no offset). */
export function firstToken(tokens: IToken[] | undefined): IToken | undefined {
  return tokens?.find((token) => Number.isFinite(token.startOffset));
}

export function tokenSpan(context: BuildContext, token: IToken): Span {
  return context.lines.span(context.file, token.startOffset, token.startOffset + token.image.length);
}

/** A span from the start of the first given span to the end of the last one. */
export function cover(context: BuildContext, ...parts: Array<Span | undefined>): Span {
  const present = parts.filter((part): part is Span => part !== undefined);
  if (present.length === 0) return context.lines.span(context.file, context.textLength, context.textLength);
  const first = present[0]!;
  const last = present[present.length - 1]!;
  return context.lines.span(context.file, first.start.offset, Math.max(first.end.offset, last.end.offset));
}

/** An empty span just after `span`, where recovery found nothing. */
export function after(context: BuildContext, span: Span): Span {
  return context.lines.span(context.file, span.end.offset, span.end.offset);
}

export function identifier(context: BuildContext, tokens: IToken[] | undefined, fallback: Span): Identifier {
  const token = firstToken(tokens);
  if (token === undefined) return { kind: 'Identifier', name: '', span: fallback };
  return { kind: 'Identifier', name: token.image, span: tokenSpan(context, token) };
}

export function optionalIdentifier(context: BuildContext, tokens: IToken[] | undefined): Identifier | undefined {
  const token = firstToken(tokens);
  return token === undefined ? undefined : { kind: 'Identifier', name: token.image, span: tokenSpan(context, token) };
}
