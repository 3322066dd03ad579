// The per-call state kernels read: training or inference mode, the sizes bound to the
// module's free symbols for this batch, the embedding form the backend needs, the dropout
// seed, and where batch norm leaves its new running statistics.
import type * as tf from '@tensorflow/tfjs-core';
import type { EmbeddingForm } from './embedding.js';

export interface KernelContext {
  training: boolean;
  /** Sizes of free symbols (`batch`, `token`) for the current batch. */
  sizes: Map<string, number>;
  embeddingForm: EmbeddingForm;
  /** Seed of this step's dropout masks; each dropout call adds its own counter to it. */
  dropoutSeed: number;
  dropoutCalls: number;
  /** New running statistics of batch norm buffers, by parameter name, kept outside tf.tidy. */
  bufferUpdates: Map<string, tf.Tensor>;
}

export function createKernelContext(options: Partial<Omit<KernelContext, 'sizes' | 'bufferUpdates' | 'dropoutCalls'>> = {}): KernelContext {
  return {
    training: options.training ?? false,
    sizes: new Map(),
    embeddingForm: options.embeddingForm ?? 'gather',
    dropoutSeed: options.dropoutSeed ?? 0,
    dropoutCalls: 0,
    bufferUpdates: new Map(),
  };
}

/** Resolves an IR size (a number, a symbol or a product `a*b`) against the bound symbols. */
export function resolveSize(size: number | string, sizes: ReadonlyMap<string, number>): number {
  if (typeof size === 'number') return size;
  let product = 1;
  for (const part of size.split('*')) {
    const name = part.trim();
    const value = /^\d+$/.test(name) ? Number(name) : sizes.get(name);
    if (value === undefined) throw new Error(`Size symbol '${name}' has no value for this batch.`);
    product *= value;
  }
  return product;
}
