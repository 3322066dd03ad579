// CST to AST for expressions and literals. Operator chains arrive flat from the parser (a list
// of operands and operators) and are folded here into left-associative binary nodes, so the
// parser needs no recursion for them.
import type { IToken } from 'chevrotain';
import type { Argument, Expr, NamedArgument, NumberLiteral, StringLiteral } from '../ast/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Span } from '../diagnostics/types.js';
import { after, cover, firstToken, identifier, tokenSpan, type BuildContext } from './build-context.js';
import type * as cst from './cst.js';
import * as t from './tokens.js';

/** Binding strength of each infix operator; higher binds tighter. All associate to the left. */
const operatorPrecedence: Record<string, number> = { '|': 1, '->': 2, '..': 3, '+': 4, '-': 4, '*': 5, '/': 5, '.': 6 };

interface Operand {
  expr: Expr;
  /** Precedence of the operator that produced `expr` in this chain; 0 for a plain operand. */
  producedBy: number;
}

/**
 * Builds an expression from its flat operand and operator lists with operator-precedence
 * parsing (an explicit stack, so long chains need no recursion). `a | b | c` and `(a | b) | c`
 * become one PipeExpr; arrows and ranges do not chain, so `a -> b -> c` is reported.
 */
export function buildExpression(context: BuildContext, node: cst.ExpressionCstNode | undefined, fallback: Span): Expr {
  if (node === undefined) return missing(fallback);
  const operandNodes = node.children.operands ?? [];
  const operators = node.children.operators ?? [];
  const output: Operand[] = [];
  const pending: IToken[] = [];

  const reduce = () => {
    const operator = pending.pop()!;
    const right = output.pop() ?? { expr: missing(tokenSpan(context, operator)), producedBy: 0 };
    const left = output.pop() ?? { expr: missing(tokenSpan(context, operator)), producedBy: 0 };
    const level = operatorPrecedence[operator.image]!;
    output.push({ expr: combine(context, operator, left, right), producedBy: level });
  };

  const first = operandNodes[0];
  output.push({ expr: first === undefined ? missing(fallback) : buildUnary(context, first, fallback), producedBy: 0 });
  for (let index = 0; index < operators.length; index++) {
    const operator = operators[index]!;
    const level = operatorPrecedence[operator.image] ?? 0;
    while (pending.length > 0 && operatorPrecedence[pending[pending.length - 1]!.image]! >= level) reduce();
    pending.push(operator);
    const operand = operandNodes[index + 1];
    const operatorEnd = after(context, tokenSpan(context, operator));
    output.push({ expr: operand === undefined ? missing(operatorEnd) : buildUnary(context, operand, operatorEnd), producedBy: 0 });
  }
  while (pending.length > 0) reduce();
  return output[0]!.expr;
}

function missing(span: Span): Expr {
  return { kind: 'MissingExpr', span };
}

function combine(context: BuildContext, operator: IToken, left: Operand, right: Operand): Expr {
  const span = cover(context, left.expr.span, right.expr.span);
  switch (operator.image) {
    case '|': {
      // Composition is associative, so a parenthesized pipe inside a pipe joins it.
      const stagesOf = (expr: Expr) => (expr.kind === 'PipeExpr' ? expr.stages : [expr]);
      return { kind: 'PipeExpr', stages: [...stagesOf(left.expr), ...stagesOf(right.expr)], span };
    }
    case '->':
    case '..': {
      if (left.producedBy === operatorPrecedence[operator.image]) {
        const what = operator.image === '->' ? 'Arrows' : 'Ranges';
        context.diagnostics.push(
          makeDiagnostic('TIER1006', `${what} do not chain; add parentheses to group '${operator.image}'.`, tokenSpan(context, operator)),
        );
      }
      return operator.image === '->'
        ? { kind: 'ArrowExpr', from: left.expr, to: right.expr, span }
        : { kind: 'RangeExpr', start: left.expr, end: right.expr, span };
    }
    case '.':
      return { kind: 'ContractExpr', left: left.expr, right: right.expr, span };
    default:
      return { kind: 'BinaryExpr', op: operator.image as '+' | '-' | '*' | '/', left: left.expr, right: right.expr, span };
  }
}

function buildUnary(context: BuildContext, node: cst.UnaryExprCstNode, fallback: Span): Expr {
  const minus = (node.children.minus ?? []).filter((token) => Number.isFinite(token.startOffset));
  const firstMinus = minus[0];
  let result = buildPostfix(context, node.children.postfixExpr?.[0], firstMinus === undefined ? fallback : after(context, tokenSpan(context, firstMinus)));
  for (let i = minus.length - 1; i >= 0; i--) {
    result = { kind: 'UnaryExpr', op: '-', operand: result, span: cover(context, tokenSpan(context, minus[i]!), result.span) };
  }
  return result;
}

function buildPostfix(context: BuildContext, node: cst.PostfixExprCstNode | undefined, fallback: Span): Expr {
  if (node === undefined) return missing(fallback);
  let result = buildPrimary(context, node.children.primaryExpr?.[0], fallback);
  for (const suffix of node.children.suffixes ?? []) {
    switch (suffix.name) {
      case 'memberSuffix': {
        const property = identifier(context, suffix.children.property, after(context, result.span));
        result = { kind: 'MemberExpr', object: result, property, span: cover(context, result.span, property.span) };
        break;
      }
      case 'callSuffix': {
        const args = (suffix.children.argument ?? []).map((argument) => buildArgument(context, argument, after(context, result.span)));
        const close = firstToken(suffix.children.RParen);
        const end = close === undefined ? args[args.length - 1]?.span : tokenSpan(context, close);
        result = { kind: 'CallExpr', callee: result, args, span: cover(context, result.span, end) };
        break;
      }
      case 'indexSuffix': {
        const index = buildExpression(context, suffix.children.index?.[0], after(context, result.span));
        const close = firstToken(suffix.children.RBracket);
        result = { kind: 'IndexExpr', object: result, index, span: cover(context, result.span, close === undefined ? index.span : tokenSpan(context, close)) };
        break;
      }
    }
  }
  return result;
}

function buildArgument(context: BuildContext, node: cst.ArgumentCstNode, fallback: Span): Argument {
  const named = node.children.namedArgument?.[0];
  if (named !== undefined) return buildNamedArgument(context, named, fallback);
  return buildExpression(context, node.children.expression?.[0], fallback);
}

export function buildNamedArgument(context: BuildContext, node: cst.NamedArgumentCstNode, fallback: Span): NamedArgument {
  const name = identifier(context, node.children.name, fallback);
  const value = buildExpression(context, node.children.value?.[0], after(context, name.span));
  return { kind: 'NamedArgument', name, value, span: cover(context, name.span, value.span) };
}

function buildPrimary(context: BuildContext, node: cst.PrimaryExprCstNode | undefined, fallback: Span): Expr {
  if (node === undefined) return missing(fallback);
  const { children } = node;
  const number = firstToken(children.NumberLiteral);
  if (number !== undefined) return buildNumber(context, number);
  const string = firstToken(children.StringToken);
  if (string !== undefined) return buildString(context, string);
  const name = firstToken(children.name);
  if (name !== undefined) return { kind: 'Identifier', name: name.image, span: tokenSpan(context, name) };
  const list = children.listExpr?.[0];
  if (list !== undefined) {
    const open = firstToken(list.children.LBracket);
    const openSpan = open === undefined ? fallback : tokenSpan(context, open);
    const elements = (list.children.elements ?? []).map((element) => buildExpression(context, element, after(context, openSpan)));
    const close = firstToken(list.children.RBracket);
    const end = close === undefined ? elements[elements.length - 1]?.span : tokenSpan(context, close);
    return { kind: 'ListExpr', elements, span: cover(context, openSpan, end) };
  }
  const paren = children.parenExpr?.[0];
  if (paren !== undefined) {
    // Parentheses only group; the AST keeps the inner expression with its own span.
    const open = firstToken(paren.children.LParen);
    return buildExpression(context, paren.children.expression?.[0], open === undefined ? fallback : after(context, tokenSpan(context, open)));
  }
  return missing(fallback);
}

export function buildNumber(context: BuildContext, token: IToken): NumberLiteral {
  const span = tokenSpan(context, token);
  const value = Number(token.image);
  if (!Number.isFinite(value)) {
    context.diagnostics.push(makeDiagnostic('TIER1010', `Number '${token.image}' is too large to represent.`, span));
  }
  return { kind: 'NumberLiteral', value, raw: token.image, integer: /^\d+$/.test(token.image), span };
}

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

/** Decodes a string literal; invalid escapes are reported and kept as written. */
export function buildString(context: BuildContext, token: IToken): StringLiteral {
  const raw = token.image;
  const span = tokenSpan(context, token);
  const closed = token.tokenType === t.StringLiteral;
  const body = raw.slice(1, closed ? -1 : undefined);
  let value = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      value += char;
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && simpleEscapes[next] !== undefined) {
      value += simpleEscapes[next];
      i++;
      continue;
    }
    const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
    if (unicode !== null && Number.parseInt(unicode[1]!, 16) <= 0x10ffff) {
      value += String.fromCodePoint(Number.parseInt(unicode[1]!, 16));
      i += unicode[0].length;
      continue;
    }
    const escapeStart = token.startOffset + 1 + i;
    const shown = next === undefined ? '\\' : `\\${next}`;
    context.diagnostics.push(
      makeDiagnostic(
        'TIER1005',
        `Invalid escape sequence '${shown}' in a string; valid escapes are \\", \\\\, \\n, \\t, \\r and \\u{hex}.`,
        context.lines.span(context.file, escapeStart, escapeStart + shown.length),
      ),
    );
    value += shown;
    i += next === undefined ? 0 : 1;
  }
  return { kind: 'StringLiteral', value, raw, span };
}
