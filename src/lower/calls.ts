// Calls: standard-library blocks (applied now when given their input, otherwise configured into
// a layer), user-defined blocks (inlined with their arguments bound), heads and layers applied
// like functions, and the built-in functions `ln`, `exp`, `sqrt`, `learnable` and `warmup`.
import type { BlockDecl, CallExpr, Expr, NamedArgument } from '../ast/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Span } from '../diagnostics/types.js';
import { ShapeError } from '../ir/index.js';
import { BlockError, expandBlock, learnableScale, resolveOptions, warmup, type BlockDef } from '../stdlib/index.js';
import { DEFAULT_SCALE_MAX, ENCODERS, requiredPorts, STDLIB_BLOCKS } from '../sema/stdlib.js';
import { describeValue, ERROR, formatAxes, numberValue, type LayerValue, type TensorValue, type Value } from '../sema/values.js';
import { alignMask, axisPosition, tensor, withNames } from './axes.js';
import { exprLabel, report, Scope, type LowerContext } from './context.js';
import { applyLayer, evaluate, expectTensor } from './expr.js';
import { INVALID, optionFromValue, optionValue, problemCode } from './options.js';
import { checkAnnotation, declareHead, declareParam } from './members.js';
import { blockShapeMessage } from './shape_messages.js';
import { checkLayerCount, ShareError } from './sharing_builder.js';

/** Blocks without parameters: applying them needs no scope of their own. */
const PARAMETER_FREE = new Set(['normalize', 'mean', 'softmax', 'entropy', 'infonce', 'relu', 'gelu', 'quick_gelu', 'dropout']);

function positional(call: CallExpr): Expr[] {
  return call.args.filter((arg): arg is Expr => arg.kind !== 'NamedArgument');
}

function named(call: CallExpr): NamedArgument[] {
  return call.args.filter((arg): arg is NamedArgument => arg.kind === 'NamedArgument');
}

export function evaluateCall(context: LowerContext, scope: Scope, call: CallExpr): Value {
  if (call.callee.kind !== 'Identifier') {
    report(context, 'TIER2109', 'Only named blocks, heads and functions can be called.', call.callee.span);
    return ERROR;
  }
  const name = call.callee.name;
  const binding = scope.lookup(name);
  if (binding !== undefined) {
    const callee = evaluate(context, scope, call.callee);
    return applyBound(context, scope, name, callee, call);
  }
  const block = context.blocks.get(name);
  if (block !== undefined) return expandUserBlock(context, block, call, scope);
  switch (name) {
    case 'ln':
    case 'log':
    case 'exp':
    case 'sqrt':
      return unaryFunction(context, scope, name, call);
    case 'learnable':
      return learnable(context, scope, call);
    case 'warmup':
      return schedule(context, scope, call);
  }
  const def = STDLIB_BLOCKS[name];
  if (def !== undefined) return callStdlib(context, scope, def, call);
  return evaluate(context, scope, call.callee);
}

/** Turns a bare block name used as a value (`relu` in a pipe) into the block with default options. */
export function referToCallable(context: LowerContext, scope: Scope, name: string, span: Span): Value | undefined {
  const block = context.blocks.get(name);
  if (block !== undefined) {
    return expandUserBlock(context, block, { kind: 'CallExpr', callee: { kind: 'Identifier', name, span }, args: [], span }, scope);
  }
  const def = STDLIB_BLOCKS[name];
  if (def !== undefined) return callStdlib(context, scope, def, { kind: 'CallExpr', callee: { kind: 'Identifier', name, span }, args: [], span });
  return undefined;
}

/** `head_name(x)`: a layer bound to a name, applied to its one argument. */
function applyBound(context: LowerContext, scope: Scope, name: string, callee: Value, call: CallExpr): Value {
  if (callee.kind === 'error') return ERROR;
  if (callee.kind !== 'layer') {
    report(context, 'TIER2109', `'${name}' is ${describeValue(callee)}, not a layer or function, so it cannot be called.`, call.callee.span);
    return ERROR;
  }
  const args = positional(call);
  if (args.length !== 1 || named(call).length > 0) {
    report(context, 'TIER2103', `'${name}' is a layer and takes exactly one tensor argument, got ${call.args.length}.`, call.span);
    return ERROR;
  }
  return applyLayer(context, callee, evaluate(context, scope, args[0]!), call.span);
}

// ---------------------------------------------------------------------------------------------
// Standard-library blocks

interface BlockCall {
  options: Record<string, unknown>;
  inputs: Record<string, TensorValue>;
  /** Spans of the options as written, for diagnostics about one option. */
  spans: Record<string, Span>;
  /** Source text of tensors passed to a port by name, such as `scale: learnable(init: 14.29)`. */
  inputText: Record<string, string>;
  ok: boolean;
}

/** Sorts a call's arguments into options and input ports. */
function collectArguments(context: LowerContext, scope: Scope, def: BlockDef, call: CallExpr): BlockCall {
  const result: BlockCall = { options: {}, inputs: {}, spans: {}, inputText: {}, ok: true };
  const ports = def.inputs.map((port) => port.name);
  const freePorts = [...requiredPorts(def)];
  const options = def.options as Record<string, { type: string }>;

  for (const arg of positional(call)) {
    const value = evaluate(context, scope, arg);
    if (value.kind === 'error') {
      result.ok = false;
      continue;
    }
    if (value.kind === 'tensor' && freePorts.length > 0) {
      result.inputs[freePorts.shift()!] = value;
      continue;
    }
    if (value.kind === 'arrow' && 'in' in options && 'out' in options) {
      const from = value.from;
      const to = value.to;
      if (from.kind === 'number' && to.kind === 'number') {
        result.options['in'] = from.value;
        result.options['out'] = to.value;
        result.spans['in'] = arg.span;
        result.spans['out'] = arg.span;
        continue;
      }
    }
    if (value.kind === 'number' && 'out' in options && !('out' in result.options)) {
      result.options['out'] = value.value;
      result.spans['out'] = arg.span;
      continue;
    }
    const takes = requiredPorts(def).length > 0 ? `its input${'in' in options ? " and a width change 'in -> out'" : ''}` : 'no positional arguments';
    report(context, 'TIER2103', `'${def.name}' takes ${takes} as positional arguments; ${describeValue(value)} is one too many. Pass options by name.`, arg.span);
    result.ok = false;
  }

  for (const arg of named(call)) {
    const key = arg.name.name;
    if (ports.includes(key)) {
      const value = evaluate(context, scope, arg.value);
      if (value.kind === 'tensor') {
        result.inputs[key] = value;
        result.inputText[key] = argumentText(arg.value);
        continue;
      }
      if (value.kind === 'error') {
        result.ok = false;
        continue;
      }
      if (key in options) {
        result.options[key] = optionFromValue(value);
        result.spans[key] = arg.value.span;
        continue;
      }
      report(context, 'TIER3012', `Input '${key}' of '${def.name}' takes a tensor, but got ${describeValue(value)}.`, arg.value.span);
      result.ok = false;
      continue;
    }
    const spec = (def.options as Record<string, import('../stdlib/index.js').OptionSpec>)[key];
    if (spec === undefined) {
      report(context, 'TIER2104', `'${def.name}' has no option '${key}'.${didYouMean(key, [...Object.keys(options), ...ports])}`, arg.name.span);
      result.ok = false;
      continue;
    }
    const converted = optionValue(context, scope, def.name, key, spec, arg.value);
    if (converted === INVALID) {
      result.ok = false;
      continue;
    }
    result.options[key] = converted;
    result.spans[key] = arg.value.span;
  }
  return result;
}

/** Checks the options against the block's schema and reports each problem at its option. */
function checkOptions(context: LowerContext, def: BlockDef, collected: BlockCall, callSpan: Span): boolean {
  const checked = resolveOptions(def.name, def.options as never, collected.options);
  if (checked.problems.length === 0) return true;
  for (const problem of checked.problems) {
    report(context, problemCode(problem.kind), problem.message, collected.spans[problem.option] ?? callSpan);
  }
  return false;
}

export function callStdlib(context: LowerContext, scope: Scope, def: BlockDef, call: CallExpr): Value {
  if (ENCODERS[def.name] !== undefined) {
    const modality = ENCODERS[def.name]!.modality;
    report(context, 'TIER2109', `'${def.name}' is an encoder; declare it as '${modality} encoder = ${def.name}(…)' and use its outputs such as '${modality}.${modality === 'image' ? 'grid' : 'tokens'}'.`, call.span);
    return ERROR;
  }
  const collected = collectArguments(context, scope, def, call);
  if (!collected.ok) return ERROR;
  const required = requiredPorts(def);
  const given = required.filter((port) => collected.inputs[port] !== undefined);
  if (given.length === 0 && required.length === 1) {
    if (!checkOptionsWithoutAxes(context, def, collected, call.span)) return ERROR;
    return configuredLayer(context, def, collected, call);
  }
  if (given.length < required.length) {
    const missing = required.filter((port) => collected.inputs[port] === undefined);
    report(context, 'TIER2108', `'${def.name}' needs ${missing.map((port) => `input '${port}'`).join(' and ')}.`, call.span);
    return ERROR;
  }
  return applyStdlib(context, def, collected, call.span, call.span);
}

/** Checks everything but axis options, which need the input's axes. */
function checkOptionsWithoutAxes(context: LowerContext, def: BlockDef, collected: BlockCall, span: Span): boolean {
  const copy = { ...collected, options: { ...collected.options } };
  for (const [key, spec] of Object.entries(def.options as Record<string, { type: string }>)) {
    if ((spec.type === 'axis' || spec.type === 'axes') && copy.options[key] === undefined && (def.options as Record<string, { default?: unknown }>)[key]!.default === undefined) {
      copy.options[key] = 0;
    }
  }
  return checkOptions(context, def, copy, span);
}

function configuredLayer(context: LowerContext, def: BlockDef, collected: BlockCall, call: CallExpr): LayerValue {
  const port = requiredPorts(def)[0]!;
  const label = call.args.length === 0 ? def.name : `${def.name}(…)`;
  return {
    kind: 'layer',
    label,
    span: call.span,
    apply(input: TensorValue, at: Span): Value {
      return applyStdlib(context, def, { ...collected, inputs: { ...collected.inputs, [port]: input } }, call.span, at);
    },
  };
}

/** Expands a block whose inputs are all given, returning its first output with named axes. */
function applyStdlib(context: LowerContext, def: BlockDef, collected: BlockCall, callSpan: Span, useSpan: Span): Value {
  const options = { ...collected.options };
  const inputs = { ...collected.inputs };
  const primary = inputs[requiredPorts(def)[0]!]!;
  let reduced: number[] | undefined;

  // Axis options name axes of the primary input; resolve them here for messages that name the value.
  for (const [key, spec] of Object.entries(def.options as Record<string, { type: string }>)) {
    if (spec.type !== 'axis' && spec.type !== 'axes') continue;
    if (def.name === 'entropy' && key === 'over') {
      const over = checkEntropyAxis(context, primary, options['over'], collected.spans['over'] ?? callSpan);
      if (over === undefined) return ERROR;
      options['over'] = over;
    }
    const written = options[key];
    if (written === undefined || written === null) continue;
    const list = Array.isArray(written) ? written : [written];
    const positions: number[] = [];
    for (const item of list) {
      const position = typeof item === 'number' ? item : axisPosition(context, primary, String(item), collected.spans[key] ?? callSpan);
      if (position === undefined) return ERROR;
      positions.push(position);
    }
    options[key] = Array.isArray(written) ? positions : positions[0];
    if (def.name === 'mean' || def.name === 'entropy') reduced = positions;
  }
  if (def.name === 'mean' && (options['over'] === undefined || options['over'] === null)) reduced = primary.type.axes.map((_, i) => i);
  if (!checkOptions(context, def, { ...collected, options }, callSpan)) return ERROR;

  const irInputs: Record<string, number> = {};
  for (const [port, value] of Object.entries(inputs)) {
    if (port === 'mask') {
      const aligned = alignMask(context, value, primary, collected.spans[port] ?? callSpan);
      if (aligned === undefined) return ERROR;
      irInputs[port] = aligned.id;
    } else {
      irInputs[port] = value.id;
    }
  }

  let outputs: Record<string, number>;
  try {
    checkLayerCount(def.name, options);
    const expand = () => expandBlock(context.b, def, options, irInputs);
    outputs = context.b.scope(PARAMETER_FREE.has(def.name) ? '' : anonymousScope(context, def.name), expand, { span: callSpan });
  } catch (error) {
    reportExpansionError(context, def, error, collected, callSpan, useSpan, primary);
    return ERROR;
  }
  const shown = { ...options };
  for (const [key, spec] of Object.entries(def.options as Record<string, { type: string }>)) {
    const value = shown[key];
    const nameOf = (position: unknown) => (typeof position === 'number' ? (primary.type.axes[position]?.name ?? position) : position);
    if ((spec.type === 'axis' || spec.type === 'axes') && value !== undefined && value !== null) shown[key] = Array.isArray(value) ? value.map(nameOf) : nameOf(value);
  }
  recordOptions(context, def, shown, collected, callSpan);
  const output = outputs[def.outputs[0]!.name]!;
  const resultType = context.b.typeOf(output);
  let axes;
  if (reduced !== undefined) {
    axes = primary.type.axes.filter((_, i) => !reduced!.includes(i));
  } else if (resultType.axes.length === primary.type.axes.length) {
    axes = withNames(context, output, primary.type.axes.map((axis) => axis.name));
  } else {
    axes = resultType.axes;
  }
  const result = tensor(context, output, axes.map((axis, i) => ({ name: axis.name, size: resultType.axes[i]?.size ?? axis.size })), `${def.name}(…)`, Object.values(inputs));
  if (def.name === 'infonce' && inputs['a'] !== undefined && inputs['b'] !== undefined) context.contrastivePairs.push([inputs['a'], inputs['b']]);
  if (def.name === 'softmax') result.normalizedOver = primary.type.axes[options['over'] as number]!.name;
  return result;
}

/** Records the options a block was expanded with, once per scope path. */
function recordOptions(context: LowerContext, def: BlockDef, options: Record<string, unknown>, collected: BlockCall, span: Span): void {
  const component = [context.b.path(), PARAMETER_FREE.has(def.name) ? def.name : ''].filter((part) => part !== '').join('.');
  if (context.optionRecords.some((record) => record.component === component && record.block === def.name)) return;
  const checked = resolveOptions(def.name, def.options as never, options);
  if (checked.problems.length > 0) return;
  const resolved = (checked as { options: Record<string, unknown> }).options;
  context.optionRecords.push({
    component,
    block: def.name,
    options: Object.fromEntries(
      Object.keys(def.options).map((key) => {
        // A tensor bound to the port of the same name replaces the option, as `infonce(scale: learnable(…))` does.
        const input = collected.inputs[key];
        if (input !== undefined) return [key, { value: collected.inputText[key] ?? input.label, written: true }];
        return [key, { value: resolved[key], written: key in collected.options || key in collected.spans }];
      }),
    ),
    span,
  });
}

/** Returns the text of a call whose arguments are all literals or names, such as `learnable(init: 14.29, max: 100)`, or else a short label. */
function argumentText(expr: Expr): string {
  const simple = (value: Expr): string | undefined => {
    if (value.kind === 'NumberLiteral' || value.kind === 'StringLiteral') return value.raw;
    if (value.kind === 'Identifier') return value.name;
    return undefined;
  };
  if (expr.kind !== 'CallExpr' || expr.callee.kind !== 'Identifier') return exprLabel(expr);
  const parts: string[] = [];
  for (const arg of expr.args) {
    const text = arg.kind === 'NamedArgument' ? simple(arg.value) : simple(arg);
    if (text === undefined) return exprLabel(expr);
    parts.push(arg.kind === 'NamedArgument' ? `${arg.name.name}: ${text}` : text);
  }
  return `${expr.callee.name}(${parts.join(', ')})`;
}

/** Returns the scope for a block with parameters applied outside a pipe stage: `linear`, then `linear_1`, …. */
function anonymousScope(context: LowerContext, block: string): string {
  if (context.inLayerStage) return '';
  const key = `${context.b.path()}/${block}`;
  const count = context.anonymous.get(key) ?? 0;
  context.anonymous.set(key, count + 1);
  return count === 0 ? block : `${block}_${count}`;
}

/**
 * `entropy` sums over the axis its input was normalized along: the default for `over`, and an
 * error when `over` names another axis or the input is not the result of a softmax.
 */
function checkEntropyAxis(context: LowerContext, p: TensorValue, written: unknown, span: Span): string | number | undefined {
  if (written === undefined || written === null) {
    if (p.normalizedOver !== undefined) return p.normalizedOver;
    report(context, 'TIER3004', `'${p.label}' is not the result of a softmax, so the entropy has no axis to sum over; apply softmax(…, over: AXIS) first or give 'over:'.`, span);
    return undefined;
  }
  if (typeof written === 'string' && p.normalizedOver !== undefined && written !== p.normalizedOver) {
    report(context, 'TIER3004', `The entropy sums over '${written}', but its input was normalized by a softmax over '${p.normalizedOver}'.`, span);
    return undefined;
  }
  return written as string | number;
}

function reportExpansionError(context: LowerContext, def: BlockDef, error: unknown, collected: BlockCall, callSpan: Span, useSpan: Span, primary: TensorValue): void {
  if (error instanceof BlockError) {
    const optionSpan = error.option === undefined ? undefined : collected.spans[error.option];
    if (error.option === 'freeze') {
      report(context, 'TIER2106', error.message, optionSpan ?? callSpan);
    } else if (error.option === 'in' && context.applyingHead !== undefined) {
      const head = context.applyingHead;
      const width = primary.type.axes[primary.type.axes.length - 1]?.size;
      report(
        context,
        'TIER3006',
        `Head '${head.name}' expects input width ${String(collected.options['in'])}, but '${primary.label}' ${formatAxes(primary.type)} has width ${String(width)}.`,
        useSpan,
        [{ span: optionSpan ?? callSpan, message: `The width of head '${head.name}' is declared here.` }],
      );
    } else if (error.option === 'max_len') {
      report(context, 'TIER3013', error.message, optionSpan ?? callSpan);
    } else {
      report(context, error.option === undefined ? 'TIER3014' : 'TIER2105', error.message, optionSpan ?? useSpan);
    }
    return;
  }
  if (error instanceof ShareError) {
    const owner = context.applyingHead === undefined ? 'the layer' : `head '${context.applyingHead.name}'`;
    report(
      context,
      'TIER3015',
      `'${primary.label}' of shape ${formatAxes(primary.type)} does not fit parameter '${error.param}' [${error.first.join(', ')}], which an earlier use of ${owner} created; its weights are shared, so every input needs the same width.`,
      useSpan,
      context.applyingHead === undefined ? [] : [{ span: context.applyingHead.span, message: `Head '${context.applyingHead.name}' is declared here.` }],
    );
    return;
  }
  if (error instanceof ShapeError) {
    const head = context.applyingHead;
    const owner = head === undefined ? `'${def.name}'` : `Head '${head.name}'`;
    const related = head === undefined ? [] : [{ span: head.span, message: `Head '${head.name}' is declared here.` }];
    report(context, 'TIER3014', blockShapeMessage(owner, primary, error), useSpan, related);
    return;
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------
// User-defined blocks

function expandUserBlock(context: LowerContext, block: BlockDecl, call: CallExpr, callerScope: Scope): Value {
  const name = block.name.name;
  if (context.blockStack.includes(name)) {
    const chain = [...context.blockStack.slice(context.blockStack.indexOf(name)), name].map((n) => `'${n}'`).join(' → ');
    report(context, 'TIER2107', `Block '${name}' uses itself (${chain}); blocks are inlined, so they cannot recurse.`, call.span, [
      { span: block.name.span, message: `'${name}' is declared here.` },
    ]);
    return ERROR;
  }
  const scope = new Scope(context.programScope);
  const args = positional(call);
  if (args.length > block.params.length) {
    report(context, 'TIER2103', `Block '${name}' takes ${block.params.length} argument${block.params.length === 1 ? '' : 's'}, got ${args.length}.`, args[block.params.length]!.span, [
      { span: block.name.span, message: `'${name}' is declared here.` },
    ]);
    return ERROR;
  }
  const bound = new Map<string, Value>();
  args.forEach((arg, i) => bound.set(block.params[i]!.name.name, evaluate(context, callerScope, arg)));
  const paramNames = block.params.map((param) => param.name.name);
  for (const arg of named(call)) {
    if (!paramNames.includes(arg.name.name)) {
      report(context, 'TIER2104', `Block '${name}' has no parameter '${arg.name.name}'.${didYouMean(arg.name.name, paramNames)}`, arg.name.span);
      return ERROR;
    }
    bound.set(arg.name.name, evaluate(context, callerScope, arg.value));
  }
  context.blockStack.push(name);
  try {
    for (const param of block.params) {
      let value = bound.get(param.name.name);
      if (value === undefined) {
        if (param.default === undefined) {
          report(context, 'TIER2108', `Block '${name}' needs argument '${param.name.name}'.`, call.span, [{ span: param.span, message: `'${param.name.name}' is declared here.` }]);
          return ERROR;
        }
        value = evaluate(context, scope, param.default);
      }
      scope.define(param.name.name, { kind: 'value', value, span: param.span });
    }
    for (const statement of block.statements) defineStatement(context, scope, statement);
    if (block.result === undefined) return ERROR;
    return evaluate(context, scope, block.result);
  } finally {
    context.blockStack.pop();
  }
}

/** Defines a `let`, `param` or `head` of a block or model body as a lazily evaluated name. */
export function defineStatement(context: LowerContext, scope: Scope, statement: import('../ast/index.js').BlockStatement): void {
  const name = statement.name.name;
  const path = [context.b.path(), name].filter((part) => part !== '').join('.');
  const evaluateIt = (): Value => {
    switch (statement.kind) {
      case 'LetDecl':
        return evaluateLet(context, scope, statement, path);
      case 'ParamDecl':
        return declareParam(context, scope, statement, path);
      case 'HeadDecl':
        return declareHead(context, scope, statement, path);
    }
  };
  scope.define(name, { kind: 'lazy', span: statement.name.span, evaluate: evaluateIt, state: 'pending' });
}

/** Evaluates a let in its own scope path, outside any layer stage, checking its type annotation. */
function evaluateLet(context: LowerContext, scope: Scope, statement: import('../ast/index.js').LetDecl, path: string): Value {
  const saved = context.inLayerStage;
  context.inLayerStage = false;
  try {
    const value = context.b.atPath(path, () => labelled(evaluate(context, scope, statement.value), statement.name.name, statement.span), { span: statement.span });
    if (statement.type !== undefined) checkAnnotation(context, scope, statement.type, value, statement.name.name);
    return value;
  } finally {
    context.inLayerStage = saved;
  }
}

/** Gives a tensor the name of the let that contains it. */
export function labelled(value: Value, name: string, span: Span): Value {
  if (value.kind !== 'tensor') return value;
  return { ...value, label: name, declared: span };
}

// ---------------------------------------------------------------------------------------------
// Built-in functions

function unaryFunction(context: LowerContext, scope: Scope, name: 'ln' | 'log' | 'exp' | 'sqrt', call: CallExpr): Value {
  const args = positional(call);
  if (args.length !== 1 || named(call).length > 0) {
    report(context, 'TIER2103', `'${name}' takes exactly one argument, got ${call.args.length}.`, call.span);
    return ERROR;
  }
  const value = evaluate(context, scope, args[0]!);
  if (value.kind === 'number') {
    const result = name === 'exp' ? Math.exp(value.value) : name === 'sqrt' ? Math.sqrt(value.value) : Math.log(value.value);
    if (!Number.isFinite(result)) {
      report(context, 'TIER2105', `'${name}(${value.value})' is not a finite number.`, call.span);
      return ERROR;
    }
    return numberValue(result, false);
  }
  const input = expectTensor(context, value, args[0]!.span, `the argument of '${name}'`);
  if (input === undefined) return ERROR;
  const op = name === 'ln' ? 'log' : name;
  const id = context.b.emit(op, [input.id], {}, { span: call.span, name });
  return tensor(context, id, input.type.axes, `${name}(${input.label})`, [input]);
}

function numberArgument(context: LowerContext, scope: Scope, function_: string, arg: NamedArgument | Expr | undefined, what: string, span: Span): number | undefined {
  if (arg === undefined) {
    report(context, 'TIER2108', `'${function_}' needs ${what}.`, span);
    return undefined;
  }
  const expr = arg.kind === 'NamedArgument' ? arg.value : arg;
  const value = evaluate(context, scope, expr);
  if (value.kind === 'number') return value.value;
  if (value.kind !== 'error') report(context, 'TIER2105', `'${function_}' takes a number for ${what}, but got ${describeValue(value)}.`, expr.span);
  return undefined;
}

function checkNames(context: LowerContext, function_: string, call: CallExpr, allowed: string[]): boolean {
  for (const arg of named(call)) {
    if (!allowed.includes(arg.name.name)) {
      report(context, 'TIER2104', `'${function_}' has no option '${arg.name.name}'.${didYouMean(arg.name.name, allowed)}`, arg.name.span);
      return false;
    }
  }
  return true;
}

/**
 * `learnable(init: 14.29, max: 100)`: a scalar parameter holding the log of the scale, returned
 * as exp(parameter) and clamped after each optimizer step so the scale stays at or below `max`
 * (100 unless given).
 */
function learnable(context: LowerContext, scope: Scope, call: CallExpr): Value {
  if (!checkNames(context, 'learnable', call, ['init', 'max'])) return ERROR;
  const args = positional(call);
  if (args.length > 1) {
    report(context, 'TIER2103', `'learnable' takes at most one positional argument (the initial scale), got ${args.length}.`, args[1]!.span);
    return ERROR;
  }
  const initArg = named(call).find((arg) => arg.name.name === 'init') ?? args[0];
  const init = numberArgument(context, scope, 'learnable', initArg, "an initial scale 'init'", call.span);
  const maxArg = named(call).find((arg) => arg.name.name === 'max');
  const max = maxArg === undefined ? DEFAULT_SCALE_MAX : numberArgument(context, scope, 'learnable', maxArg, "a bound 'max'", call.span);
  if (init === undefined || max === undefined) return ERROR;
  if (!(init > 0) || !(max > 0)) {
    report(context, 'TIER2105', `'learnable' needs a positive initial scale and bound, got init ${init} and max ${max}.`, call.span);
    return ERROR;
  }
  const name = context.b.hasParam('logit_scale') ? `logit_scale_${context.b.paramList.length}` : 'logit_scale';
  const id = context.b.atPath('', () => learnableScale(context.b, { name, init, max }), { span: call.span });
  return tensor(context, id, [], name, []);
}

/** `warmup(0 -> 0.2, steps: 2000)`: a loss weight that ramps linearly, then stays. */
function schedule(context: LowerContext, scope: Scope, call: CallExpr): Value {
  if (!checkNames(context, 'warmup', call, ['from', 'to', 'steps'])) return ERROR;
  const args = positional(call);
  let from: number | undefined = 0;
  let to: number | undefined;
  if (args.length === 1) {
    const value = evaluate(context, scope, args[0]!);
    if (value.kind === 'arrow' && value.from.kind === 'number' && value.to.kind === 'number') {
      from = value.from.value;
      to = value.to.value;
    } else if (value.kind === 'number') {
      to = value.value;
    } else {
      if (value.kind !== 'error') report(context, 'TIER2105', `'warmup' takes the weights as 'from -> to', but got ${describeValue(value)}.`, args[0]!.span);
      return ERROR;
    }
  } else if (args.length > 1) {
    report(context, 'TIER2103', `'warmup' takes one positional argument 'from -> to', got ${args.length}.`, args[1]!.span);
    return ERROR;
  }
  const fromArg = named(call).find((arg) => arg.name.name === 'from');
  const toArg = named(call).find((arg) => arg.name.name === 'to');
  if (fromArg !== undefined) from = numberArgument(context, scope, 'warmup', fromArg, "a start weight 'from'", call.span);
  if (toArg !== undefined) to = numberArgument(context, scope, 'warmup', toArg, "an end weight 'to'", call.span);
  if (to === undefined && toArg === undefined && args.length === 0) {
    report(context, 'TIER2108', "'warmup' needs the weights as 'from -> to'.", call.span);
    return ERROR;
  }
  const steps = numberArgument(context, scope, 'warmup', named(call).find((arg) => arg.name.name === 'steps'), "a ramp length 'steps'", call.span);
  if (from === undefined || to === undefined || steps === undefined) return ERROR;
  try {
    return { kind: 'schedule', weight: warmup(from, to, steps) };
  } catch (error) {
    if (!(error instanceof BlockError)) throw error;
    report(context, error.message.includes('negative') ? 'TIER2007' : 'TIER2105', error.message, call.span);
    return ERROR;
  }
}
