// The IR verifier: checks the invariants every backend relies on and returns each
// violation as a problem instead of stopping at the first one.
//
// The invariants:
// - node inputs refer to earlier nodes, so the list is in topological order;
// - every node's dtype and sizes match its shape rule (axis names may differ, because
//   builders may rename axes);
// - sizes are non-negative integers or declared symbols;
// - parameters, graph inputs, outputs, losses and clamps refer to things that exist, and
//   names are unique;
// - losses are scalar f32;
// - every parameter is read by some node unless it sets `allowUnused`.
import type { Span } from '../diagnostics/types.js';
import { ShapeError, formatType } from './shape_error.js';
import { inferType } from './shapes.js';
import type { IrModule, OpAttrs, TensorType, ValueId } from './types.js';

export interface IrProblem {
  message: string;
  /** The node at fault, when there is one. */
  node?: ValueId;
  span?: Span;
}

/** Returns every invariant the module breaks; an empty list means the module is valid. */
export function verifyModule(module: IrModule): IrProblem[] {
  const problems: IrProblem[] = [];
  const report = (message: string, node?: ValueId): void => {
    const problem: IrProblem = { message };
    if (node !== undefined) {
      problem.node = node;
      const span = module.nodes[node]?.span;
      if (span) problem.span = span;
    }
    problems.push(problem);
  };

  checkDeclarations(module, report);
  const used = checkNodes(module, report);
  checkResults(module, report, used);
  return problems;
}

/** Throws an Error listing every problem when the module is invalid. */
export function assertValidModule(module: IrModule): void {
  const problems = verifyModule(module);
  if (problems.length > 0) {
    const lines = problems.map((p) => (p.node === undefined ? p.message : `%${p.node}: ${p.message}`));
    throw new Error(`Module '${module.name}' is invalid:\n${lines.join('\n')}`);
  }
}

type Report = (message: string, node?: ValueId) => void;

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const n of names) (seen.has(n) ? repeated : seen).add(n);
  return [...repeated];
}

function checkSizes(type: TensorType, symbols: ReadonlySet<string>, where: string, report: Report, node?: ValueId): void {
  for (const axis of type.axes) {
    const ok = typeof axis.size === 'number' ? Number.isInteger(axis.size) && axis.size >= 0 : symbols.has(axis.size);
    if (!ok) report(`${where} has size '${axis.size}', which is neither a non-negative integer nor a declared symbol.`, node);
  }
}

function checkDeclarations(module: IrModule, report: Report): void {
  const symbols = new Set(module.symbols.map((s) => s.name));
  for (const name of duplicates(module.symbols.map((s) => s.name))) report(`Symbol '${name}' is declared more than once.`);
  for (const name of duplicates(module.inputs.map((i) => i.name))) report(`Graph input '${name}' is declared more than once.`);
  for (const name of duplicates(module.params.map((p) => p.name))) report(`Parameter '${name}' is declared more than once.`);
  for (const input of module.inputs) checkSizes(input.type, symbols, `Graph input '${input.name}'`, report);

  for (const param of module.params) {
    if (!param.shape.every((s) => Number.isInteger(s) && s > 0)) {
      report(`Parameter '${param.name}' has shape [${param.shape.join(', ')}]; sizes must be positive integers.`);
    }
    if (param.axisNames.length !== param.shape.length) {
      report(`Parameter '${param.name}' has ${param.axisNames.length} axis names for ${param.shape.length} axes.`);
    }
    if (param.role === 'buffer' && param.trainable) report(`Buffer '${param.name}' is marked trainable.`);
  }
}

/** Checks every node and returns, per parameter index, whether some node or output reads it. */
function checkNodes(module: IrModule, report: Report): boolean[] {
  const symbols = new Set(module.symbols.map((s) => s.name));
  const paramNodes = new Map<ValueId, number>();
  const consumed = new Set<ValueId>(Object.values(module.outputs));
  const context = { inputs: module.inputs, params: module.params };

  module.nodes.forEach((node, id) => {
    const badInput = node.inputs.find((v) => !Number.isInteger(v) || v < 0 || v >= id);
    if (badInput !== undefined) {
      report(`'${node.op}' reads %${badInput}, which is not an earlier node.`, id);
      return;
    }
    node.inputs.forEach((v) => consumed.add(v));
    if (node.op === 'param') paramNodes.set(id, (node.attrs as OpAttrs['param']).param);
    checkSizes(node.type, symbols, `The result of '${node.op}'`, report, id);

    try {
      const operands = node.inputs.map((v) => module.nodes[v]!.type);
      const inferred = inferType(node.op, operands, node.attrs, context);
      const same = inferred.dtype === node.type.dtype
        && inferred.axes.length === node.type.axes.length
        && inferred.axes.every((a, i) => a.size === node.type.axes[i]!.size);
      if (!same) report(`'${node.op}' is typed ${formatType(node.type)}, but its shape rule gives ${formatType(inferred)}.`, id);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      report(error.message, id);
    }
  });

  const used = module.params.map((p) => p.allowUnused === true);
  for (const [id, param] of paramNodes) if (consumed.has(id) && param < used.length) used[param] = true;
  return used;
}

function checkResults(module: IrModule, report: Report, used: readonly boolean[]): void {
  const exists = (v: ValueId): boolean => Number.isInteger(v) && v >= 0 && v < module.nodes.length;

  for (const [name, value] of Object.entries(module.outputs)) {
    if (!exists(value)) report(`Output '${name}' refers to %${value}, which does not exist.`);
  }

  for (const name of duplicates(module.losses.map((l) => l.name))) report(`Loss '${name}' is defined more than once.`);
  for (const loss of module.losses) {
    if (!exists(loss.value)) {
      report(`Loss '${loss.name}' refers to %${loss.value}, which does not exist.`);
      continue;
    }
    const type = module.nodes[loss.value]!.type;
    if (type.dtype !== 'f32' || type.axes.length !== 0) report(`Loss '${loss.name}' must be a scalar f32, got ${formatType(type)}.`, loss.value);
    if (loss.weight.kind === 'warmup' && !(Number.isInteger(loss.weight.steps) && loss.weight.steps > 0)) {
      report(`Loss '${loss.name}' warms up over ${loss.weight.steps} steps; the step count must be a positive integer.`);
    }
  }

  for (const clamp of module.clamps) {
    const param = module.params[clamp.param];
    if (!param) report(`A clamp refers to parameter #${clamp.param}, which does not exist.`);
    else if (clamp.min !== undefined && clamp.max !== undefined && clamp.min > clamp.max) {
      report(`The clamp of '${param.name}' has minimum ${clamp.min} above maximum ${clamp.max}.`);
    }
  }

  module.params.forEach((param, i) => {
    if (!used[i]) report(`Parameter '${param.name}' is never read; set allowUnused if that is intended.`);
  });
}
