// The description of a compiled model that the runtime reads besides its forward function:
// parameters, inputs, loss terms, clamps and the inputs that bind the free sizes. An emitted
// `model.js` exports it as `MODEL`, and the in-memory evaluator builds the same object.
import type * as tf from '@tensorflow/tfjs-core';
import type { Span } from '../diagnostics/types.js';
import type { GraphInput, LossWeight, Param, ParamClamp, SymbolDecl } from '../ir/types.js';
import type { KernelContext } from './kernels/index.js';

export interface SizeBinding {
  symbol: string;
  /** Graph input whose shape contains the size. */
  input: string;
  axis: number;
}

export interface ModelLoss {
  name: string;
  weight: LossWeight;
  span?: Span;
}

export interface ModelInfo {
  name: string;
  /** The spec file the module came from, as given to the compiler. */
  specFile: string;
  /** Hash of the module's parameters and nodes: a checkpoint resumes only into the same model. */
  specHash: string;
  tiercVersion: string;
  symbols: SymbolDecl[];
  inputs: GraphInput[];
  params: Param[];
  losses: ModelLoss[];
  clamps: ParamClamp[];
  sizeBindings: SizeBinding[];
  outputs: string[];
  /** Grouped convolutions, which the tfjs kernels cannot compute. */
  generalConvs: { node: string; weight: string; span?: Span }[];
  /** Rows of the table that token ids index, when the model has one. */
  vocabSize?: number;
  /**
   * Bytes of the forward values a training step keeps for its backward pass and of their
   * gradients, as polynomial coefficients in the batch size: Σ activationBytes[k]·batch^k.
   * Absent from programs compiled before the wasm memory check existed.
   */
  activationBytes?: number[];
}

export interface ForwardResult {
  losses: Record<string, tf.Tensor>;
  outputs: Record<string, tf.Tensor>;
}

export type ForwardFunction = (ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>) => ForwardResult;

/** The model split for exact gradient accumulation of losses that mix rows of the batch. */
export interface SplitForward {
  /** Values the loss part reads: statement targets, or `input:<name>` for graph inputs. All have the batch as axis 0. */
  cut: string[];
  /** Computes the cut values of one micro-batch. */
  rows(ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  /** Computes the loss terms from the cut values of the whole batch. */
  loss(ctx: KernelContext, params: Record<string, tf.Tensor>, cut: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
}

/** A compiled model as the runtime uses it; `import * as model from './model.js'` has this shape. */
export interface CompiledModel {
  MODEL: ModelInfo;
  forward: ForwardFunction;
  /**
   * Computes only the loss terms whose weight is not the constant 0, and only the statements
   * they need (no outputs). The trainer uses it when present; other terms are absent from the result.
   */
  forwardTraining?: (ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>) => Record<string, tf.Tensor>;
  /** Present when the losses can be computed from per-row values (see `SplitForward`). */
  split?: SplitForward;
}

/** Binds the free size symbols from the shapes of this batch's inputs. */
export function bindSizes(ctx: KernelContext, info: ModelInfo, inputs: Record<string, tf.Tensor>): void {
  ctx.sizes.clear();
  for (const binding of info.sizeBindings) {
    const tensor = inputs[binding.input];
    if (tensor === undefined) throw new Error(`Graph input '${binding.input}' is missing from the batch.`);
    ctx.sizes.set(binding.symbol, tensor.shape[binding.axis]!);
  }
}
