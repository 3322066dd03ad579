// Checks and lowers one model: its parameters, axes, encoders, heads, lets, params and losses,
// in that order, then names the conventional outputs. Members are bound lazily, so a let may
// use a head declared below it; each is then evaluated in source order.
import { applyArithmetic, type BlockDecl, type Expr, type LossDecl, type ModelDecl, type NamedArgument } from '../ast/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { IrModule, LossWeight } from '../ir/index.js';
import { stdlibNames } from '../sema/stdlib.js';
import { describeValue, formatAxes, type TensorValue, type Value } from '../sema/values.js';
import { defineStatement } from './calls.js';
import { report, Scope, type AxisInfo, type LowerContext, type LowerSettings, type NamedValue } from './context.js';
import { declareEncoder, type ComponentOptions } from './encoders.js';
import { arithmetic, evaluate, force } from './expr.js';
import { LimitError, SharingBuilder } from './sharing_builder.js';

export interface LoweredModel {
  /** The model's name; an instance (`model baseline = phantom(words: 0)`) has its own name. */
  name: string;
  module: IrModule;
  /** Encoder outputs, lets, params and losses with their types, in evaluation order. */
  named: NamedValue[];
  /** Options of the encoders as used, defaults included. */
  components: ComponentOptions[];
  /** Values of the model's parameters, for an instance the ones it sets. */
  parameters: Record<string, unknown>;
  span: Span;
}

export interface ModelRequest {
  decl: ModelDecl;
  /** The name of the lowered module (the instance name for an instance). */
  name: string;
  /** Arguments of an instance, by parameter name. */
  arguments: NamedArgument[];
  /** Span of the instance declaration, when lowering one. */
  instanceSpan?: Span;
  blocks: ReadonlyMap<string, BlockDecl>;
  settings: LowerSettings;
}

const MAX_SIZE = 2 ** 31 - 1;

export function lowerModel(request: ModelRequest): { model: LoweredModel | undefined; diagnostics: Diagnostic[] } {
  const b = new SharingBuilder(request.name);
  const programScope = new Scope(undefined);
  const context: LowerContext = {
    b,
    diagnostics: [],
    model: request.decl,
    blocks: request.blocks,
    axes: new Map(),
    encoders: {},
    failedEncoders: new Set(),
    named: [],
    blockStack: [],
    letStack: [],
    anonymous: new Map(),
    headResults: new Map(),
    contrastivePairs: [],
    sources: new Map(),
    settings: request.settings,
    depth: 0,
    programScope,
    inLayerStage: false,
    applyingHead: undefined,
    optionRecords: [],
  };
  const scope = new Scope(programScope);
  try {
    return lowerMembers(context, scope, request);
  } catch (error) {
    if (!(error instanceof LimitError)) throw error;
    report(context, 'TIER3018', error.message, request.instanceSpan ?? request.decl.name.span);
    return { model: undefined, diagnostics: context.diagnostics };
  }
}

function lowerMembers(context: LowerContext, scope: Scope, request: ModelRequest): { model: LoweredModel | undefined; diagnostics: Diagnostic[] } {
  const b = context.b;
  const parameters = bindParameters(context, scope, request);
  checkMemberNames(context);
  declareAxes(context, scope);

  const components: ComponentOptions[] = [];
  for (const member of request.decl.members) {
    if (member.kind !== 'EncoderDecl') continue;
    const errors = context.diagnostics.length;
    declareEncoder(context, scope, member, components);
    const modality = member.modality.name;
    if (context.diagnostics.length > errors && (modality === 'image' || modality === 'text') && context.encoders[modality] === undefined) context.failedEncoders.add(modality);
  }
  for (const member of request.decl.members) {
    if (member.kind === 'LetDecl' || member.kind === 'HeadDecl' || member.kind === 'ParamDecl') defineStatement(context, scope, member);
  }
  for (const member of request.decl.members) {
    if (member.kind !== 'LetDecl' && member.kind !== 'HeadDecl' && member.kind !== 'ParamDecl') continue;
    const binding = scope.lookup(member.name.name);
    if (binding === undefined) continue;
    const value = force(context, binding, member.name.name, member.name.span);
    if (member.kind === 'LetDecl' && value.kind === 'tensor' && !context.named.some((n) => n.name === member.name.name && n.kind === 'let')) {
      context.named.push({ name: member.name.name, kind: 'let', value, span: member.span });
    }
    if (member.kind === 'LetDecl' && value.kind === 'schedule') {
      report(context, 'TIER3012', `'${member.name.name}' is a loss-weight schedule; a schedule can only multiply a loss.`, member.value.span);
    }
  }
  const losses = request.decl.members.filter((member): member is LossDecl => member.kind === 'LossDecl');
  for (const loss of losses) lowerLoss(context, scope, loss);
  if (losses.length === 0) {
    report(context, 'TIER2116', `Model '${request.name}' declares no loss; add one such as 'loss clip = infonce(img, txt)'.`, request.decl.name.span);
  }
  if (context.diagnostics.some((d) => d.severity === 'error')) return { model: undefined, diagnostics: context.diagnostics };

  nameOutputs(context);
  const span = request.instanceSpan ?? request.decl.span;
  const all = [...components, ...context.optionRecords];
  return { model: { name: request.name, module: b.finish(), named: context.named, components: all, parameters, span }, diagnostics: context.diagnostics };
}

/** Binds the model's parameters to their defaults or an instance's arguments. */
function bindParameters(context: LowerContext, scope: Scope, request: ModelRequest): Record<string, unknown> {
  const params = request.decl.params;
  const names = params.map((param) => param.name.name);
  const given = new Map<string, Expr>();
  for (const arg of request.arguments) {
    if (!names.includes(arg.name.name)) {
      report(context, 'TIER2104', `Model '${request.decl.name.name}' has no parameter '${arg.name.name}'.${didYouMean(arg.name.name, names)}`, arg.name.span, [
        { span: request.decl.name.span, message: `'${request.decl.name.name}' is declared here.` },
      ]);
      continue;
    }
    given.set(arg.name.name, arg.value);
  }
  const values: Record<string, unknown> = {};
  for (const param of params) {
    const expr = given.get(param.name.name) ?? param.default;
    if (expr === undefined) {
      report(context, 'TIER2108', `Model '${request.decl.name.name}' needs a value for parameter '${param.name.name}'.`, request.instanceSpan ?? param.span, [
        { span: param.span, message: `'${param.name.name}' is declared here.` },
      ]);
      continue;
    }
    const value = evaluate(context, scope, expr);
    scope.define(param.name.name, { kind: 'value', value, span: param.span });
    values[param.name.name] = value.kind === 'number' || value.kind === 'string' ? value.value : describeValue(value);
  }
  return values;
}

/** Reports members and parameters named like a standard-library block or like an axis. */
function checkMemberNames(context: LowerContext): void {
  const reserved = new Set(stdlibNames());
  const decl = context.model;
  const declared = [
    ...decl.params.map((param) => param.name),
    ...decl.members.flatMap((member) => (member.kind === 'LetDecl' || member.kind === 'HeadDecl' || member.kind === 'ParamDecl' || member.kind === 'LossDecl' ? [member.name] : [])),
  ];
  for (const name of declared) {
    if (reserved.has(name.name)) {
      report(context, 'TIER2102', `'${name.name}' is the name of a standard-library block; choose another name so both stay usable.`, name.span);
    }
  }
  const axisNames = decl.members.flatMap((member) => (member.kind === 'AxesDecl' ? member.axes.map((axis) => axis.name) : []));
  for (const axis of axisNames) {
    const clash = declared.find((name) => name.name === axis.name);
    if (clash !== undefined) {
      report(context, 'TIER2111', `Axis '${axis.name}' has the same name as a value of the model; rename one of them.`, clash.span, [
        { span: axis.span, message: `Axis '${axis.name}' is declared here.` },
      ]);
    }
  }
}

function declareAxes(context: LowerContext, scope: Scope): void {
  for (const member of context.model.members) {
    if (member.kind !== 'AxesDecl') continue;
    for (const axis of member.axes) {
      const info: AxisInfo = { name: axis.name.name, constraint: axis.constraint, span: axis.span };
      if (axis.size !== undefined) {
        const size = sizeValue(context, scope, axis.size);
        if (size === undefined) continue;
        info.size = size;
      }
      if (context.axes.has(info.name)) continue; // a duplicate, reported by the front end
      context.axes.set(info.name, info);
      if (info.constraint !== 'exact') context.b.symbol(info.name, info.size, axis.span);
    }
  }
  if (!context.axes.has('batch') && context.b.symbolDecl('batch') === undefined) context.b.symbol('batch');
}

/**
 * Evaluates a size expression (`7 * 7`, `image / patch`) with every intermediate result checked
 * against 2^31 − 1, so an overflow is reported rather than rounded.
 */
export function sizeValue(context: LowerContext, scope: Scope, expr: Expr): number | undefined {
  const fail = (message: string): undefined => {
    report(context, 'TIER3011', message, expr.span);
    return undefined;
  };
  const compute = (node: Expr): number | undefined => {
    switch (node.kind) {
      case 'NumberLiteral':
        return node.value;
      case 'UnaryExpr': {
        const inner = compute(node.operand);
        return inner === undefined ? undefined : -inner;
      }
      case 'BinaryExpr': {
        const left = compute(node.left);
        const right = compute(node.right);
        if (left === undefined || right === undefined) return undefined;
        const result = applyArithmetic(node.op, left, right);
        if (!Number.isFinite(result) || Math.abs(result) > MAX_SIZE) return fail(`The size ${left} ${node.op} ${right} overflows 2^31 − 1; sizes must stay below 2147483648.`);
        return result;
      }
      case 'Identifier': {
        const axis = context.axes.get(node.name);
        if (axis?.constraint === 'exact') return axis.size;
        const value = evaluate(context, scope, node);
        if (value.kind === 'number') return value.value;
        if (value.kind !== 'error') fail(`A size must be a number, but '${node.name}' is ${describeValue(value)}.`);
        return undefined;
      }
      default: {
        const value = evaluate(context, scope, node);
        if (value.kind === 'number') return value.value;
        if (value.kind !== 'error') fail(`A size must be a number, but got ${describeValue(value)}.`);
        return undefined;
      }
    }
  };
  const size = compute(expr);
  if (size === undefined) return undefined;
  if (!Number.isInteger(size) || size <= 0) return fail(`A size must be a positive whole number, but this one is ${size}.`);
  if (size > MAX_SIZE) return fail(`The size ${size} overflows 2^31 − 1; sizes must stay below 2147483648.`);
  return size;
}

function lowerLoss(context: LowerContext, scope: Scope, decl: LossDecl): void {
  const name = decl.name.name;
  const result = context.b.atPath(name, () => {
    const expr = decl.value;
    if (expr.kind === 'BinaryExpr' && expr.op === '*') {
      const left = evaluate(context, scope, expr.left);
      const right = evaluate(context, scope, expr.right);
      if (isWeight(left) && right.kind !== 'number') return { weight: left, value: right, weightSpan: expr.left.span };
      if (isWeight(right) && left.kind !== 'number') return { weight: right, value: left, weightSpan: expr.right.span };
      return { weight: undefined, value: arithmetic(context, '*', left, right, expr.span), weightSpan: expr.span };
    }
    return { weight: undefined, value: evaluate(context, scope, expr), weightSpan: expr.span };
  });
  const value = result.value;
  if (value.kind === 'error') return;
  if (value.kind !== 'tensor') {
    report(context, 'TIER3005', `Loss '${name}' must be a scalar tensor, but it is ${describeValue(value)}.`, decl.value.span);
    return;
  }
  if (value.type.axes.length !== 0) {
    const axes = value.type.axes.map((axis) => axis.name).filter((n) => n !== '');
    report(context, 'TIER3005', `Loss '${name}' must be a scalar, but its value has shape ${formatAxes(value.type)}; reduce it with mean(…, over: [${axes.join(', ')}]).`, decl.value.span);
    return;
  }
  let weight: LossWeight = { kind: 'constant', value: 1 };
  if (result.weight?.kind === 'number') weight = { kind: 'constant', value: result.weight.value };
  if (result.weight?.kind === 'schedule') weight = result.weight.weight;
  if (weight.kind === 'constant' && weight.value < 0) {
    report(context, 'TIER2007', `Loss '${name}' has the negative weight ${weight.value}; a weight must be zero or more.`, result.weightSpan);
    return;
  }
  context.b.loss(name, value.id, weight, decl.span);
  context.named.push({ name, kind: 'loss', value, span: decl.span });
}

function isWeight(value: Value): value is Extract<Value, { kind: 'number' | 'schedule' }> {
  return value.kind === 'number' || value.kind === 'schedule';
}

/** Names every tensor let as an output, then adds the conventional names other tools look for. */
function nameOutputs(context: LowerContext): void {
  const outputs = new Map<string, number>();
  const lets = context.named.filter((n) => n.kind === 'let');
  for (const item of lets) outputs.set(item.name, item.value.id);
  const names = (value: TensorValue) => value.type.axes.map((axis) => axis.name).join(',');
  const sourceIs = (value: TensorValue, source: 'image' | 'text') => {
    const sources = context.sources.get(value.id);
    return sources !== undefined && sources.size === 1 && sources.has(source);
  };
  const firstLet = (axes: string, source?: 'image' | 'text') =>
    lets.find((item) => names(item.value) === axes && (source === undefined || sourceIs(item.value, source)))?.value;
  const pairs = context.contrastivePairs.flat();
  const conventional: Record<string, TensorValue | undefined> = {
    image_embedding: pairs.find((value) => sourceIs(value, 'image')) ?? firstLet('batch,dim', 'image'),
    patch_embeddings: firstLet('batch,patch,dim', 'image'),
    text_embedding: pairs.find((value) => sourceIs(value, 'text')) ?? firstLet('batch,dim', 'text'),
    token_embeddings: firstLet('batch,token,dim', 'text'),
    similarity: firstLet('batch,token,patch'),
  };
  for (const [name, value] of Object.entries(conventional)) {
    if (value !== undefined && !outputs.has(name)) outputs.set(name, value.id);
  }
  for (const [name, id] of outputs) context.b.output(name, id);
}
