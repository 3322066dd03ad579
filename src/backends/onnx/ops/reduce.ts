// Lowering of matmul, reductions and softmax. ReduceSum takes its axes as an input from
// opset 13; ReduceMean and ReduceMax take them as an attribute before opset 18 and as an
// input from 18. Softmax and LogSoftmax use the single-axis semantics of opset 13.
import type { OnnxGraph } from '../graph.js';
import { rule, type LoweringRule } from './types.js';

/** Emits ReduceMean or ReduceMax over `axes` in the form `opset` requires. */
export function reduceWithAxes(graph: OnnxGraph, opType: 'ReduceMean' | 'ReduceMax', x: string, axes: number[], keepDims: boolean): string {
  const keepdims = keepDims ? 1 : 0;
  if (graph.opset >= 18) return graph.node(opType, [x, graph.ints(axes)], { keepdims });
  return graph.node(opType, [x], { axes, keepdims });
}

const matmul = rule('matmul', { since: 13, emits: ['MatMul'], lower: (c) => c.graph.node('MatMul', c.inputs) });

const reduceSum = rule('reduce_sum', {
  since: 13,
  emits: ['ReduceSum', 'Identity'],
  lower: (c) => {
    // An empty axes input would reduce every axis; the IR's empty list reduces none.
    if (c.attrs.axes.length === 0) return c.graph.node('Identity', c.inputs);
    return c.graph.node('ReduceSum', [c.inputs[0]!, c.graph.ints(c.attrs.axes)], { keepdims: c.attrs.keepDims ? 1 : 0 });
  },
});

function reduceRule(op: 'reduce_mean' | 'reduce_max', opType: 'ReduceMean' | 'ReduceMax'): LoweringRule {
  const lower = (c: Parameters<LoweringRule<'reduce_mean'>['versions'][number]['lower']>[0]): string => {
    if (c.attrs.axes.length === 0) return c.graph.node('Identity', c.inputs);
    return reduceWithAxes(c.graph, opType, c.inputs[0]!, c.attrs.axes, c.attrs.keepDims);
  };
  return rule(op, { since: 13, emits: [opType, 'Identity'], lower }, { since: 18, emits: [opType, 'Identity'], lower }) as LoweringRule;
}

const softmax = rule('softmax', { since: 13, emits: ['Softmax'], lower: (c) => c.graph.node('Softmax', c.inputs, { axis: c.attrs.axis }) });

const logSoftmax = rule('log_softmax', {
  since: 13,
  emits: ['LogSoftmax'],
  lower: (c) => c.graph.node('LogSoftmax', c.inputs, { axis: c.attrs.axis }),
});

export const reduceRules: LoweringRule[] = [
  matmul,
  reduceSum,
  reduceRule('reduce_mean', 'ReduceMean'),
  reduceRule('reduce_max', 'ReduceMax'),
  softmax,
  logSoftmax,
] as LoweringRule[];
