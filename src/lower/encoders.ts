// `image encoder = …` and `text encoder = …`: the graph inputs an encoder reads, its expansion
// under the scope `image` or `text`, and its spec-visible outputs with named axes. The image
// input is f32[batch, channel, height, width]; its size comes from the encoder's `image` option,
// else the preprocess pipeline, else 224. Text encoders read token_ids i32[batch, token], plus
// attention_mask f32[batch, token] (bert) or pool_index i32[batch] (clip_text with eot pooling).
import type { EncoderDecl, Expr, NamedArgument } from '../ast/index.js';
import type { Span } from '../diagnostics/types.js';
import { ShapeError, type Size } from '../ir/index.js';
import { BlockError, expandBlock, resolveOptions, type OptionSpec } from '../stdlib/index.js';
import { ENCODERS, STDLIB_BLOCKS, type Modality } from '../sema/stdlib.js';
import { formatAxes, type EncoderValue, type TensorValue } from '../sema/values.js';
import { report, type LowerContext, type Scope } from './context.js';
import { checkLayerCount } from './sharing_builder.js';
import { INVALID, optionValue, problemCode } from './options.js';

/** Options of each component as used, for `tierc explain`. */
export interface ComponentOptions {
  component: string;
  block: string;
  /** Every option of the block with the value used and whether the spec wrote it. */
  options: Record<string, { value: unknown; written: boolean }>;
  span: Span;
}

/** Returns the size of a named axis: the exact size when declared so, else the axis name as a symbol. */
export function axisSize(context: LowerContext, name: string): Size {
  const axis = context.axes.get(name);
  return axis?.constraint === 'exact' ? axis.size! : name;
}

export function declareEncoder(context: LowerContext, scope: Scope, decl: EncoderDecl, components: ComponentOptions[]): void {
  const modality = decl.modality.name;
  if (modality !== 'image' && modality !== 'text') return; // reported by the front end
  if (context.encoders[modality] !== undefined) {
    report(context, 'TIER2112', `Model '${context.model.name.name}' declares a second ${modality} encoder.`, decl.span, [
      { span: context.encoders[modality]!.declared, message: `The first ${modality} encoder is declared here.` },
    ]);
    return;
  }
  const call = decl.value;
  const calleeName = call.kind === 'CallExpr' && call.callee.kind === 'Identifier' ? call.callee.name : call.kind === 'Identifier' ? call.name : undefined;
  const args = call.kind === 'CallExpr' ? call.args : [];
  const info = calleeName === undefined ? undefined : ENCODERS[calleeName];
  const def = calleeName === undefined ? undefined : STDLIB_BLOCKS[calleeName];
  if (info === undefined || def === undefined || info.modality !== modality) {
    const choices = Object.entries(ENCODERS).filter(([, e]) => e.modality === modality).map(([n]) => `'${n}'`).join(' or ');
    report(context, 'TIER2109', `The ${modality} encoder must be ${choices}${calleeName === undefined ? '' : `, not '${calleeName}'`}.`, call.span);
    return;
  }

  const options: Record<string, unknown> = {};
  const spans: Record<string, Span> = {};
  let ok = true;
  for (const arg of args) {
    if (arg.kind !== 'NamedArgument') {
      report(context, 'TIER2103', `Encoder '${def.name}' takes only named options, such as ${def.name}(layers: 12).`, arg.span);
      ok = false;
      continue;
    }
    const value = encoderOption(context, scope, def.name, def.options as Record<string, OptionSpec>, arg);
    if (value === INVALID) {
      ok = false;
      continue;
    }
    options[arg.name.name] = value;
    spans[arg.name.name] = arg.value.span;
  }
  if (!ok) return;

  const inputs = modality === 'image' ? imageInputs(context, def.name, options, spans, decl) : textInputs(context, def.name, options, decl.span);
  if (inputs === undefined) return;
  const checked = resolveOptions(def.name, def.options as never, options);
  if (checked.problems.length > 0) {
    for (const problem of checked.problems) {
        report(context, problemCode(problem.kind), problem.message, spans[problem.option] ?? call.span);
    }
    return;
  }
  let outputs: Record<string, number>;
  try {
    checkLayerCount(def.name, options);
    outputs = context.b.atPath(modality, () => expandBlock(context.b, def, options, inputs), { component: modality, span: decl.span });
  } catch (error) {
    if (error instanceof BlockError) {
      const span = error.option === undefined ? call.span : (spans[error.option] ?? call.span);
      const token = context.axes.get('token');
      const related = error.option === 'max_len' && token !== undefined ? [{ span: token.span, message: "The 'token' axis is declared here." }] : [];
      report(context, error.option === 'freeze' ? 'TIER2106' : error.option === 'max_len' ? 'TIER3013' : 'TIER2105', error.message, span, related);
      return;
    }
    if (error instanceof ShapeError) {
      report(context, 'TIER3014', `Encoder '${def.name}' cannot be built: ${error.message}`, call.span);
      return;
    }
    throw error;
  }

  const resolved = (checked as { options: Record<string, unknown> }).options;
  components.push({
    component: modality,
    block: def.name,
    options: Object.fromEntries(Object.keys(def.options).map((key) => [key, { value: resolved[key], written: key in spans }])),
    span: decl.span,
  });
  const encoder: EncoderValue = { kind: 'encoder', modality, block: def.name, outputs: {}, declared: decl.span };
  for (const [member, port] of Object.entries(info.members(resolved))) {
    const id = outputs[port];
    if (id === undefined) continue;
    const type = context.b.typeOf(id);
    // An image encoder's full token sequence (class token and patches) must not share the name of
    // the text axis 'token', or `text.tokens . image.tokens` would pair unrelated axes.
    const axes = type.axes.map((axis) => (modality === 'image' && axis.name === 'token' ? { name: 'image_token', size: axis.size } : { ...axis }));
    const value: TensorValue = { kind: 'tensor', id, type: { dtype: type.dtype, axes }, label: `${modality}.${member}`, declared: decl.span };
    context.sources.set(id, new Set<Modality>([modality]));
    if (modality === 'image' && (member === 'grid' || member === 'patches')) {
      if (!checkPatchAxis(context, value, decl)) return;
    }
    encoder.outputs[member] = value;
    context.named.push({ name: value.label, kind: 'encoder output', value, span: decl.span });
  }
  context.encoders[modality] = encoder;
}

function encoderOption(context: LowerContext, scope: Scope, block: string, schema: Record<string, OptionSpec>, arg: NamedArgument): unknown {
  const key = arg.name.name;
  const spec = schema[key];
  if (spec === undefined) return undefinedOption(context, block, schema, arg);
  if (key === 'vocab' && arg.value.kind === 'StringLiteral') return vocabularySize(context, block, arg.value);
  return optionValue(context, scope, block, key, spec, arg.value);
}

function undefinedOption(context: LowerContext, block: string, schema: Record<string, OptionSpec>, arg: NamedArgument): typeof INVALID {
  const checked = resolveOptions(block, schema as never, { [arg.name.name]: null });
  const problem = checked.problems.find((p) => p.kind === 'unknown');
  report(context, 'TIER2104', problem?.message ?? `'${block}' has no option '${arg.name.name}'.`, arg.name.span);
  return INVALID;
}

/** `vocab: "vocab.txt"`: the number of lines of a WordPiece vocabulary file next to the spec. */
function vocabularySize(context: LowerContext, block: string, path: Extract<Expr, { kind: 'StringLiteral' }>): number | typeof INVALID {
  const text = context.settings.readRelative?.(path.span.file, path.value);
  if (text === undefined) {
    report(context, 'TIER2105', `Vocabulary file '${path.value}' of '${block}' cannot be read; give the vocabulary size as a number, such as vocab: 30522.`, path.span);
    return INVALID;
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length;
}

function imageInputs(context: LowerContext, block: string, options: Record<string, unknown>, spans: Record<string, Span>, decl: EncoderDecl): Record<string, number> | undefined {
  const fromPreprocess = context.settings.imageSize;
  const written = typeof options['image'] === 'number' ? (options['image'] as number) : undefined;
  if (written !== undefined && fromPreprocess !== undefined && written !== fromPreprocess) {
    report(context, 'TIER3017', `Encoder '${block}' takes ${written}×${written} images, but the preprocess pipeline produces ${fromPreprocess}×${fromPreprocess}.`, spans['image'] ?? decl.span);
    return undefined;
  }
  const size = written ?? fromPreprocess ?? 224;
  if ('image' in (STDLIB_BLOCKS[block]!.options as object)) options['image'] = size;
  const channels = typeof options['channels'] === 'number' ? (options['channels'] as number) : (context.settings.imageChannels ?? 3);
  options['channels'] = channels;
  const batch = axisSize(context, 'batch');
  const id = context.b.input('image', 'image', {
    dtype: 'f32',
    axes: [
      { name: 'batch', size: batch },
      { name: 'channel', size: channels },
      { name: 'height', size },
      { name: 'width', size },
    ],
  }, { span: decl.span });
  return { image: id };
}

function textInputs(context: LowerContext, block: string, options: Record<string, unknown>, span: Span): Record<string, number> {
  const batch = axisSize(context, 'batch');
  const token = axisSize(context, 'token');
  const axes = [
    { name: 'batch', size: batch },
    { name: 'token', size: token },
  ];
  if (typeof token === 'string' && context.b.symbolDecl(token) === undefined) {
    const schema = STDLIB_BLOCKS[block]!.options as Record<string, OptionSpec>;
    const maxLen = typeof options['max_len'] === 'number' ? (options['max_len'] as number) : (schema['max_len']?.default as number | undefined);
    context.b.symbol(token, maxLen, span);
  }
  const inputs: Record<string, number> = { token_ids: context.b.input('token_ids', 'token_ids', { dtype: 'i32', axes }, { span }) };
  if (block === 'bert') inputs['attention_mask'] = context.b.input('attention_mask', 'attention_mask', { dtype: 'f32', axes }, { span });
  if (block === 'clip_text' && (options['pool'] ?? 'eot') === 'eot') {
    inputs['pool_index'] = context.b.input('pool_index', 'pool_index', { dtype: 'i32', axes: [{ name: 'batch', size: batch }] }, { span });
  }
  return inputs;
}

/** The grid of patches must have the size of the declared `patch` axis (49 for resnet50 layer4 at 224). */
function checkPatchAxis(context: LowerContext, value: TensorValue, decl: EncoderDecl): boolean {
  const axis = value.type.axes[1];
  const declared = context.axes.get('patch');
  if (axis === undefined || declared === undefined) return true;
  const fits = declared.constraint === 'exact' ? axis.size === declared.size : declared.constraint === 'max' ? Number(axis.size) <= declared.size! : true;
  if (fits) return true;
  const wanted = declared.constraint === 'exact' ? `${declared.size}` : `at most ${declared.size}`;
  report(
    context,
    'TIER3010',
    `'${value.label}' has shape ${formatAxes(value.type)}: ${axis.size} patches, but axis 'patch' is declared as ${wanted}.`,
    decl.span,
    [{ span: declared.span, message: "Axis 'patch' is declared here." }],
  );
  return false;
}
