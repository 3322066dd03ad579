// `explain`: what a spec means after checking, as data. Every named value with its shape and
// source line, every block option with the value used (defaults marked), parameter counts per
// component (total and trainable) and forward FLOPs at a given batch size and token count.
import type { SpecConfigs } from './config/index.js';
import { check, type CheckReport, type SpecInput } from './compile.js';
import { countFlops, countParams } from './ir/index.js';
import type { LoweredModel } from './lower/index.js';

export interface ExplainOptions {
  /** Batch size for FLOPs; default 1. */
  batch?: number;
  /** Token count for FLOPs; default the token axis bound, else 128. */
  tokens?: number;
}

export interface ExplainedValue {
  name: string;
  kind: 'let' | 'param' | 'encoder output' | 'loss';
  dtype: string;
  /** Axis names, or sizes for unnamed axes: ['batch', 'token', 'patch']. */
  shape: Array<string | number>;
  /** Axis sizes: numbers, or symbols such as 'batch'. */
  sizes: Array<string | number>;
  file: string;
  line: number;
}

export interface ExplainedComponent {
  name: string;
  /** Learnable elements (frozen included, running statistics excluded). */
  params: number;
  trainable: number;
  /** Forward FLOPs of the nodes named under this component. */
  flops: number;
}

export interface ExplainedModel {
  name: string;
  parameters: Record<string, unknown>;
  inputs: Array<{ name: string; role: string; dtype: string; shape: Array<string | number> }>;
  outputs: string[];
  losses: Array<{ name: string; weight: string }>;
  values: ExplainedValue[];
  options: Array<{ component: string; block: string; options: Record<string, { value: unknown; default: boolean }> }>;
  components: ExplainedComponent[];
  total: { params: number; trainable: number; flops: number };
  /** The sizes FLOPs were counted at. */
  flopSizes: Record<string, number>;
}

export interface ExplainReport {
  ok: boolean;
  check: CheckReport;
  models: ExplainedModel[];
  configs: SpecConfigs | undefined;
}

export function explain(input: SpecInput, options: ExplainOptions = {}): ExplainReport {
  const checked = check(input);
  return { ok: checked.ok, check: checked, models: checked.models.map((model) => explainModel(model, options)), configs: checked.configs };
}

function explainModel(model: LoweredModel, options: ExplainOptions): ExplainedModel {
  const module = model.module;
  const sizes: Record<string, number> = {};
  for (const symbol of module.symbols) {
    if (symbol.name === 'batch') sizes[symbol.name] = options.batch ?? 1;
    else if (symbol.name === 'token') sizes[symbol.name] = options.tokens ?? symbol.max ?? 128;
    else sizes[symbol.name] = symbol.max ?? 1;
  }
  const params = countParams(module);
  const flops = countFlops(module, sizes);
  const names = new Set([...Object.keys(params.components), ...Object.keys(flops.byComponent).filter((name) => name !== '')]);
  const components = [...names].map((name) => ({
    name,
    params: params.components[name]?.total ?? 0,
    trainable: params.components[name]?.trainable ?? 0,
    flops: flops.byComponent[name] ?? 0,
  }));
  return {
    name: model.name,
    parameters: model.parameters,
    inputs: module.inputs.map((input) => ({ name: input.name, role: input.role, dtype: input.type.dtype, shape: input.type.axes.map((axis) => axis.size) })),
    outputs: Object.keys(module.outputs),
    losses: module.losses.map((loss) => ({
      name: loss.name,
      weight: loss.weight.kind === 'constant' ? String(loss.weight.value) : `warmup(${loss.weight.from} -> ${loss.weight.to}, steps: ${loss.weight.steps})`,
    })),
    values: model.named.map((named) => ({
      name: named.name,
      kind: named.kind,
      dtype: named.value.type.dtype,
      shape: named.value.type.axes.map((axis) => (axis.name !== '' ? axis.name : axis.size)),
      sizes: named.value.type.axes.map((axis) => axis.size),
      file: named.span.file,
      line: named.span.start.line,
    })),
    options: model.components.map((component) => ({
      component: component.component,
      block: component.block,
      options: Object.fromEntries(Object.entries(component.options).map(([key, option]) => [key, { value: option.value, default: !option.written }])),
    })),
    components,
    total: { params: params.total, trainable: params.trainable, flops: flops.total },
    flopSizes: sizes,
  };
}
