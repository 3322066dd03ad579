// The lowering table: one rule per IR op kind that becomes ONNX nodes. `input`, `param`,
// `constant` and `dropout` are handled by the emitter itself (graph inputs, initializers,
// and an alias in inference).
import type { OpKind } from '../../../ir/types.js';
import { elementwiseRules } from './elementwise.js';
import { nnRules } from './nn.js';
import { reduceRules } from './reduce.js';
import { shapeRules } from './shape.js';
import type { LoweringRule } from './types.js';

export { versionAt, type LowerContext, type LoweringRule, type LoweringVersion, type ValueType } from './types.js';

export const loweringTable: ReadonlyMap<OpKind, LoweringRule> = new Map(
  [...elementwiseRules, ...reduceRules, ...shapeRules, ...nnRules].map((lowering) => [lowering.op, lowering]),
);

/** Op kinds the emitter handles without a rule. */
export const structuralOps: ReadonlySet<OpKind> = new Set<OpKind>(['input', 'param', 'constant', 'dropout']);
