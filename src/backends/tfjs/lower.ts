// Lowers an IR module to the program model, one statement per IR node. Some patterns map to
// faster runtime kernels. Multi-head attention over a packed q/k/v projection becomes
// `attention`. A matmul with a 2-D right operand (and a bias add) becomes `linearTransposed`
// when that operand is a [1, 0] transpose, else `linearBias`. x·sigmoid(c·x) becomes
// `quickGelu`. Nodes that no loss or output needs are dropped. Statements are grouped into one
// function per spec component, in the module's topological order.
import type { IrModule, Node, OpAttrs, ValueId } from '../../ir/types.js';
import { specHash } from '../../ir/hash.js';
import type { KernelName } from '../../runtime/kernels/index.js';
import { convForm } from '../../runtime/kernels/conv.js';
import type { ModelInfo, SizeBinding } from '../../runtime/model.js';
import type { ComponentFunction, Literal, Operand, Statement, TfjsProgram } from './program.js';
import { activationBytes } from './activations.js';
import { matchAttention } from './attention-pattern.js';
import { classifyRows } from './rows.js';

export { specHash };

export interface LowerOptions {
  /** The spec file named in banners, comments and checkpoints. */
  specFile?: string;
  tiercVersion: string;
}

const SIMPLE: Partial<Record<Node['op'], KernelName>> = {
  neg: 'neg', exp: 'exp', log: 'log', sqrt: 'sqrt', reciprocal: 'reciprocal', abs: 'abs', tanh: 'tanh',
  sigmoid: 'sigmoid', erf: 'erf', relu: 'relu', gelu: 'gelu', add: 'add', sub: 'sub', mul: 'mul', div: 'div',
  pow: 'pow', maximum: 'maximum', minimum: 'minimum', greater: 'greater', equal: 'equal', where: 'where',
  cast: 'cast', clip: 'clip', matmul: 'matmul', reduce_sum: 'reduceSum', reduce_mean: 'reduceMean',
  reduce_max: 'reduceMax', softmax: 'softmax', log_softmax: 'logSoftmax', reshape: 'reshape', transpose: 'transpose',
  unsqueeze: 'unsqueeze', concat: 'concat', slice: 'slice', gather: 'gather', one_hot: 'oneHot',
  range_like: 'rangeLike', eye_like: 'eyeLike', conv2d: 'conv2d', max_pool2d: 'maxPool2d', layer_norm: 'layerNorm',
  dropout: 'dropout', constant: 'constant',
};

/** Lowers `module`; throws an Error only for a broken IR invariant. */
export function lowerModule(module: IrModule, options: LowerOptions): TfjsProgram {
  const needed = neededNodes(module);
  const uses = useCounts(module, needed);
  const rowClasses = classifyRows(module);
  const names = new Map<ValueId, string>();
  const fused = new Set<ValueId>();
  const statements: { id: ValueId; component: string; statement: Statement }[] = [];

  const operand = (id: ValueId): Operand => {
    const node = module.nodes[id]!;
    if (node.op === 'input') return { kind: 'input', name: module.inputs[(node.attrs as OpAttrs['input']).input]!.name };
    if (node.op === 'param') return { kind: 'param', name: module.params[(node.attrs as OpAttrs['param']).param]!.name };
    return { kind: 'value', name: valueName(module, id, names) };
  };
  const onlyUse = (id: ValueId) => uses.get(id) === 1 && module.nodes[id]!.op !== 'param' && module.nodes[id]!.op !== 'input';

  // Mark fusions first: a node consumed by a fused pattern does not get its own statement.
  const patterns = new Map<ValueId, { kernel: KernelName; inputs: ValueId[]; attrs: Record<string, Literal>; covers: ValueId[] }>();
  // Uses of a [1, 0] transpose that a `linearTransposed` statement reads past; a transpose
  // whose every use is read past gets no statement.
  const transposeReads = new Map<ValueId, number>();
  const readPastTranspose = (transpose: ValueId) => transposeReads.set(transpose, (transposeReads.get(transpose) ?? 0) + 1);
  for (const id of needed) {
    const attention = matchAttention(module, id, onlyUse);
    if (!attention) continue;
    patterns.set(id, { kernel: 'attention', inputs: attention.inputs, attrs: { heads: attention.heads, blocks: attention.blocks, scale: attention.scale }, covers: attention.covers });
    for (const covered of attention.covers) fused.add(covered);
  }
  for (const id of needed) {
    const node = module.nodes[id]!;
    if (fused.has(id) || patterns.has(id)) continue;
    const bias = matchLinearBias(module, id, onlyUse);
    if (bias) {
      const stored = storedWeight(module, bias.inputs[1]!);
      if (stored !== undefined) {
        patterns.set(id, { kernel: 'linearTransposed', inputs: [bias.inputs[0]!, stored, bias.inputs[2]!], attrs: {}, covers: [bias.inputs[1]!, bias.matmul] });
        readPastTranspose(bias.inputs[1]!);
      } else {
        patterns.set(id, { kernel: 'linearBias', inputs: bias.inputs, attrs: { activation: 'linear' }, covers: [bias.matmul] });
      }
      fused.add(bias.matmul);
      continue;
    }
    const gelu = node.op === 'mul' ? matchQuickGelu(module, id, onlyUse) : undefined;
    if (gelu) {
      patterns.set(id, { kernel: 'quickGelu', inputs: [gelu.x], attrs: { alpha: gelu.alpha }, covers: gelu.covers });
      for (const covered of gelu.covers) fused.add(covered);
    }
  }

  // Bias-free products, once every bias add has claimed its matmul.
  for (const id of needed) {
    const node = module.nodes[id]!;
    if (node.op !== 'matmul' || fused.has(id)) continue;
    const stored = storedWeight(module, node.inputs[1]!);
    if (stored === undefined || module.nodes[node.inputs[0]!]!.type.axes.length < 2) continue;
    patterns.set(id, { kernel: 'linearTransposed', inputs: [node.inputs[0]!, stored], attrs: {}, covers: [node.inputs[1]!] });
    readPastTranspose(node.inputs[1]!);
  }
  for (const [transpose, reads] of transposeReads) if (reads === uses.get(transpose)) fused.add(transpose);
  // A pattern that reads past a transpose still in use names it only once, on its own statement.
  for (const pattern of patterns.values()) pattern.covers = pattern.covers.filter((covered) => fused.has(covered));

  for (const id of [...needed].sort((a, b) => a - b)) {
    const node = module.nodes[id]!;
    if (node.op === 'input' || node.op === 'param' || fused.has(id)) continue;
    const pattern = patterns.get(id);
    const nodeNames = [node.name ?? `%${id}`];
    let statement: Statement;
    if (pattern) {
      for (const covered of pattern.covers) nodeNames.unshift(module.nodes[covered]!.name ?? `%${covered}`);
      statement = { target: valueName(module, id, names), kernel: pattern.kernel, operands: pattern.inputs.map(operand), attrs: pattern.attrs, nodeNames, rowClass: rowClasses[id]! };
    } else {
      statement = { target: valueName(module, id, names), kernel: kernelOf(node), operands: node.inputs.map(operand), attrs: attrsOf(module, node), nodeNames, rowClass: rowClasses[id]! };
    }
    if (node.span) statement.span = node.span;
    statements.push({ id, component: componentOf(module, node), statement });
  }

  const components = groupComponents(statements, module, names);
  const losses: Record<string, Operand> = {};
  for (const loss of module.losses) losses[loss.name] = operand(loss.value);
  const outputs: Record<string, Operand> = {};
  for (const [name, id] of Object.entries(module.outputs)) outputs[name] = operand(id);
  return { info: modelInfo(module, options), components, losses, outputs };
}

function valueName(module: IrModule, id: ValueId, names: Map<ValueId, string>): string {
  let name = names.get(id);
  if (name === undefined) {
    const last = module.nodes[id]!.name?.split('.').pop() ?? '';
    const suffix = last.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24);
    name = suffix ? `v${id}_${suffix}` : `v${id}`;
    names.set(id, name);
  }
  return name;
}

function componentOf(module: IrModule, node: Node): string {
  const first = node.name?.split('.')[0];
  return first !== undefined && first !== '' ? first : 'model';
}

function kernelOf(node: Node): KernelName {
  if (node.op === 'batch_norm') return 'batchNorm';
  const kernel = SIMPLE[node.op];
  if (kernel === undefined) throw new Error(`IR op '${node.op}' has no tfjs kernel.`);
  return kernel;
}

function attrsOf(module: IrModule, node: Node): Record<string, Literal> {
  if (node.op === 'batch_norm') {
    const attrs = node.attrs as OpAttrs['batch_norm'];
    const paramName = (id: ValueId) => {
      const source = module.nodes[id]!;
      if (source.op !== 'param') throw new Error(`batch_norm '${node.name ?? ''}' reads running statistics from a non-parameter value.`);
      return module.params[(source.attrs as OpAttrs['param']).param]!.name;
    };
    return { eps: attrs.eps, momentum: attrs.momentum, meanName: paramName(node.inputs[3]!), varName: paramName(node.inputs[4]!) };
  }
  return JSON.parse(JSON.stringify(node.attrs)) as Record<string, Literal>;
}

/** add(matmul(x, w2d), bias1d) where the matmul has no other use. */
function matchLinearBias(module: IrModule, id: ValueId, onlyUse: (id: ValueId) => boolean): { inputs: ValueId[]; matmul: ValueId } | undefined {
  const node = module.nodes[id]!;
  if (node.op !== 'add') return undefined;
  for (const [m, b] of [[node.inputs[0]!, node.inputs[1]!], [node.inputs[1]!, node.inputs[0]!]] as const) {
    const product = module.nodes[m]!;
    const bias = module.nodes[b]!;
    if (product.op !== 'matmul' || !onlyUse(m)) continue;
    const rhs = module.nodes[product.inputs[1]!]!;
    const lhs = module.nodes[product.inputs[0]!]!;
    if (rhs.type.axes.length !== 2 || lhs.type.axes.length < 2 || bias.type.axes.length !== 1) continue;
    if (bias.type.axes[0]!.size !== rhs.type.axes[1]!.size) continue;
    return { inputs: [product.inputs[0]!, product.inputs[1]!, b], matmul: m };
  }
  return undefined;
}

/**
 * Returns w when `id` is transpose(w, [1, 0]) of a 2-D w: the right operand of a linear
 * layer whose weight is stored in PyTorch's [out, in] layout.
 */
function storedWeight(module: IrModule, id: ValueId): ValueId | undefined {
  const node = module.nodes[id]!;
  if (node.op !== 'transpose') return undefined;
  const perm = (node.attrs as OpAttrs['transpose']).perm;
  if (perm.length !== 2 || perm[0] !== 1 || perm[1] !== 0) return undefined;
  return node.inputs[0]!;
}

/** mul(x, sigmoid(mul(x, c))) with a scalar constant c, in either operand order. */
function matchQuickGelu(module: IrModule, id: ValueId, onlyUse: (id: ValueId) => boolean): { x: ValueId; alpha: number; covers: ValueId[] } | undefined {
  const node = module.nodes[id]!;
  for (const [x, s] of [[node.inputs[0]!, node.inputs[1]!], [node.inputs[1]!, node.inputs[0]!]] as const) {
    const sig = module.nodes[s]!;
    if (sig.op !== 'sigmoid' || !onlyUse(s)) continue;
    const scaled = module.nodes[sig.inputs[0]!]!;
    if (scaled.op !== 'mul' || !onlyUse(sig.inputs[0]!)) continue;
    const [p, q] = scaled.inputs as [ValueId, ValueId];
    let constId: ValueId;
    if (p === x) constId = q;
    else if (q === x) constId = p;
    else continue;
    const constant = module.nodes[constId]!;
    if (constant.op !== 'constant') continue;
    const attrs = constant.attrs as OpAttrs['constant'];
    if (attrs.values.length !== 1 || attrs.shape.length !== 0) continue;
    const covers = [sig.inputs[0]!, s];
    if (onlyUse(constId)) covers.unshift(constId);
    return { x, alpha: attrs.values[0]!, covers };
  }
  return undefined;
}

function neededNodes(module: IrModule): Set<ValueId> {
  const needed = new Set<ValueId>();
  const stack = [...module.losses.map((l) => l.value), ...Object.values(module.outputs)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    stack.push(...module.nodes[id]!.inputs);
  }
  return needed;
}

function useCounts(module: IrModule, needed: Set<ValueId>): Map<ValueId, number> {
  const uses = new Map<ValueId, number>();
  for (const id of needed) for (const input of module.nodes[id]!.inputs) uses.set(input, (uses.get(input) ?? 0) + 1);
  for (const id of [...module.losses.map((l) => l.value), ...Object.values(module.outputs)]) uses.set(id, (uses.get(id) ?? 0) + 1);
  return uses;
}

/** Contiguous runs of one component become one function; a component seen again gets a numbered name. */
function groupComponents(items: { id: ValueId; component: string; statement: Statement }[], module: IrModule, names: Map<ValueId, string>): ComponentFunction[] {
  const runs: ComponentFunction[] = [];
  const taken = new Set<string>(['forward', 'MODEL', 'k', 'tf']);
  for (const item of items) {
    let run = runs[runs.length - 1];
    if (run === undefined || run.component !== item.component) {
      run = { component: item.component, functionName: uniqueIdentifier(item.component, taken), imports: [], exports: [], statements: [] };
      runs.push(run);
    }
    run.statements.push(item.statement);
  }
  const definedIn = new Map<string, number>();
  runs.forEach((run, index) => run.statements.forEach((s) => definedIn.set(s.target, index)));
  const finalIds = [...module.losses.map((l) => l.value), ...Object.values(module.outputs)];
  const finalReads = new Set(finalIds.filter((id) => names.has(id)).map((id) => names.get(id)!));
  runs.forEach((run, index) => {
    const imports = new Set<string>();
    for (const statement of run.statements) {
      for (const op of statement.operands) {
        if (op.kind !== 'value') continue;
        const at = definedIn.get(op.name);
        if (at !== undefined && at < index) {
          imports.add(op.name);
          const source = runs[at]!;
          if (!source.exports.includes(op.name)) source.exports.push(op.name);
        }
      }
    }
    run.imports = [...imports];
  });
  for (const name of finalReads) {
    const at = definedIn.get(name);
    if (at !== undefined && !runs[at]!.exports.includes(name)) runs[at]!.exports.push(name);
  }
  return runs;
}

function uniqueIdentifier(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
  let candidate = base;
  for (let n = 2; taken.has(candidate) || RESERVED.has(candidate); n++) candidate = `${base}_${n}`;
  taken.add(candidate);
  return candidate;
}

const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'export', 'extends', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'return', 'super', 'switch', 'this', 'throw', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'enum', 'await', 'implements', 'package', 'protected', 'interface', 'private', 'public', 'null', 'true', 'false', 'undefined', 'NaN', 'Infinity', 'arguments', 'eval', 'ctx', 'p', 'inputs']);

function modelInfo(module: IrModule, options: LowerOptions): ModelInfo {
  const sizeBindings: SizeBinding[] = [];
  for (const symbol of module.symbols) {
    for (const input of module.inputs) {
      const axis = input.type.axes.findIndex((a) => a.size === symbol.name);
      if (axis >= 0) {
        sizeBindings.push({ symbol: symbol.name, input: input.name, axis });
        break;
      }
    }
  }
  const generalConvs: ModelInfo['generalConvs'] = [];
  for (const node of module.nodes) {
    if (node.op !== 'conv2d') continue;
    const weightNode = module.nodes[node.inputs[1]!]!;
    const shape = weightNode.type.axes.map((a) => a.size);
    const attrs = node.attrs as OpAttrs['conv2d'];
    if (convForm([Number(shape[2]), Number(shape[3])], attrs) !== 'general' || attrs.groups === 1) continue;
    const param = weightNode.op === 'param' ? module.params[(weightNode.attrs as OpAttrs['param']).param] : undefined;
    if (param && !param.trainable) continue;
    const entry: ModelInfo['generalConvs'][number] = { node: node.name ?? 'conv2d', weight: param?.name ?? '' };
    if (node.span) entry.span = node.span;
    generalConvs.push(entry);
  }
  const info: ModelInfo = {
    name: module.name,
    specFile: options.specFile ?? `${module.name}.tier`,
    specHash: specHash(module),
    tiercVersion: options.tiercVersion,
    symbols: module.symbols,
    inputs: module.inputs,
    params: module.params,
    losses: module.losses.map((l) => (l.span ? { name: l.name, weight: l.weight, span: l.span } : { name: l.name, weight: l.weight })),
    clamps: module.clamps,
    sizeBindings,
    outputs: Object.keys(module.outputs),
    generalConvs,
  };
  const vocabSize = tokenVocabulary(module);
  if (vocabSize !== undefined) info.vocabSize = vocabSize;
  info.activationBytes = activationBytes(module);
  return info;
}

/** Rows of the first table gathered with the token-id input. */
function tokenVocabulary(module: IrModule): number | undefined {
  for (const node of module.nodes) {
    if (node.op !== 'gather') continue;
    const ids = module.nodes[node.inputs[1]!]!;
    if (ids.op !== 'input' || module.inputs[(ids.attrs as OpAttrs['input']).input]?.role !== 'token_ids') continue;
    const rows = module.nodes[node.inputs[0]!]!.type.axes[0]?.size;
    if (typeof rows === 'number') return rows;
  }
  return undefined;
}
