// Compile-time evaluation for inference graphs: which values are constants (IR constants,
// parameters, and anything computed only from them), which convolutions absorb the batch
// norm that follows them, and which 2-D MatMul + Add pairs become one Gemm.
import { evaluateNode, type Tensor } from '../../ir/interpret.js';
import type { IrModule, OpAttrs, ValueId } from '../../ir/types.js';

/**
 * A folded value derived from a parameter that is also read at run time stores that
 * parameter's data twice, so above this many elements the fold is skipped. Small results
 * such as exp(logit_scale) are always folded.
 */
const DUPLICATE_FOLD_LIMIT = 4096;

/**
 * The values known at compile time. Each is computed on first request, so a parameter that
 * goes straight into the graph is never copied to float64.
 */
export class KnownValues {
  private readonly values = new Map<ValueId, Tensor>();

  constructor(
    private readonly module: IrModule,
    private readonly ids: ReadonlySet<ValueId>,
    private readonly weights: ReadonlyMap<string, ArrayLike<number>>,
  ) {}

  has(id: ValueId): boolean {
    return this.ids.has(id);
  }

  get(id: ValueId): Tensor | undefined {
    if (!this.ids.has(id)) return undefined;
    let value = this.values.get(id);
    if (!value) {
      const node = this.module.nodes[id]!;
      value = evaluateNode(this.module, node, node.inputs.map((input) => this.get(input)!), this.weights);
      this.values.set(id, value);
    }
    return value;
  }

  /**
   * Describes how a value is derived from one parameter through reshapes and transposes, such as
   * `transpose[1,0](param:text.proj.weight)`; undefined for any other value. Equal descriptions
   * mean equal values, so they identify shared initializers without hashing the data.
   */
  derivation(id: ValueId): string | undefined {
    if (!this.ids.has(id)) return undefined;
    const node = this.module.nodes[id]!;
    if (node.op === 'param') return `param:${this.module.params[(node.attrs as OpAttrs['param']).param]!.name}`;
    if (node.op !== 'reshape' && node.op !== 'transpose') return undefined;
    const input = this.derivation(node.inputs[0]!);
    if (input === undefined) return undefined;
    const shape = node.type.axes.map((axis) => axis.size).join(',');
    return node.op === 'reshape' ? `reshape[${shape}](${input})` : `transpose[${(node.attrs as OpAttrs['transpose']).perm.join(',')}](${input})`;
  }

  /**
   * Returns an f32 value as float32. A parameter comes back as stored, and a reshape or a
   * matrix transpose of such a value is rearranged in float32. That gives the interpreter's
   * numbers without its float64 copies. Other values are converted from the interpreter's result.
   */
  float32(id: ValueId): Float32Array | undefined {
    if (!this.ids.has(id)) return undefined;
    const cached = this.values.get(id);
    if (cached) return Float32Array.from(cached.data);
    const node = this.module.nodes[id]!;
    if (node.op === 'param') {
      const data = this.weights.get(this.module.params[(node.attrs as OpAttrs['param']).param]!.name);
      if (data instanceof Float32Array) return data;
    } else if (node.op === 'reshape') {
      const input = this.float32(node.inputs[0]!);
      if (input) return input;
    } else if (node.op === 'transpose') {
      const [rows, columns] = this.module.nodes[node.inputs[0]!]!.type.axes.map((axis) => axis.size);
      const perm = (node.attrs as OpAttrs['transpose']).perm;
      const matrix = perm.length === 2 && perm[0] === 1 && typeof rows === 'number' && typeof columns === 'number';
      const input = matrix ? this.float32(node.inputs[0]!) : undefined;
      if (input) return transposeMatrix(input, rows as number, columns as number);
    }
    return Float32Array.from(this.get(id)!.data);
  }
}

/** Transposes a row-major float32 matrix [rows, columns], in tiles that stay in cache. */
function transposeMatrix(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  const tile = 32;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(r0 + tile, rows);
    for (let c0 = 0; c0 < columns; c0 += tile) {
      const c1 = Math.min(c0 + tile, columns);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * columns + c]!;
      }
    }
  }
  return out;
}

export interface FoldPlan {
  /** Values known at compile time. */
  known: KnownValues;
  /** Batch norm nodes that are emitted as a Conv with folded weight and bias. */
  convBatchNorm: Map<ValueId, { conv: ValueId; weight: Tensor; bias: Tensor }>;
  /** Add nodes emitted as Gemm(matmul inputs..., bias); a first input of rank 3 or more is flattened to 2-D around the Gemm. */
  gemm: Map<ValueId, { matmul: ValueId; bias: ValueId }>;
  /** Transposes of a transpose, emitted as one Transpose of the inner input with the composed permutation. */
  transposes: Map<ValueId, { input: ValueId; perm: number[] }>;
  /** Nodes absorbed by a fusion, emitted as nothing. */
  absorbed: Set<ValueId>;
}

export function planFolding(
  module: IrModule,
  needed: ReadonlySet<ValueId>,
  outputs: ReadonlySet<ValueId>,
  weights: ReadonlyMap<string, ArrayLike<number>>,
): FoldPlan {
  const consumers = consumersOf(module, needed);
  const blocked = new Set<ValueId>();
  let known = foldKnown(module, needed, blocked);
  // Unfold large parameter-derived values whose parameter is also read at run time.
  for (;;) {
    const before = blocked.size;
    for (const users of paramConsumers(module, needed, consumers).values()) {
      const live = users.some((user) => !known.has(user));
      if (!live) continue;
      for (const user of users) {
        if (known.has(user) && elementCount(module, user) > DUPLICATE_FOLD_LIMIT) blocked.add(user);
      }
    }
    if (blocked.size === before) break;
    known = foldKnown(module, needed, blocked);
  }

  const plan: FoldPlan = { known: new KnownValues(module, known, weights), convBatchNorm: new Map(), gemm: new Map(), transposes: new Map(), absorbed: new Set() };
  const params = paramConsumers(module, needed, consumers);
  const soleUse = (producer: ValueId, user: ValueId): boolean => {
    const users = consumers.get(producer) ?? [];
    return users.length === 1 && users[0] === user && !outputs.has(producer);
  };
  // In node order, so that a chain of transposes is composed from its start.
  for (const id of [...needed].sort((a, b) => a - b)) {
    const node = module.nodes[id]!;
    if (known.has(id)) continue;
    if (node.op === 'batch_norm') planConvBatchNorm(module, id, plan, soleUse, params);
    if (node.op === 'add') planGemm(module, id, plan, soleUse);
    if (node.op === 'transpose') planTransposePair(module, id, plan, soleUse);
  }
  return plan;
}

function consumersOf(module: IrModule, needed: ReadonlySet<ValueId>): Map<ValueId, ValueId[]> {
  const consumers = new Map<ValueId, ValueId[]>();
  for (const id of needed) {
    for (const input of module.nodes[id]!.inputs) {
      const users = consumers.get(input) ?? [];
      if (!users.includes(id)) users.push(id);
      consumers.set(input, users);
    }
  }
  return consumers;
}

/** For each parameter index, every node that reads it through any of its `param` nodes. */
function paramConsumers(module: IrModule, needed: ReadonlySet<ValueId>, consumers: Map<ValueId, ValueId[]>): Map<number, ValueId[]> {
  const result = new Map<number, ValueId[]>();
  for (const id of needed) {
    const node = module.nodes[id]!;
    if (node.op !== 'param') continue;
    const index = (node.attrs as OpAttrs['param']).param;
    result.set(index, [...(result.get(index) ?? []), ...(consumers.get(id) ?? [])]);
  }
  return result;
}

/** Marks every node computed only from constants and parameters, except the blocked ones. */
function foldKnown(module: IrModule, needed: ReadonlySet<ValueId>, blocked: ReadonlySet<ValueId>): Set<ValueId> {
  const known = new Set<ValueId>();
  for (let id = 0; id < module.nodes.length; id++) {
    if (!needed.has(id) || blocked.has(id)) continue;
    const node = module.nodes[id]!;
    if (node.op === 'input') continue;
    if (node.inputs.every((input) => known.has(input))) known.add(id);
  }
  return known;
}

/** Counts the elements of a value; a symbolic size (never on a compile-time value) counts as infinite. */
function elementCount(module: IrModule, id: ValueId): number {
  return module.nodes[id]!.type.axes.reduce((n, axis) => n * (typeof axis.size === 'number' ? axis.size : Infinity), 1);
}

/** conv → batch_norm with nothing between: scale each output channel's weights and fold the shift into the bias. */
function planConvBatchNorm(module: IrModule, id: ValueId, plan: FoldPlan, soleUse: (producer: ValueId, user: ValueId) => boolean, params: Map<number, ValueId[]>): void {
  const node = module.nodes[id]!;
  const [convId, scaleId, shiftId, meanId, varianceId] = node.inputs as [number, number, number, number, number];
  const conv = module.nodes[convId]!;
  if (conv.op !== 'conv2d' || plan.known.has(convId) || !soleUse(convId, id)) return;
  const [, weightId, biasId] = conv.inputs as [number, number, number | undefined];
  const inputs = [weightId, scaleId, shiftId, meanId, varianceId, ...(biasId === undefined ? [] : [biasId])];
  if (!inputs.every((input) => plan.known.has(input))) return;

  // The folded weight replaces the original only when nothing else reads the original.
  const weightNode = module.nodes[weightId]!;
  if (weightNode.op === 'param') {
    const users = params.get((weightNode.attrs as OpAttrs['param']).param) ?? [];
    if (users.some((user) => user !== convId)) return;
  } else if (!soleUse(weightId, convId)) {
    return;
  }

  const weight = plan.known.get(weightId)!;
  const [scale, shift, mean, variance] = [scaleId, shiftId, meanId, varianceId].map((input) => plan.known.get(input)!.data);
  const eps = (node.attrs as OpAttrs['batch_norm']).eps;
  const channels = weight.shape[0]!;
  const perChannel = weight.data.length / channels;
  const foldedWeight = new Float64Array(weight.data.length);
  const foldedBias = new Float64Array(channels);
  for (let o = 0; o < channels; o++) {
    const factor = scale![o]! / Math.sqrt(variance![o]! + eps);
    for (let i = 0; i < perChannel; i++) foldedWeight[o * perChannel + i] = weight.data[o * perChannel + i]! * factor;
    const bias = biasId === undefined ? 0 : plan.known.get(biasId)!.data[o]!;
    foldedBias[o] = (bias - mean![o]!) * factor + shift![o]!;
  }

  plan.convBatchNorm.set(id, {
    conv: convId,
    weight: { shape: weight.shape.slice(), data: foldedWeight },
    bias: { shape: [channels], data: foldedBias },
  });
  plan.absorbed.add(convId);
}

/** transpose(transpose(x, inner), outer) becomes transpose(x, p) with p[i] = inner[outer[i]] when nothing else reads the inner one. */
function planTransposePair(module: IrModule, id: ValueId, plan: FoldPlan, soleUse: (producer: ValueId, user: ValueId) => boolean): void {
  const outer = module.nodes[id]!;
  const innerId = outer.inputs[0]!;
  const inner = module.nodes[innerId]!;
  if (inner.op !== 'transpose' || plan.known.has(innerId) || !soleUse(innerId, id)) return;
  // An inner transpose that is itself the outer one of a pair was planned first, in node order.
  const innerPair = plan.transposes.get(innerId);
  const innerPerm = innerPair ? innerPair.perm : (inner.attrs as OpAttrs['transpose']).perm;
  const outerPerm = (outer.attrs as OpAttrs['transpose']).perm;
  plan.transposes.set(id, { input: innerPair ? innerPair.input : inner.inputs[0]!, perm: outerPerm.map((axis) => innerPerm[axis]!) });
  plan.absorbed.add(innerId);
}

/**
 * add(matmul(a, b), c), whose product nothing else reads, becomes Gemm(a, b, c) when a and b are
 * 2-D. With a of rank 3 or more and b a 2-D compile-time value (a weight), it becomes a Gemm on
 * a flattened to [rows, K] when c is a vector [N]; the emitter reshapes around it. onnxruntime
 * (1.31, CPU) keeps a 3-D MatMul and its bias Add as two kernels, so the separate pass over the
 * output for the Add is saved.
 */
function planGemm(module: IrModule, id: ValueId, plan: FoldPlan, soleUse: (producer: ValueId, user: ValueId) => boolean): void {
  const node = module.nodes[id]!;
  const rank = node.type.axes.length;
  if (rank < 2) return;
  for (const [matmulId, biasId] of [[node.inputs[0]!, node.inputs[1]!], [node.inputs[1]!, node.inputs[0]!]] as const) {
    const product = module.nodes[matmulId]!;
    if (product.op !== 'matmul' || plan.known.has(matmulId) || !soleUse(matmulId, id)) continue;
    // Gemm broadcasts C to the product's shape only, so the sum must have that shape.
    if (product.type.axes.some((axis, i) => axis.size !== node.type.axes[i]!.size)) continue;
    const bias = module.nodes[biasId]!;
    if (bias.type.dtype !== 'f32') continue;
    const operandRanks = product.inputs.map((input) => module.nodes[input]!.type.axes.length);
    if (rank === 2) {
      if (operandRanks.some((operandRank) => operandRank !== 2) || bias.type.axes.length > 2) continue;
    } else {
      const [, weightId] = product.inputs as [ValueId, ValueId];
      const columns = node.type.axes[rank - 1]!.size;
      const vector = bias.type.axes.length === 1 && bias.type.axes[0]!.size === columns;
      if (operandRanks[0] !== rank || operandRanks[1] !== 2 || !plan.known.has(weightId) || !vector) continue;
    }
    plan.gemm.set(id, { matmul: matmulId, bias: biasId });
    plan.absorbed.add(matmulId);
    return;
  }
}
