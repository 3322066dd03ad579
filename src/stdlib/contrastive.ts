// The contrastive loss, its learnable temperature, and loss-weight schedules.
//
// infonce(a, b, scale) is the symmetric cross-entropy over the batch similarity matrix
// scale·a·bᵀ whose targets are the diagonal (row i of `a` pairs with row i of `b`),
// averaged over both directions, as CLIP trains. Inputs are expected to be L2-normalized.
import type { IrBuilder, LossWeight, ValueId } from '../ir/index.js';
import { defineBlock, requireInput } from './block.js';
import { BlockError } from './options.js';
import type { OptionSpec } from './options.js';

/** Cross-entropy with diagonal targets along `axis` of a square logits matrix, averaged over the other axis. */
function diagonalCrossEntropy(b: IrBuilder, logits: ValueId, eye: ValueId, axis: number, name: string): ValueId {
  const logProbs = b.logSoftmax(logits, axis, { name: `${name}.log_softmax` });
  const picked = b.reduceSum(b.mul(eye, logProbs, { name: `${name}.pick` }), [axis], false, { name: `${name}.target` });
  return b.neg(b.reduceMean(picked, [0], false, { name: `${name}.mean` }), { name });
}

/** Emits the symmetric InfoNCE loss of two [batch, dim] embeddings; `scale` is a scalar value. */
export function infonceValue(b: IrBuilder, a: ValueId, other: ValueId, scale: ValueId): ValueId {
  const similarity = b.matmul(a, b.transpose(other, [1, 0], { name: 'infonce.t' }), { name: 'infonce.similarity' });
  const logits = b.mul(similarity, scale, { name: 'infonce.logits' });
  const eye = b.eyeLike(logits, { name: 'infonce.targets' });
  const rows = diagonalCrossEntropy(b, logits, eye, 1, 'infonce.a_to_b');
  const cols = diagonalCrossEntropy(b, logits, eye, 0, 'infonce.b_to_a');
  return b.mul(b.add(rows, cols, { name: 'infonce.sum' }), b.scalar(0.5), { name: 'infonce' });
}

export interface LearnableScaleOptions {
  /** Parameter name; `logit_scale` as CLIP checkpoints name it. */
  name?: string;
  /** Initial scale (not its logarithm); CLIP starts at 1/0.07. */
  init: number;
  /** Upper bound on the scale; CLIP uses 100. */
  max?: number;
  /**
   * 'step' clamps the stored logarithm after each optimizer step (CLIP's training loop);
   * 'forward' clamps it in the forward pass and leaves the parameter free.
   */
  clamp?: 'step' | 'forward';
}

/** Creates the learnable log-scale parameter and returns the scalar value exp(log-scale). */
export function learnableScale(b: IrBuilder, options: LearnableScaleOptions): ValueId {
  if (!(options.init > 0)) throw new BlockError('learnable', `The initial scale must be positive, got ${options.init}.`, 'init');
  const logScale = b.param({ name: options.name ?? 'logit_scale', shape: [], axisNames: [], role: 'no_decay', init: { kind: 'constant', value: Math.log(options.init) } });
  const max = options.max === undefined ? undefined : Math.log(options.max);
  if (max === undefined) return b.exp(logScale, { name: 'scale' });
  if (options.clamp === 'forward') return b.exp(b.clip(logScale, undefined, max, { name: 'scale.clamp' }), { name: 'scale' });
  b.clamp(logScale, undefined, max);
  return b.exp(logScale, { name: 'scale' });
}

export const infonce = defineBlock<{ scale: number }>({
  name: 'infonce',
  doc: 'Symmetric InfoNCE: the mean of the cross-entropies of scale·a·bᵀ and its transpose against the diagonal.',
  options: { scale: { type: 'number', default: 1, min: 0, doc: 'constant scale, used when no scale input is given' } },
  inputs: [
    { name: 'a', type: 'f32[batch, dim]', doc: 'normalized embeddings, for example images' },
    { name: 'b', type: 'f32[batch, dim]', doc: 'normalized embeddings paired row by row with a' },
    { name: 'scale', type: 'f32[]', optional: true, doc: 'scalar scale, for example exp(logit_scale)' },
  ],
  outputs: [{ name: 'loss', type: 'f32[]', doc: 'the loss' }],
  expand(b, o, inputs) {
    const a = requireInput('infonce', inputs, 'a');
    const other = requireInput('infonce', inputs, 'b');
    const scale = inputs['scale'] ?? b.scalar(o.scale, { name: 'infonce.scale' });
    return { loss: infonceValue(b, a, other, scale) };
  },
});

/** Makes a loss weight that ramps linearly from `from` to `to` over `steps` optimizer steps, then stays constant. */
export function warmup(from: number, to: number, steps: number): LossWeight {
  if (!Number.isInteger(steps) || steps < 1) throw new BlockError('warmup', `'warmup' needs a positive whole number of steps, got ${steps}.`, 'steps');
  if (from < 0 || to < 0) throw new BlockError('warmup', `Loss weights must not be negative, got ${from} -> ${to}.`);
  return { kind: 'warmup', from, to, steps };
}

export interface ScheduleDef {
  name: string;
  doc: string;
  options: Record<string, OptionSpec>;
  make(options: Record<string, number>): LossWeight;
}

/** Loss-weight schedules by name; their options are validated like block options. */
export const SCHEDULES: Readonly<Record<string, ScheduleDef>> = {
  warmup: {
    name: 'warmup',
    doc: 'Linear ramp of a loss weight over the first optimizer steps, then constant.',
    options: {
      from: { type: 'number', default: 0, min: 0, doc: 'weight at step 0' },
      to: { type: 'number', min: 0, doc: 'weight from the end of the ramp on' },
      steps: { type: 'int', min: 1, doc: 'length of the ramp in optimizer steps' },
    },
    make: (o) => warmup(o['from']!, o['to']!, o['steps']!),
  },
};
