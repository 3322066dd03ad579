// The tensor IR: the one typed program that both backends consume.
//
// A module is a list of single-output nodes in topological order over named-axis tensors,
// plus parameters, graph inputs and named outputs. Every node keeps the span of the spec
// text that produced it. Binary ops broadcast by position (numpy rules, right-aligned);
// the lowering from the checked AST inserts the reshapes and transposes that align named
// axes, so backends never reason about axis names, only about positions. Axis names stay
// in the types for printing, diagnostics and ONNX dimension names.
import type { Span } from '../diagnostics/types.js';

export type DType = 'f32' | 'i32' | 'bool';

/** An axis size: a number, or the name of a free symbol such as `batch` or `token`. */
export type Size = number | string;

export interface Axis {
  name: string;
  size: Size;
}

export interface TensorType {
  dtype: DType;
  axes: Axis[];
}

/** A free size symbol of the module, with its bounds. Free symbols become dynamic ONNX dimensions. */
export interface SymbolDecl {
  name: string;
  /** Inclusive upper bound, for example 128 for `token <= 128`. */
  max?: number;
  span?: Span;
}

/** Index of a node in `IrModule.nodes`; each node defines exactly one value. */
export type ValueId = number;

export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  /** `truncate`, when present, redraws samples outside mean ± truncate·std (tf.truncatedNormal uses 2). */
  | { kind: 'normal'; mean: number; std: number; truncate?: number }
  | { kind: 'uniform'; low: number; high: number }
  /** He (Kaiming) normal with fan-out, as torchvision initializes ResNet convolutions. */
  | { kind: 'kaiming_normal'; fan: 'in' | 'out'; gain: number }
  /** Glorot/Xavier uniform over fan-in + fan-out. */
  | { kind: 'xavier_uniform' }
  /** PyTorch's default for Linear and Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for bias, kaiming_uniform(a=sqrt(5)) for weight. */
  | { kind: 'torch_default'; fanIn: number; role: 'weight' | 'bias' };

export type ParamRole =
  /** Learned by the optimizer unless frozen. */
  | 'weight'
  /** A bias or a normalization scale/shift: learned, but never weight-decayed. */
  | 'no_decay'
  /** Running state such as batch norm mean and variance: not learned, updated in training mode. */
  | 'buffer';

export interface Param {
  /** Dotted name, stable across compilations, used as the checkpoint tensor name: `image.layer1.0.conv1.weight`. */
  name: string;
  dtype: DType;
  /** Concrete shape; parameters never have symbolic sizes. */
  shape: number[];
  /** Axis names for printing, same length as `shape`. */
  axisNames: string[];
  role: ParamRole;
  trainable: boolean;
  init: Initializer;
  /** Path of a checkpoint the spec names for this parameter's component, with the tensor name inside it. */
  pretrained?: { file: string; tensor: string };
  /** Top-level component the parameter belongs to, for counts in `tierc explain`: `image`, `text`, `patch_proj`, … */
  component: string;
  /** Set when the parameter is deliberately not read by any node (the verifier reports unused parameters otherwise). */
  allowUnused?: boolean;
  span?: Span;
}

/** What a graph input carries; backends and data loaders bind inputs by role. */
export type InputRole =
  /** f32[batch, channel, height, width], normalized. */
  | 'image'
  /** i32[batch, token]. */
  | 'token_ids'
  /** f32[batch, token]: 1 for real tokens, 0 for padding. */
  | 'attention_mask'
  /** i32[batch]: position of the pooled token (end of text) per row. */
  | 'pool_index'
  /** f32[] scalar fed by the runtime, for example a scheduled loss weight. */
  | 'scalar';

export interface GraphInput {
  name: string;
  role: InputRole;
  type: TensorType;
}

/** Attributes of each op kind. Axis attributes are positions (non-negative) in the input's axes. */
export interface OpAttrs {
  input: { input: number };
  param: { param: number };
  /** A constant tensor, row-major; a scalar has `shape: []`. `dtype` defaults to f32; bool values are 0 or 1. */
  constant: { values: number[]; shape: number[]; dtype?: DType };

  neg: {}; exp: {}; log: {}; sqrt: {}; reciprocal: {}; abs: {};
  tanh: {}; sigmoid: {}; erf: {}; relu: {};
  /** GELU: `exact` is x·Φ(x) with the erf form; `tanh` is the tanh approximation. */
  gelu: { approximate: 'none' | 'tanh' };

  add: {}; sub: {}; mul: {}; div: {}; pow: {}; maximum: {}; minimum: {};
  /** Comparisons produce bool. */
  greater: {}; equal: {};
  /** where(condition: bool, then, else), broadcasting all three. */
  where: {};
  cast: { to: DType };
  /** Clamp to [min, max]; either bound may be absent. */
  clip: { min?: number; max?: number };

  /** Batched matrix product with numpy semantics: [..., m, k] × [..., k, n] → [..., m, n]. */
  matmul: {};
  reduce_sum: { axes: number[]; keepDims: boolean };
  reduce_mean: { axes: number[]; keepDims: boolean };
  reduce_max: { axes: number[]; keepDims: boolean };
  softmax: { axis: number };
  log_softmax: { axis: number };

  /** New shape; symbolic sizes are allowed and must be recovered from the input at run time, never baked in. */
  reshape: { shape: Size[] };
  transpose: { perm: number[] };
  /** Inserts size-1 axes at the given output positions. */
  unsqueeze: { axes: number[] };
  concat: { axis: number };
  /** Elements [start, end) along one axis; both bounds are concrete and within the axis. */
  slice: { axis: number; start: number; end: number };
  /** Rows of a table: gather(table [n, d], ids i32[...]) → [..., d]. */
  gather: {};
  /**
   * one_hot(indices i32[...], like) → f32[..., n], where n is the size of axis `axis` of `like`.
   * The size may be symbolic (the token axis for end-of-text pooling), so it is read from `like`.
   */
  one_hot: { axis: number };
  /** range_like(x) → i32[n]: 0, 1, …, n-1, where n is the size of axis `axis` of x (possibly symbolic). */
  range_like: { axis: number };
  /** Identity matrix shaped like a square 2-D input. */
  eye_like: {};

  /** NCHW convolution; inputs x, weight [out, in/groups, kh, kw] and an optional bias [out]. */
  conv2d: { strides: [number, number]; pads: [number, number, number, number]; dilations: [number, number]; groups: number };
  max_pool2d: { kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number] };
  /** Batch norm over axis 1 of an [N, C, ...] input (rank 2 to 4): inputs x, scale, bias, running mean, running var (params). */
  batch_norm: { eps: number; momentum: number };
  /** Layer norm over the trailing axes from `axis` on: inputs x, scale, bias (bias may be omitted). */
  layer_norm: { axis: number; eps: number };
  /** Inverted dropout in training mode; identity in inference. */
  dropout: { rate: number };
}

export type OpKind = keyof OpAttrs;

export interface Node<K extends OpKind = OpKind> {
  op: K;
  inputs: ValueId[];
  attrs: OpAttrs[K];
  type: TensorType;
  /** A readable name for printing and ONNX node names, for example `text.layers.3.attn.scores`. */
  name?: string;
  span?: Span;
}

export type LossWeight =
  | { kind: 'constant'; value: number }
  /** Linear ramp from `from` to `to` over `steps` optimizer steps, then constant. */
  | { kind: 'warmup'; from: number; to: number; steps: number };

export interface LossTerm {
  name: string;
  /** A scalar f32 value: the unweighted term. */
  value: ValueId;
  weight: LossWeight;
  span?: Span;
}

/** A learnable scalar that the optimizer clamps after each step, as CLIP does for its logit scale. */
export interface ParamClamp {
  param: number;
  min?: number;
  max?: number;
}

export interface IrModule {
  /** The spec's model name. */
  name: string;
  symbols: SymbolDecl[];
  inputs: GraphInput[];
  params: Param[];
  nodes: Node[];
  /**
   * Named values other code refers to. Conventional names: `image_embedding` [batch, dim],
   * `patch_embeddings` [batch, patch, dim], `text_embedding` [batch, dim],
   * `token_embeddings` [batch, token, dim], `similarity` [batch, token, patch], and every
   * `let` of the spec under its own name.
   */
  outputs: Record<string, ValueId>;
  losses: LossTerm[];
  clamps: ParamClamp[];
}
