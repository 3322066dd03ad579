// Builders for the encoder tests: each declares the inputs a spec would and expands one block.
import { IrBuilder } from '../../src/ir/index.js';
import type { ValueId } from '../../src/ir/index.js';
import { STDLIB_BLOCKS, expandBlock } from '../../src/stdlib/index.js';

export function imageInput(b: IrBuilder, channels: number, size: number): ValueId {
  if (!b.symbolDecl('batch')) b.symbol('batch');
  return b.input('image', 'image', {
    dtype: 'f32',
    axes: [{ name: 'batch', size: 'batch' }, { name: 'channel', size: channels }, { name: 'height', size }, { name: 'width', size }],
  });
}

export function tokenInput(b: IrBuilder, maxTokens: number): ValueId {
  if (!b.symbolDecl('batch')) b.symbol('batch');
  b.symbol('token', maxTokens);
  return b.input('token_ids', 'token_ids', { dtype: 'i32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }] });
}

/** Expands a standard block inside a scope tagged as its own component. */
export function expandIn(b: IrBuilder, scope: string, block: string, options: Record<string, unknown>, inputs: Record<string, ValueId>): Record<string, ValueId> {
  return b.scope(scope, () => expandBlock(b, STDLIB_BLOCKS[block]!, options, inputs), { component: scope });
}
