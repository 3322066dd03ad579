// Shape errors from inside a standard-library block are restated in the spec's own names.
import { describe, expect, it } from 'vitest';
import { ShapeError, SHAPE_RULES, type TensorType } from '../../src/ir/index.js';
import { blockShapeMessage } from '../../src/lower/shape_messages.js';
import type { TensorValue } from '../../src/sema/values.js';

const tokens: TensorType = { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }, { name: 'width', size: 32 }] };

function matmulError(left: TensorType, right: TensorType): ShapeError {
  try {
    SHAPE_RULES.matmul([left, right], {}, { inputs: [], params: [] });
  } catch (error) {
    if (error instanceof ShapeError) return error;
    throw error;
  }
  throw new Error('matmul accepted mismatched widths');
}

function value(type: TensorType, label: string): TensorValue {
  return { kind: 'tensor', id: 0 as TensorValue['id'], type, label };
}

describe('block shape messages', () => {
  it('width mismatch names head and widths', () => {
    const weight: TensorType = { dtype: 'f32', axes: [{ name: 'in', size: 64 }, { name: 'out', size: 8 }] };
    const message = blockShapeMessage("Head 'proj'", value(tokens, 'text.tokens'), matmulError(tokens, weight));
    expect(message).toBe("Head 'proj' expects input width 64, but 'text.tokens' has width 32 (shape [batch, token, width=32]).");
    expect(message).not.toContain('matmul');
  });

  it('inner width mismatch names both widths', () => {
    const hidden: TensorType = { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'token', size: 'token' }, { name: 'out', size: 16 }] };
    const weight: TensorType = { dtype: 'f32', axes: [{ name: 'in', size: 8 }, { name: 'out', size: 4 }] };
    const message = blockShapeMessage("'mlp'", value(tokens, 'tokens'), matmulError(hidden, weight));
    expect(message).toBe("'mlp' cannot take 'tokens' of shape [batch, token, width=32]: one of its layers expects width 8 but receives width 16.");
  });

  it('other errors keep the rule message', () => {
    const error = new ShapeError('layer_norm', 'contract', "Operand 1 of 'layer_norm' must have shape [32], got f32[16].", [tokens], '[32]');
    expect(blockShapeMessage("'layernorm'", value(tokens, 'x'), error)).toBe(
      "'layernorm' cannot take 'x' of shape [batch, token, width=32]: Operand 1 of 'layer_norm' must have shape [32], got f32[16]. Expected [32].",
    );
  });
});
