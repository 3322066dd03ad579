// Prettier docs for expressions. Parentheses come from precedence, since the AST keeps none:
// a child is wrapped when it binds more loosely than its position allows. Line breaks are only
// offered where the parser accepts them (inside brackets, after `,` and around `|` and binary
// operators), never between the juxtaposed parts of a phrase.
import { builders } from 'prettier/doc';

type Doc = builders.Doc;
import type { Argument, Expr } from '../ast/index.js';

const { group, indent, line, softline, join } = builders;

/** Binding strength; higher binds tighter. */
export function precedence(expr: Expr): number {
  switch (expr.kind) {
    case 'PipeExpr':
      return 1;
    case 'ArrowExpr':
      return 2;
    case 'RangeExpr':
      return 3;
    case 'BinaryExpr':
      return expr.op === '+' || expr.op === '-' ? 4 : 5;
    case 'ContractExpr':
      return 6;
    case 'UnaryExpr':
      return 7;
    case 'MemberExpr':
    case 'IndexExpr':
    case 'CallExpr':
      return 8;
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'Identifier':
    case 'ListExpr':
    case 'MissingExpr':
      return 9;
  }
}

export type PrintNode = (node: Expr | Argument) => Doc;

export class ExpressionPrinter {
  /** `printNode` prints a node with its comments; it calls back into `print` for the node itself. */
  constructor(private readonly printNode: PrintNode) {}

  /** `expr` in a position that needs at least `minimum` precedence. */
  child(expr: Expr, minimum: number): Doc {
    const doc = this.printNode(expr);
    return precedence(expr) < minimum ? ['(', doc, ')'] : doc;
  }

  print(expr: Expr): Doc {
    switch (expr.kind) {
      case 'NumberLiteral':
        return expr.raw;
      case 'StringLiteral':
        return expr.raw;
      case 'Identifier':
        return expr.name;
      case 'MissingExpr':
        return '';
      case 'ListExpr':
        return this.bracketed('[', expr.elements, ']');
      case 'MemberExpr':
        return [this.child(expr.object, 8), '.', this.printNode(expr.property)];
      case 'IndexExpr':
        return [this.child(expr.object, 8), '[', this.printNode(expr.index), ']'];
      case 'CallExpr':
        return [this.child(expr.callee, 8), this.bracketed('(', expr.args, ')')];
      case 'UnaryExpr':
        return ['-', this.child(expr.operand, 7)];
      case 'BinaryExpr': {
        const level = precedence(expr);
        return group([this.child(expr.left, level), ' ', expr.op, indent([line, this.child(expr.right, level + 1)])]);
      }
      case 'ContractExpr':
        return [this.child(expr.left, 6), ' . ', this.child(expr.right, 7)];
      case 'RangeExpr':
        return [this.child(expr.start, 4), '..', this.child(expr.end, 4)];
      case 'ArrowExpr':
        return [this.child(expr.from, 3), ' -> ', this.child(expr.to, 3)];
      case 'PipeExpr': {
        const [first, ...rest] = expr.stages;
        return group([this.child(first!, 2), indent(rest.map((stage) => [line, '| ', this.child(stage, 2)]))]);
      }
    }
  }

  argument(argument: Argument): Doc {
    if (argument.kind === 'NamedArgument') return [this.printNode(argument.name), ': ', this.printNode(argument.value)];
    return this.print(argument);
  }

  /** `open items close`, on one line when it fits, else one item per line. */
  bracketed(open: string, items: ReadonlyArray<Expr | Argument>, close: string): Doc {
    if (items.length === 0) return [open, close];
    return group([open, indent([softline, join([',', line], items.map((item) => this.printNode(item)))]), softline, close]);
  }
}
