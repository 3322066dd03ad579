// Constant folding of the four arithmetic operators, shared by the front-end checks, the config
// reader and the lowering, so that `2 * 64` means the same number everywhere.
import type { BinaryExpr, Expr } from './types.js';

/** Applies one arithmetic operator to two numbers; division by zero gives an infinity, as in IEEE 754. */
export function applyArithmetic(op: BinaryExpr['op'], left: number, right: number): number {
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
  }
}

/** Folds a constant arithmetic expression to its value, or returns undefined when it is not one or is not finite. */
export function constantNumber(expr: Expr): number | undefined {
  if (expr.kind === 'NumberLiteral') return expr.value;
  if (expr.kind === 'UnaryExpr') {
    const operand = constantNumber(expr.operand);
    return operand === undefined ? undefined : -operand;
  }
  if (expr.kind === 'BinaryExpr') {
    const left = constantNumber(expr.left);
    const right = constantNumber(expr.right);
    if (left === undefined || right === undefined) return undefined;
    const value = applyArithmetic(expr.op, left, right);
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}
