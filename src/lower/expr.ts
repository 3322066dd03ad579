// Evaluation of model expressions: each expression becomes a value (a tensor with named axes,
// a number, a layer, …) and tensors are emitted into the IR as they are evaluated. A mistake
// is reported once and the expression evaluates to the error value, which every later use
// accepts silently, so one mistake gives one diagnostic.
import { applyArithmetic, type Expr, type PipeExpr } from '../ast/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Span } from '../diagnostics/types.js';
import { stdlibNames } from '../sema/stdlib.js';
import { describeValue, ERROR, numberValue, type TensorValue, type Value } from '../sema/values.js';
import { contract, elementwise, tensor, type ElementwiseOp } from './axes.js';
import { evaluateCall, referToCallable } from './calls.js';
import { MAX_EVAL_DEPTH, report, type LowerContext, type Scope } from './context.js';

/** Evaluates `expr` in `scope`. Mistakes in the spec become diagnostics and the error value, not exceptions. */
export function evaluate(context: LowerContext, scope: Scope, expr: Expr): Value {
  if (context.depth >= MAX_EVAL_DEPTH) {
    report(context, 'TIER3012', `Expression nests more than ${MAX_EVAL_DEPTH} levels deep; split it into several 'let' definitions.`, expr.span);
    return ERROR;
  }
  context.depth++;
  try {
    return evaluateNode(context, scope, expr);
  } finally {
    context.depth--;
  }
}

function evaluateNode(context: LowerContext, scope: Scope, expr: Expr): Value {
  switch (expr.kind) {
    case 'NumberLiteral':
      return numberValue(expr.value, expr.integer);
    case 'StringLiteral':
      return { kind: 'string', value: expr.value };
    case 'Identifier':
      return resolveName(context, scope, expr.name, expr.span);
    case 'MemberExpr':
      return evaluateMember(context, scope, expr);
    case 'ListExpr':
      return { kind: 'list', items: expr.elements.map((element) => evaluate(context, scope, element)) };
    case 'CallExpr':
      return evaluateCall(context, scope, expr);
    case 'UnaryExpr':
      return negate(context, evaluate(context, scope, expr.operand), expr.span);
    case 'BinaryExpr':
      return arithmetic(context, expr.op, evaluate(context, scope, expr.left), evaluate(context, scope, expr.right), expr.span);
    case 'ContractExpr': {
      const left = expectTensor(context, evaluate(context, scope, expr.left), expr.left.span, "the left operand of '.'");
      const right = expectTensor(context, evaluate(context, scope, expr.right), expr.right.span, "the right operand of '.'");
      if (left === undefined || right === undefined) return ERROR;
      return contract(context, left, right, expr.span);
    }
    case 'RangeExpr': {
      const start = evaluate(context, scope, expr.start);
      const end = evaluate(context, scope, expr.end);
      if (start.kind === 'number' && end.kind === 'number') return { kind: 'range', start: start.value, end: end.value };
      if (start.kind !== 'error' && end.kind !== 'error') report(context, 'TIER3012', "Both ends of a range 'a..b' must be numbers.", expr.span);
      return ERROR;
    }
    case 'ArrowExpr':
      return { kind: 'arrow', from: evaluate(context, scope, expr.from), to: evaluate(context, scope, expr.to) };
    case 'PipeExpr':
      return evaluatePipe(context, scope, expr);
    case 'IndexExpr':
      report(context, 'TIER3012', 'Indexing is only allowed in freeze patterns such as layers[0..7].', expr.span);
      return ERROR;
    case 'MissingExpr':
      return ERROR;
  }
}

/** Looks a name up: scopes first, then user-defined and standard-library blocks used bare (`relu`). */
export function resolveName(context: LowerContext, scope: Scope, name: string, span: Span): Value {
  const binding = scope.lookup(name);
  if (binding !== undefined) return force(context, binding, name, span);
  const callable = referToCallable(context, scope, name, span);
  if (callable !== undefined) return callable;
  const candidates = [...scope.visibleNames(), ...context.blocks.keys(), ...stdlibNames(), ...(context.encoders.image ? ['image'] : []), ...(context.encoders.text ? ['text'] : [])];
  const axisHint = context.axes.has(name) ? ` '${name}' is an axis; axes are named only in 'over:' and type annotations.` : '';
  report(context, 'TIER2101', `'${name}' is not defined.${axisHint}${axisHint === '' ? didYouMean(name, candidates) : ''}`, span);
  return ERROR;
}

/** Returns the value of a binding, evaluating a lazy one on first use and reporting one defined through itself. */
export function force(context: LowerContext, binding: NonNullable<ReturnType<Scope['lookup']>>, name: string, span: Span): Value {
  if (binding.kind === 'value') return binding.value;
  if (binding.state === 'done') return binding.result!;
  if (binding.state === 'running') {
    report(context, 'TIER2107', `'${name}' is defined in terms of itself.`, span, [{ span: binding.span, message: `'${name}' is defined here.` }]);
    return ERROR;
  }
  binding.state = 'running';
  const result = binding.evaluate();
  binding.state = 'done';
  binding.result = result;
  return result;
}

function evaluateMember(context: LowerContext, scope: Scope, expr: Extract<Expr, { kind: 'MemberExpr' }>): Value {
  if (expr.object.kind !== 'Identifier' || (expr.object.name !== 'image' && expr.object.name !== 'text') || scope.lookup(expr.object.name) !== undefined) {
    const object = evaluate(context, scope, expr.object);
    if (object.kind !== 'error') report(context, 'TIER2109', `${capitalize(describeValue(object))} has no member '${expr.property.name}'.`, expr.span);
    return ERROR;
  }
  const modality = expr.object.name;
  const encoder = context.encoders[modality];
  if (encoder === undefined && context.failedEncoders.has(modality)) return ERROR;
  if (encoder === undefined) {
    report(context, 'TIER2112', `Model '${context.model.name.name}' declares no ${modality} encoder; add '${modality} encoder = …'.`, expr.object.span);
    return ERROR;
  }
  const output = encoder.outputs[expr.property.name];
  if (output === undefined) {
    const names = Object.keys(encoder.outputs);
    const suggestion = didYouMean(expr.property.name, names);
    const list = suggestion === '' ? ` Its outputs are ${names.map((n) => `'${n}'`).join(', ')}.` : suggestion;
    report(context, 'TIER2113', `The ${modality} encoder '${encoder.block}' has no output '${expr.property.name}'.${list}`, expr.property.span, [
      { span: encoder.declared, message: `The ${modality} encoder is declared here.` },
    ]);
    return ERROR;
  }
  return output;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Returns the value as a tensor, or reports TIER3012 naming `role` and returns undefined. */
export function expectTensor(context: LowerContext, value: Value, span: Span, role: string): TensorValue | undefined {
  if (value.kind === 'tensor') return value;
  if (value.kind === 'number') return scalarTensor(context, value.value, span);
  if (value.kind !== 'error') report(context, 'TIER3012', `Expected a tensor for ${role}, but got ${describeValue(value)}.`, span);
  return undefined;
}

function scalarTensor(context: LowerContext, value: number, span: Span): TensorValue {
  const id = context.b.scalar(value, { span });
  return tensor(context, id, [], String(value), []);
}

function negate(context: LowerContext, value: Value, span: Span): Value {
  if (value.kind === 'number') return numberValue(-value.value, value.integer);
  if (value.kind === 'tensor') return tensor(context, context.b.neg(value.id, { span }), value.type.axes, value.label, [value]);
  if (value.kind !== 'error') report(context, 'TIER3012', `Cannot negate ${describeValue(value)}.`, span);
  return ERROR;
}

const opNames: Record<'+' | '-' | '*' | '/', ElementwiseOp> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' };

/** `+ - * /` on numbers (folded), on a tensor and a number (broadcast), or on two tensors (aligned by axis name). */
export function arithmetic(context: LowerContext, op: '+' | '-' | '*' | '/', left: Value, right: Value, span: Span): Value {
  if (left.kind === 'error' || right.kind === 'error') return ERROR;
  if (left.kind === 'number' && right.kind === 'number') {
    const value = applyArithmetic(op, left.value, right.value);
    if (!Number.isFinite(value)) {
      report(context, 'TIER3012', `The arithmetic '${op}' gives ${value}, which is not a finite number.`, span);
      return ERROR;
    }
    return numberValue(value, left.integer && right.integer && op !== '/');
  }
  if (left.kind === 'tensor' && right.kind === 'number') {
    if (op === '/' && right.value === 0) {
      // A zero temperature or scale would otherwise pass every check and give NaN losses at the first step.
      report(context, 'TIER2016', 'Division by 0 makes every element infinite or NaN; divide by a positive number, such as a temperature above 0.', span);
      return ERROR;
    }
    const id = context.b.emit(opNames[op], [left.id, context.b.scalar(right.value, { span })], {}, { span });
    return tensor(context, id, left.type.axes, 'the expression', [left]);
  }
  if (left.kind === 'number' && right.kind === 'tensor') {
    const id = context.b.emit(opNames[op], [context.b.scalar(left.value, { span }), right.id], {}, { span });
    return tensor(context, id, right.type.axes, 'the expression', [right]);
  }
  if (left.kind === 'tensor' && right.kind === 'tensor') return elementwise(context, opNames[op], left, right, span);
  const culprit = left.kind === 'tensor' || left.kind === 'number' ? right : left;
  report(context, 'TIER3012', `The arithmetic '${op}' takes numbers or tensors, but got ${describeValue(culprit)}.`, span);
  return ERROR;
}

/** Applies a layer to a tensor. */
export function applyLayer(context: LowerContext, layer: Value, input: Value, span: Span): Value {
  if (layer.kind === 'error' || input.kind === 'error') return ERROR;
  if (layer.kind !== 'layer') {
    report(context, 'TIER2109', `Expected a layer to apply, but got ${describeValue(layer)}.`, span);
    return ERROR;
  }
  const tensorInput = expectTensor(context, input, span, `the input of '${layer.label}'`);
  if (tensorInput === undefined) return ERROR;
  return layer.apply(tensorInput, span);
}

/**
 * `a | b | c`. When the first stage is a tensor, the rest are applied to it now; otherwise the
 * pipe is a layer whose stages run in scopes `0`, `1`, … (as PyTorch's nn.Sequential names them).
 */
function evaluatePipe(context: LowerContext, scope: Scope, expr: PipeExpr): Value {
  const stages = expr.stages.map((stage) => evaluate(context, scope, stage));
  if (stages.some((stage) => stage.kind === 'error')) return ERROR;
  const first = stages[0]!;
  if (first.kind === 'tensor') {
    let current: Value = first;
    for (let i = 1; i < stages.length; i++) {
      const stage = stages[i]!;
      const input: Value = current;
      current = context.b.scope(String(i), (): Value => applyLayer(context, stage, input, expr.stages[i]!.span));
      if (current.kind === 'error') return ERROR;
    }
    return current;
  }
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!;
    if (stage.kind !== 'layer') {
      report(context, 'TIER2109', `Stage ${i + 1} of the pipe is ${describeValue(stage)}, not a layer.`, expr.stages[i]!.span);
      return ERROR;
    }
  }
  const layers = stages as Extract<Value, { kind: 'layer' }>[];
  return {
    kind: 'layer',
    label: layers.map((layer) => layer.label).join(' | '),
    span: expr.span,
    apply(input: TensorValue, at: Span): Value {
      let current: Value = input;
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i]!;
        const value: Value = current;
        current = layers.length === 1 ? layer.apply(value as TensorValue, at) : context.b.scope(String(i), () => applyLayer(context, layer, value, at));
        if (current.kind === 'error') return ERROR;
      }
      return current;
    },
  };
}
