// Helpers for the ONNX backend's tests: compile a model and decode the graphs it produced.
import { compileOnnx, type OnnxCompileOptions } from '../../../src/backends/onnx/index.js';
import { decodeModel } from '../../../src/backends/onnx/dump.js';
import type { OnnxTypes } from '../../../src/backends/onnx/proto.js';
import type { IrModule } from '../../../src/ir/types.js';
import { weightsFor } from './models.js';

export type Model = OnnxTypes.ModelProto;

/** Compiles and decodes; fails the test with the diagnostics when compilation reports an error. */
export function compileModels(module: IrModule, options: Partial<OnnxCompileOptions> & Pick<OnnxCompileOptions, 'graphs'>): Map<string, Model> {
  const result = compileOnnx(module, { weights: weightsFor(module), ...options });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  return new Map(result.files.filter((f) => f.name.endsWith('.onnx')).map((f) => [f.name.replace(/\.onnx$/, ''), decodeModel(f.bytes)]));
}

export function opTypes(model: Model): string[] {
  return (model.graph!.node ?? []).map((node) => node.opType!);
}

export function countOps(model: Model, opType: string): number {
  return opTypes(model).filter((op) => op === opType).length;
}

/** Values of an int64 initializer, or undefined when `name` is not one. */
export function int64Initializer(model: Model, name: string): number[] | undefined {
  const tensor = (model.graph!.initializer ?? []).find((t) => t.name === name);
  if (!tensor || tensor.dataType !== 7) return undefined;
  const raw = tensor.rawData!;
  return Array.from(new BigInt64Array(Uint8Array.from(raw).buffer), Number);
}

export function dimsOf(info: OnnxTypes.IValueInfoProto): (number | string)[] {
  return info.type!.tensorType!.shape!.dim!.map((dim) => dim.dimParam || Number(dim.dimValue));
}

export function attribute(node: OnnxTypes.INodeProto, name: string): OnnxTypes.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}
