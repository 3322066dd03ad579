// The spec hash: a fingerprint of what decides a model's trained function and its checkpoint
// layout. Checkpoints record it, and loading a checkpoint into another model is rejected by it.
// This module imports no TensorFlow.js, so that ONNX compilation can hash without loading it.
import { createHash } from 'node:crypto';
import type { IrModule } from './types.js';

/**
 * SHA-256 over what decides the trained function and the checkpoint layout: parameters (with
 * their initializers and which ones train), inputs, nodes (temperatures and other constants
 * included), loss terms with their weights and weight schedules, and clamps. Spans and node names
 * do not count.
 */
export function specHash(module: IrModule): string {
  const content = JSON.stringify({
    params: module.params.map((p) => [p.name, p.dtype, p.shape, p.role, p.trainable, p.init]),
    inputs: module.inputs.map((i) => [i.name, i.role, i.type]),
    nodes: module.nodes.map((n) => [n.op, n.inputs, n.attrs]),
    losses: module.losses.map((l) => [l.name, l.value, l.weight]),
    clamps: module.clamps.map((c) => [c.param, c.min ?? null, c.max ?? null]),
  });
  return createHash('sha256').update(content).digest('hex');
}
