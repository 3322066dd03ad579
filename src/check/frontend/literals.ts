// Literal ranges that need no types. Loss weights must not be negative: constants, schedule
// endpoints and model parameters used as weights, including the values a model instance
// passes. Sizes must be positive: axis sizes, layer widths in heads and encoders, and size-like
// named arguments such as `width:`.
import {
  constantNumber,
  walk,
  findSetting,
  singleExpression,
  type Argument,
  type Expr,
  type LossDecl,
  type ModelDecl,
  type Node,
  type Program,
  type TopLevelItem,
} from '../../ast/index.js';
import { makeDiagnostic } from '../../diagnostics/make.js';
import type { Diagnostic, Span } from '../../diagnostics/types.js';
import { positiveSizeNames } from './schema.js';

/** Folds a constant arithmetic expression to its value, or returns undefined when it is not one. */
export function constantValue(expr: Expr): number | undefined {
  return constantNumber(expr);
}

export function checkLiterals(program: Program): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const models = new Map<string, ModelDecl>();
  for (const file of program.files) {
    for (const item of file.ast.items) if (item.kind === 'ModelDecl') models.set(item.name.name, item);
  }
  for (const file of program.files) {
    for (const item of file.ast.items) {
      checkSizes(item, diagnostics);
      if (item.kind === 'ModelDecl') {
        for (const member of item.members) if (member.kind === 'LossDecl') checkLossWeight(member, item, diagnostics);
      }
      if (item.kind === 'ModelInstanceDecl' && item.value.kind === 'CallExpr' && item.value.callee.kind === 'Identifier') {
        const base = models.get(item.value.callee.name);
        if (base !== undefined) checkInstanceWeights(item.value.args, base, diagnostics);
      }
    }
  }
  return diagnostics;
}

function checkLossWeight(loss: LossDecl, model: ModelDecl, diagnostics: Diagnostic[]): void {
  const report = (span: Span, value: string) =>
    diagnostics.push(makeDiagnostic('TIER2007', `Loss '${loss.name.name}' has a negative weight (${value}); loss weights must be zero or positive.`, span));
  let value = loss.value;
  if (value.kind === 'UnaryExpr') {
    report(value.span, '-1');
    value = value.operand;
  }
  for (const factor of productFactors(value)) {
    const constant = constantValue(factor);
    if (constant !== undefined) {
      if (constant < 0) report(factor.span, String(constant));
      continue;
    }
    if (factor.kind === 'Identifier') {
      const parameter = model.params.find((candidate) => candidate.name.name === factor.name);
      const defaultValue = parameter?.default === undefined ? undefined : constantValue(parameter.default);
      if (parameter?.default !== undefined && defaultValue !== undefined && defaultValue < 0) report(parameter.default.span, String(defaultValue));
      continue;
    }
    if (factor.kind === 'CallExpr') {
      // A schedule such as warmup(0 -> 0.2, steps: 2000): its endpoints are weights.
      for (const argument of factor.args) {
        if (argument.kind !== 'ArrowExpr') continue;
        for (const end of [argument.from, argument.to]) {
          const endpoint = constantValue(end);
          if (endpoint !== undefined && endpoint < 0) report(end.span, String(endpoint));
        }
      }
    }
  }
}

/** Parameters of `base` used as loss weights: an instance must not set them negative. */
function checkInstanceWeights(args: Argument[], base: ModelDecl, diagnostics: Diagnostic[]): void {
  const weightParameters = new Map<string, string>();
  for (const member of base.members) {
    if (member.kind !== 'LossDecl') continue;
    const value = member.value.kind === 'UnaryExpr' ? member.value.operand : member.value;
    for (const factor of productFactors(value)) {
      if (factor.kind === 'Identifier' && base.params.some((parameter) => parameter.name.name === factor.name)) {
        weightParameters.set(factor.name, member.name.name);
      }
    }
  }
  for (const argument of args) {
    if (argument.kind !== 'NamedArgument') continue;
    const loss = weightParameters.get(argument.name.name);
    const constant = constantValue(argument.value);
    if (loss !== undefined && constant !== undefined && constant < 0) {
      diagnostics.push(
        makeDiagnostic('TIER2007', `Loss '${loss}' has a negative weight (${constant} for '${argument.name.name}'); loss weights must be zero or positive.`, argument.value.span),
      );
    }
  }
}

/** The factors of a product chain `a * b * c`; a single expression is its own factor. */
function productFactors(expr: Expr): Expr[] {
  const factors: Expr[] = [];
  const pending: Expr[] = [expr];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (current.kind === 'BinaryExpr' && current.op === '*') pending.push(current.right, current.left);
    else factors.push(current);
  }
  return factors;
}

function checkSizes(item: TopLevelItem, diagnostics: Diagnostic[]): void {
  const report = (span: Span, what: string, value: number) =>
    diagnostics.push(makeDiagnostic('TIER2008', `${what} is ${value}; sizes must be positive.`, span));

  if (item.kind === 'TrainDecl' || item.kind === 'EvalDecl') {
    const batch = findSetting(item.body, 'batch');
    const value = batch === undefined ? undefined : singleExpression(batch.value);
    const constant = value === undefined ? undefined : constantValue(value);
    if (value !== undefined && constant !== undefined && constant <= 0) report(value.span, "Setting 'batch'", constant);
  }

  const layerRoots: Node[] = [];
  if (item.kind === 'ModelDecl') {
    for (const member of item.members) {
      if (member.kind === 'AxesDecl') {
        for (const axis of member.axes) {
          const constant = axis.size === undefined ? undefined : constantValue(axis.size);
          if (axis.size !== undefined && constant !== undefined && constant <= 0) report(axis.size.span, `The size of axis '${axis.name.name}'`, constant);
        }
      }
      if (member.kind === 'HeadDecl' || member.kind === 'EncoderDecl') layerRoots.push(member.value);
    }
  }
  if (item.kind === 'BlockDecl') {
    for (const statement of item.statements) if (statement.kind === 'HeadDecl') layerRoots.push(statement.value);
    if (item.result !== undefined) layerRoots.push(item.result);
  }
  // Arrows inside layer expressions are widths (2048 -> 128); elsewhere they may be schedules.
  for (const root of layerRoots) {
    walk(root, (node) => {
      if (node.kind !== 'ArrowExpr') return;
      for (const end of [node.from, node.to]) {
        const constant = constantValue(end);
        if (constant !== undefined && constant <= 0) report(end.span, 'The layer width', constant);
      }
    });
  }

  walk(item, (node) => {
    if (node.kind !== 'CallExpr') return;
    for (const argument of node.args) {
      if (argument.kind !== 'NamedArgument' || !positiveSizeNames.has(argument.name.name)) continue;
      const constant = constantValue(argument.value);
      if (constant !== undefined && constant <= 0) report(argument.value.span, `Argument '${argument.name.name}'`, constant);
    }
  });
}
