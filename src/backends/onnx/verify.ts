// verifyOnnx: compiles graphs in memory, runs them in onnxruntime-node, and compares every
// output with the reference interpreter on the same weights and inputs.
import type * as Ort from 'onnxruntime-node';
import type { Diagnostic } from '../../diagnostics/types.js';
import { interpret, type Tensor, type TensorValue } from '../../ir/interpret.js';
import type { IrModule } from '../../ir/types.js';
import { compileOnnx, type OnnxCompileOptions } from './compile.js';
import { backendDiagnostic } from './diagnostics.js';
import { GRAPH_KINDS, planGraph, type OnnxGraphKind } from './graphs.js';
import { weightArrays } from './weights.js';

export const DEFAULT_TOLERANCE = 1e-4;

export interface OutputComparison {
  graph: OnnxGraphKind;
  output: string;
  shape: number[];
  maxAbsDiff: number;
  /** max |onnx − reference| / max(|reference|, 1e-6) over elements. */
  maxRelDiff: number;
}

export interface VerifyReport {
  comparisons: OutputComparison[];
  /** Errors from compiling, loading or running, and one TIER4030 per output above the tolerance. */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export interface VerifyOptions extends Partial<Omit<OnnxCompileOptions, 'weights'>> {
  /** Maximum absolute difference allowed; default 1e-4. */
  tolerance?: number;
  intraOpThreads?: number;
}

export async function verifyOnnx(module: IrModule, weights: OnnxCompileOptions['weights'], inputs: Record<string, TensorValue>, options: VerifyOptions = {}): Promise<VerifyReport> {
  const graphs = options.graphs ?? GRAPH_KINDS.filter((kind) => kind !== 'zeroshot' || options.zeroshot !== undefined);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const compiled = compileOnnx(module, { ...options, graphs, weights, externalDataThreshold: Infinity });
  const diagnostics = [...compiled.diagnostics];
  const comparisons: OutputComparison[] = [];
  const arrays = weightArrays(weights);
  // The graphs other than zeroshot share the module, so the interpreter runs once for all of them.
  const cache = new Map<IrModule, Record<string, Tensor>>();
  const sharedOutputs = graphs.flatMap((kind) => {
    const plan = planGraph(module, kind, options.zeroshot);
    return Array.isArray(plan) || plan.module !== module ? [] : plan.outputs.map((o) => o.name);
  });
  const referenceOutputs = (planModule: IrModule, names: string[]): Record<string, Tensor> => {
    const wanted = planModule === module ? [...new Set(sharedOutputs)] : names;
    let computed = cache.get(planModule);
    if (!computed) {
      computed = interpret(planModule, { inputs, weights: arrays, mode: 'inference', outputs: wanted });
      cache.set(planModule, computed);
    }
    return computed;
  };
  // Loaded on first use, so that compiling never needs the native runtime.
  const ort = await import('onnxruntime-node');
  for (const file of compiled.files) {
    const kind = file.name.replace(/\.onnx$/, '') as OnnxGraphKind;
    const plan = planGraph(module, kind, options.zeroshot);
    if (Array.isArray(plan)) continue;
    let results: Ort.InferenceSession.OnnxValueMapType;
    try {
      const session = await ort.InferenceSession.create(file.bytes, { intraOpNumThreads: options.intraOpThreads ?? 1, interOpNumThreads: 1 });
      const feeds: Record<string, Ort.Tensor> = {};
      for (const name of session.inputNames) {
        const declared = module.inputs.find((input) => input.name === name);
        const value = inputs[name];
        if (!declared || !value) throw new Error(`input '${name}' of graph '${kind}' is not given`);
        feeds[name] = ortTensor(ort, declared.type.dtype, value, options.integerInputs ?? 'int32');
      }
      results = await session.run(feeds);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      diagnostics.push(backendDiagnostic('TIER4031', `onnxruntime failed on graph '${kind}': ${message.split('\n')[0]}`));
      continue;
    }
    let reference: Record<string, Tensor>;
    try {
      reference = referenceOutputs(plan.module, plan.outputs.map((o) => o.name));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      diagnostics.push(backendDiagnostic('TIER4032', `The reference interpreter cannot evaluate graph '${kind}': ${message}.`));
      continue;
    }
    for (const { name } of plan.outputs) {
      const expected = reference[name]!;
      const actual = results[name]!;
      const comparison = compare(kind, name, expected.shape, expected.data, actual.dims as readonly number[], actual.data as ArrayLike<number>);
      comparisons.push(comparison);
      if (!(comparison.maxAbsDiff <= tolerance)) {
        diagnostics.push(backendDiagnostic('TIER4030', `Output '${name}' of graph '${kind}' differs from the reference interpreter by ${comparison.maxAbsDiff.toExponential(3)}, above the tolerance ${tolerance}.`));
      }
    }
  }
  return { comparisons, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
}

function ortTensor(ort: typeof Ort, dtype: string, value: TensorValue, integerInputs: 'int32' | 'int64'): Ort.Tensor {
  if (dtype === 'f32') return new ort.Tensor('float32', Float32Array.from(value.data), value.shape);
  if (dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(value.data), value.shape);
  if (integerInputs === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(value.data), (v) => BigInt(v)), value.shape);
  return new ort.Tensor('int32', Int32Array.from(value.data), value.shape);
}

function compare(graph: OnnxGraphKind, output: string, shape: number[], expected: ArrayLike<number>, actualShape: readonly number[], actual: ArrayLike<number>): OutputComparison {
  const sameShape = shape.length === actualShape.length && shape.every((dim, i) => dim === actualShape[i]);
  if (!sameShape || expected.length !== actual.length) {
    return { graph, output, shape, maxAbsDiff: Infinity, maxRelDiff: Infinity };
  }
  let maxAbsDiff = 0;
  let maxRelDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(Number(actual[i]) - expected[i]!);
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff);
    maxRelDiff = Math.max(maxRelDiff, diff / Math.max(Math.abs(expected[i]!), 1e-6));
  }
  return { graph, output, shape, maxAbsDiff, maxRelDiff };
}
