// Lowering of elementwise IR ops: unary maps, GELU (native from opset 20, otherwise the
// exact erf or tanh formula), broadcasting binary ops, comparisons, where, cast and clip.
import type { OpKind } from '../../../ir/types.js';
import { ElementType } from '../proto.js';
import { elementTypeOf } from '../graph.js';
import { rule, type LowerContext, type LoweringRule } from './types.js';

const unaryOps = {
  neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', abs: 'Abs',
  tanh: 'Tanh', sigmoid: 'Sigmoid', erf: 'Erf', relu: 'Relu',
} as const;

const binaryOps = {
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min', greater: 'Greater', equal: 'Equal',
} as const;

function direct<K extends OpKind>(op: K, onnxOp: string): LoweringRule<K> {
  return rule(op, { since: 13, emits: [onnxOp], lower: (c) => c.graph.node(onnxOp, c.inputs) });
}

/** x/2 · (1 + erf(x/√2)), the exact GELU. */
function geluErf(c: LowerContext<'gelu'>): string {
  const g = c.graph;
  const [x] = c.inputs as [string];
  const scaled = g.node('Mul', [x, g.scalar(Math.SQRT1_2)]);
  const shifted = g.node('Add', [g.node('Erf', [scaled]), g.scalar(1)]);
  return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), shifted]);
}

/** x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))). */
function geluTanh(c: LowerContext<'gelu'>): string {
  const g = c.graph;
  const [x] = c.inputs as [string];
  const cube = g.node('Mul', [g.node('Mul', [x, x]), x]);
  const inner = g.node('Add', [x, g.node('Mul', [cube, g.scalar(0.044715)])]);
  const tanh = g.node('Tanh', [g.node('Mul', [inner, g.scalar(Math.sqrt(2 / Math.PI))])]);
  return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [tanh, g.scalar(1)])]);
}

const gelu = rule(
  'gelu',
  {
    since: 13,
    emits: ['Mul', 'Add', 'Erf', 'Tanh'],
    lower: (c) => (c.attrs.approximate === 'tanh' ? geluTanh(c) : geluErf(c)),
  },
  {
    since: 20,
    emits: ['Gelu'],
    lower: (c) => c.graph.node('Gelu', c.inputs, { approximate: c.attrs.approximate }),
  },
);

const where = direct('where', 'Where');

const cast = rule('cast', {
  since: 13,
  emits: ['Cast'],
  lower: (c) => c.graph.node('Cast', c.inputs, { to: ElementType[elementTypeOf(c.attrs.to)] }),
});

/** Clip takes its bounds as optional inputs of the input's type; an absent bound is an empty name. */
const clip = rule('clip', {
  since: 13,
  emits: ['Clip'],
  lower: (c) => {
    const type = c.inputTypes[0]!.dtype === 'f32' ? 'float' : 'int32';
    const bound = (value: number | undefined): string => (value === undefined ? '' : c.graph.constant(type, [], [value]));
    const inputs = [c.inputs[0]!, bound(c.attrs.min)];
    if (c.attrs.max !== undefined) inputs.push(bound(c.attrs.max));
    return c.graph.node('Clip', inputs);
  },
});

export const elementwiseRules: LoweringRule[] = [
  ...Object.entries(unaryOps).map(([op, onnxOp]) => direct(op as keyof typeof unaryOps, onnxOp)),
  ...Object.entries(binaryOps).map(([op, onnxOp]) => direct(op as keyof typeof binaryOps, onnxOp)),
  gelu,
  where,
  cast,
  clip,
] as LoweringRule[];
