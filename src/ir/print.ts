// A deterministic text listing of an IR module, for golden tests, `tierc explain` and
// debugging. The same module always prints the same bytes: attributes are sorted by key,
// numbers use JavaScript's shortest round-trip form, and nothing depends on the host.
//
//   %12 = matmul %10, %11 : f32[batch, token, dim:128]  # text.proj @ tier_cxr.tier:21
//
// An axis prints as its size, prefixed by `name:` when it has a name that differs from the size.
import type { Span } from '../diagnostics/types.js';
import type { Axis, Initializer, IrModule, LossWeight, Node, OpAttrs, Param, TensorType } from './types.js';

/** Constants with more values than this print the first few and a count. */
const MAX_CONSTANT_VALUES = 8;

function formatAxis(axis: Axis): string {
  const size = String(axis.size);
  return axis.name && axis.name !== size ? `${axis.name}:${size}` : size;
}

/** Formats a type with axis names: `f32[batch, token, dim:128]`. */
export function formatNamedType(type: TensorType): string {
  return `${type.dtype}[${type.axes.map(formatAxis).join(', ')}]`;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/** Orders keys by UTF-16 code units, independent of the host locale. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function formatAttrs(attrs: object): string {
  const entries = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => compareKeys(a, b));
  if (entries.length === 0) return '';
  return ` {${entries.map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
}

function formatSpan(span: Span): string {
  return `${span.file}:${span.start.line}`;
}

function formatInit(init: Initializer): string {
  const { kind, ...rest } = init;
  const args = Object.entries(rest).sort(([a], [b]) => compareKeys(a, b)).map(([k, v]) => `${k}=${formatValue(v)}`);
  return args.length > 0 ? `${kind}(${args.join(', ')})` : kind;
}

function formatWeight(weight: LossWeight): string {
  if (weight.kind === 'constant') return String(weight.value);
  return `warmup(from=${weight.from}, to=${weight.to}, steps=${weight.steps})`;
}

function formatParam(param: Param, index: number): string {
  const type = formatNamedType({ dtype: param.dtype, axes: param.shape.map((size, i) => ({ name: param.axisNames[i] ?? '', size })) });
  const parts = [`#${index} ${param.name}: ${type}`, param.role, param.trainable ? 'trainable' : 'frozen', `init=${formatInit(param.init)}`, `component=${param.component}`];
  if (param.pretrained) parts.push(`pretrained=${param.pretrained.file}:${param.pretrained.tensor}`);
  if (param.allowUnused) parts.push('unused-ok');
  return parts.join('  ');
}

function formatNode(node: Node, id: number, module: IrModule): string {
  let rhs: string;
  if (node.op === 'input') {
    const index = (node.attrs as OpAttrs['input']).input;
    rhs = `input #${index} '${module.inputs[index]?.name ?? '?'}'`;
  } else if (node.op === 'param') {
    rhs = `param #${(node.attrs as OpAttrs['param']).param}`;
  } else if (node.op === 'constant') {
    const { values } = node.attrs as OpAttrs['constant'];
    const shown = values.slice(0, MAX_CONSTANT_VALUES).map(String).join(', ');
    const more = values.length > MAX_CONSTANT_VALUES ? `, … ${values.length} values` : '';
    rhs = `constant [${shown}${more}]`;
  } else {
    const operands = node.inputs.map((v) => `%${v}`).join(', ');
    rhs = `${node.op} ${operands}${formatAttrs(node.attrs)}`;
  }
  const notes = [node.name, node.span ? `@ ${formatSpan(node.span)}` : undefined].filter(Boolean).join(' ');
  return `  %${id} = ${rhs} : ${formatNamedType(node.type)}${notes ? `  # ${notes}` : ''}`;
}

/** Prints the module as a readable SSA listing that ends with a newline. */
export function printModule(module: IrModule): string {
  const lines: string[] = [`module ${module.name}`];
  const section = (title: string, body: string[]): void => {
    if (body.length === 0) return;
    lines.push('', title, ...body);
  };

  section('symbols', module.symbols.map((s) => `  ${s.name}${s.max !== undefined ? ` <= ${s.max}` : ''}`));
  section('inputs', module.inputs.map((input, i) => `  #${i} ${input.name}: ${formatNamedType(input.type)}  role=${input.role}`));
  section('params', module.params.map((p, i) => `  ${formatParam(p, i)}`));
  section('nodes', module.nodes.map((node, id) => formatNode(node, id, module)));
  section('outputs', Object.entries(module.outputs).sort(([a], [b]) => compareKeys(a, b)).map(([name, v]) => `  ${name} = %${v}`));
  section('losses', module.losses.map((l) => `  ${l.name} = %${l.value} * ${formatWeight(l.weight)}${l.span ? `  # @ ${formatSpan(l.span)}` : ''}`));
  section('clamps', module.clamps.map((c) => {
    const name = module.params[c.param]?.name ?? '?';
    return `  #${c.param} ${name} in [${c.min ?? '-inf'}, ${c.max ?? 'inf'}]`;
  }));
  return lines.join('\n') + '\n';
}
