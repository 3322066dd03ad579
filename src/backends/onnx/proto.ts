// The ONNX protobuf classes from `onnx-proto` and the numeric enums the emitter uses.
// `onnx-proto` is a CommonJS package. It is loaded with `require`, because an ESM import makes
// Node 20 first scan its large generated source for named exports (about 50 ms more CPU time).
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';

const onnxProto = createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto;

export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** TensorProto.DataType values. */
export const ElementType = {
  float: 1,
  int32: 6,
  int64: 7,
  bool: 9,
} as const;

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
} as const;

/** TensorProto.DataLocation value for tensors stored in an external file. */
export const EXTERNAL_DATA_LOCATION = 1;
