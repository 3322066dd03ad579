// Pieces both text encoders use: the token-length check, the padding mask and learned
// position embeddings looked up for the first `token` positions.
import type { IrBuilder, ValueId } from '../ir/index.js';
import { BlockError } from './options.js';

/**
 * Checks that the token axis of `ids` fits `maxLen` positions: a concrete size or a
 * symbol's declared bound must not exceed it.
 */
export function checkTokenLength(b: IrBuilder, ids: ValueId, maxLen: number, block: string): void {
  const token = b.typeOf(ids).axes[1];
  if (!token) throw new BlockError(block, `'${block}' needs token ids of shape [batch, token].`);
  const bound = typeof token.size === 'number' ? token.size : b.symbolDecl(token.size)?.max;
  // NOTE: a token symbol declared without a bound is accepted; a longer batch then fails at run time in the position lookup.
  if (bound !== undefined && bound > maxLen) {
    throw new BlockError(block, `Token axis '${token.name}' may hold ${bound} positions, but '${block}' has ${maxLen} position embeddings.`, 'max_len');
  }
}

/** f32[batch, token]: 1 where the id differs from `padId`, 0 on padding. */
export function keepMask(b: IrBuilder, ids: ValueId, padId: number): ValueId {
  const isPad = b.equal(ids, b.scalar(padId, { dtype: 'i32', name: 'pad_id' }), { name: 'padding.is_pad' });
  return b.sub(b.scalar(1), b.cast(isPad, 'f32', { name: 'padding.pad' }), { name: 'padding' });
}

/** Rows 0 … token−1 of a [max_len, width] position table, as f32[token, width]. */
export function positionRows(b: IrBuilder, table: ValueId, ids: ValueId): ValueId {
  const positions = b.rangeLike(ids, 1, { name: 'position_ids' });
  return b.gather(table, positions, { name: 'positions' });
}

/** Checks that token ids are i32[batch, token]. */
export function requireTokenIds(b: IrBuilder, ids: ValueId, block: string): void {
  const type = b.typeOf(ids);
  if (type.dtype !== 'i32' || type.axes.length !== 2) {
    throw new BlockError(block, `'${block}' needs token ids of type i32[batch, token].`);
  }
}
