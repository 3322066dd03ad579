// The tensor IR: types, the builder with shape inference, the verifier, the printer, counts,
// and the reference interpreter with seeded parameter initialization.
export type * from './types.js';
export { IrBuilder } from './builder.js';
export type { NodeOptions, ParamSpec, ScopeOptions } from './builder.js';
export { SHAPE_RULES, inferType, ShapeError, formatShape, formatType } from './shapes.js';
export type { ShapeContext, ShapeRule, ShapeErrorReason } from './shapes.js';
export { broadcastTypes, sameSize, sizeProduct } from './shape_util.js';
export { verifyModule, assertValidModule } from './verify.js';
export type { IrProblem } from './verify.js';
export { printModule, formatNamedType } from './print.js';
export { countParams, countFlops } from './counts.js';
export type { ParamCount, ParamCounts, FlopCounts } from './counts.js';
export { interpret, evaluateNode, resolveSize, valueDependencies } from './interpret.js';
export type { InterpretOptions, Tensor, TensorData, TensorValue } from './interpret.js';
export { initializeParams, initializeParam } from './init.js';
