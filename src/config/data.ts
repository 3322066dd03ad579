// `data` and `preprocess` blocks, and the image transform pipes they and `train { augment }`
// share. Transform steps become the data loader's `TransformSpec`s, validated with its own
// `validateTransforms` so the compiler and the loader agree on what is valid.
import type { DataDecl, Expr, PreprocessDecl } from '../ast/index.js';
import type { SplitOptions, TransformSpec } from '../data/index.js';
// Imported from its own module: the data index also loads the image decoders, which `tierc check` never uses.
import { validateTransforms } from '../data/transforms.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { callOf, ConfigReader, numberOf, rangeOf, stagesOf, wordAt } from './read.js';
import type { DataConfig, PreprocessConfig } from './types.js';

/** Resolves a path written in a spec against the folder of the spec file. */
export type PathResolver = (written: string) => string;

const TRANSFORMS = ['resize', 'center_crop', 'random_resized_crop', 'random_affine', 'color_jitter', 'to_rgb', 'normalize'] as const;

export function readData(decl: DataDecl, diagnostics: Diagnostic[], resolvePath: PathResolver): DataConfig | undefined {
  const r = new ConfigReader(decl.body, diagnostics, decl.span);
  const before = diagnostics.length;
  const manifest = r.string('manifest');
  if (manifest === undefined && r.setting('manifest') === undefined) r.error(`Data '${decl.name.name}' needs 'manifest: "path/to/file.csv"'.`, decl.name.span, 'TIER2114');
  const format = r.setting('format') === undefined ? undefined : r.word('format', ['csv', 'jsonl'] as const);

  const image = columnAndRoot(r, 'image');
  const text = columnAndRoot(r, 'text');
  if (image === undefined && r.setting('image') === undefined) r.error(`Data '${decl.name.name}' needs 'image: column "…", root "…"'.`, decl.name.span);
  if (text === undefined && r.setting('text') === undefined) r.error(`Data '${decl.name.name}' needs 'text: column "…"'.`, decl.name.span);

  const split = readSplit(r);
  const labels = readLabels(r);
  const masks = readMasks(r);
  const onMissingFile = r.setting('on_missing_file') === undefined ? r.fill('on_missing_file', 'fail' as const) : r.word('on_missing_file', ['fail', 'skip'] as const);
  if (diagnostics.length > before || manifest === undefined || image === undefined || text === undefined || onMissingFile === undefined) return undefined;

  const config: DataConfig = {
    name: decl.name.name,
    manifest: resolvePath(manifest),
    image: { column: image.column, root: resolvePath(image.root ?? '.') },
    text: { column: text.column },
    onMissingFile,
    defaulted: r.defaulted,
    span: decl.span,
  };
  if (image.root === undefined) r.fill('image.root', '.');
  if (format !== undefined) config.format = format;
  if (split !== undefined) config.split = split;
  else r.fill('split', 'train');
  if (labels !== undefined) config.labels = labels;
  if (masks !== undefined) config.masks = masks;
  return config;
}

/** `column "path", root "data/files"` */
function columnAndRoot(r: ConfigReader, key: string): { column: string; root?: string } | undefined {
  const phrases = r.phrases(key);
  if (phrases === undefined) return undefined;
  let column: string | undefined;
  let root: string | undefined;
  for (const phrase of phrases) {
    const word = wordAt(phrase, 0);
    const value = phrase.parts[1];
    if (phrase.parts.length === 2 && value?.kind === 'StringLiteral' && (word === 'column' || (word === 'root' && key === 'image'))) {
      if (word === 'column') column = value.value;
      else root = value.value;
      continue;
    }
    const form = key === 'image' ? 'column "NAME", root "FOLDER"' : 'column "NAME"';
    return r.error(`Setting '${key}' takes ${form}.`, phrase.span);
  }
  if (column === undefined) return r.error(`Setting '${key}' needs the manifest column: column "NAME".`, r.setting(key)!.value.span);
  return root === undefined ? { column } : { column, root };
}

/** `column "split"` or `by column "subject_id" 90/10 seed 1` (also 80/10/10: train, validate, test). */
function readSplit(r: ConfigReader): SplitOptions | undefined {
  const phrases = r.phrases('split');
  if (phrases === undefined) return undefined;
  const phrase = phrases[0]!;
  const parts = phrase.parts;
  const form = 'column "NAME" or by column "NAME" 90/10 seed 1';
  if (phrases.length !== 1) return r.error(`Setting 'split' takes ${form}.`, r.setting('split')!.value.span);
  if (wordAt(phrase, 0) === 'column' && parts.length === 2 && parts[1]!.kind === 'StringLiteral') return { column: parts[1].value };
  if (wordAt(phrase, 0) !== 'by' || wordAt(phrase, 1) !== 'column' || parts[2]?.kind !== 'StringLiteral') return r.error(`Setting 'split' takes ${form}.`, phrase.span);
  const fractions = fractionParts(parts[3]);
  if (fractions === undefined || fractions.length < 2 || fractions.length > 3 || fractions.some((f) => !(f > 0))) {
    return r.error("The split fractions must be two or three positive numbers separated by '/', such as 90/10 or 80/10/10.", parts[3]?.span ?? phrase.span);
  }
  let seed = 0;
  if (parts.length > 4) {
    const value = parts[5] === undefined ? undefined : numberOf(parts[5]);
    if (wordAt(phrase, 4) !== 'seed' || value === undefined || !Number.isInteger(value) || parts.length !== 6) return r.error(`Setting 'split' takes ${form}.`, parts[4]!.span);
    seed = value;
  } else {
    r.fill('split.seed', 0);
  }
  const total = fractions.reduce((a, b) => a + b, 0);
  const names = ['train', 'validate', 'test'];
  return { groupBy: parts[2].value, fractions: Object.fromEntries(fractions.map((f, i) => [names[i]!, f / total])), seed };
}

/** `90/10/...` parses as a chain of divisions; read its operands back. */
function fractionParts(expr: Expr | undefined): number[] | undefined {
  if (expr === undefined) return undefined;
  if (expr.kind === 'NumberLiteral') return [expr.value];
  if (expr.kind === 'BinaryExpr' && expr.op === '/' && expr.right.kind === 'NumberLiteral') {
    const left = fractionParts(expr.left);
    return left === undefined ? undefined : [...left, expr.right.value];
  }
  return undefined;
}

/** `columns ["A", "B"], uncertain: ignore, blank: negative` */
function readLabels(r: ConfigReader): DataConfig['labels'] | undefined {
  const phrases = r.phrases('labels');
  if (phrases === undefined) return undefined;
  const phrase = phrases[0];
  const list = phrase?.parts[1];
  if (phrases.length !== 1 || wordAt(phrase!, 0) !== 'columns' || list?.kind !== 'ListExpr' || !list.elements.every((e) => e.kind === 'StringLiteral')) {
    return r.error('Setting \'labels\' takes columns ["NAME", …].', r.setting('labels')!.value.span);
  }
  const labels: NonNullable<DataConfig['labels']> = { columns: list.elements.map((e) => (e as { value: string }).value) };
  for (const arg of r.namedArguments('labels')) {
    const word = arg.value.kind === 'Identifier' ? arg.value.name : undefined;
    if (arg.name.name === 'uncertain' && (word === 'positive' || word === 'negative' || word === 'ignore')) labels.uncertain = word;
    else if (arg.name.name === 'blank' && (word === 'negative' || word === 'ignore')) labels.blank = word;
    else return r.error("The options of 'labels' are uncertain: positive | negative | ignore and blank: negative | ignore.", arg.span);
  }
  return labels;
}

/** `"Pneumothorax" column "mask_pneumothorax", …`: a mask column per label. */
function readMasks(r: ConfigReader): Record<string, string> | undefined {
  const phrases = r.phrases('masks');
  if (phrases === undefined) return undefined;
  const masks: Record<string, string> = {};
  for (const phrase of phrases) {
    const [label, word, column] = phrase.parts;
    if (phrase.parts.length !== 3 || label?.kind !== 'StringLiteral' || word?.kind !== 'Identifier' || word.name !== 'column' || column?.kind !== 'StringLiteral') {
      return r.error('Setting \'masks\' takes "LABEL" column "NAME", one per label.', phrase.span);
    }
    masks[label.value] = column.value;
  }
  return masks;
}

export function readPreprocess(decl: PreprocessDecl, diagnostics: Diagnostic[], resolvePath: PathResolver): PreprocessConfig | undefined {
  const r = new ConfigReader(decl.body, diagnostics, decl.span);
  const before = diagnostics.length;
  const imageExpr = r.setting('image') === undefined ? undefined : r.expression('image', 'a pipe of image steps such as resize(256) | center_crop(224)');
  const image = imageExpr === undefined ? r.fill('image', [] as TransformSpec[]) : readTransforms(imageExpr, diagnostics);
  const text = readText(r, resolvePath);
  if (diagnostics.length > before || image === undefined || text === undefined) return undefined;
  const checked = validateTransforms(image, 1);
  for (const issue of checked.issues) diagnostics.push(makeDiagnostic('TIER2114', issue.message, imageExpr?.span ?? decl.span));
  if (checked.issues.length > 0) return undefined;
  const shape = checked.shape;
  if (shape !== undefined && shape[1] !== shape[2]) {
    diagnostics.push(makeDiagnostic('TIER2114', `The image pipeline ends at ${shape[1]}×${shape[2]}; the encoders take square images.`, imageExpr?.span ?? decl.span));
    return undefined;
  }
  const imageSize = shape === undefined ? r.fill('image.size', 224) : shape[1];
  const channels = image.some((step) => step.op === 'to_rgb') ? 3 : 1;
  return { name: decl.name?.name, image, imageSize, channels, text, defaulted: r.defaulted, span: decl.span };
}

/** `tokenizer "vocab.txt", max_len: 128, pad: longest` */
function readText(r: ConfigReader, resolvePath: PathResolver): PreprocessConfig['text'] | undefined {
  const text: PreprocessConfig['text'] = { maxLen: 0, padding: 'longest' };
  const phrases = r.phrases('text') ?? [];
  for (const phrase of phrases) {
    const path = phrase.parts[1];
    if (wordAt(phrase, 0) !== 'tokenizer' || phrase.parts.length !== 2 || path?.kind !== 'StringLiteral') {
      return r.error('Setting \'text\' takes tokenizer "vocab.txt", max_len: 128, pad: longest.', phrase.span);
    }
    text.tokenizer = resolvePath(path.value);
  }
  let maxLen: number | undefined;
  let pad: string | undefined;
  for (const arg of r.namedArguments('text')) {
    if (arg.name.name === 'max_len') {
      const value = numberOf(arg.value);
      if (value === undefined || !Number.isInteger(value) || value < 1) return r.error("'max_len' takes a positive whole number.", arg.value.span);
      maxLen = value;
    } else if (arg.name.name === 'pad') {
      pad = arg.value.kind === 'Identifier' ? arg.value.name : undefined;
      if (pad !== 'longest' && pad !== 'max_length') return r.error("'pad' takes longest or max_length.", arg.value.span);
    } else {
      return r.error(`Setting 'text' has no option '${arg.name.name}'.${didYouMean(arg.name.name, ['max_len', 'pad'])}`, arg.name.span);
    }
  }
  text.maxLen = maxLen ?? r.fill('text.max_len', 128);
  text.padding = (pad as 'longest' | 'max_length' | undefined) ?? r.fill('text.pad', 'longest');
  return text;
}

/** Reads `step | step | …` into transform specs; reports the first invalid step. */
export function readTransforms(expr: Expr, diagnostics: Diagnostic[]): TransformSpec[] | undefined {
  const steps: TransformSpec[] = [];
  for (const stage of stagesOf(expr)) {
    const step = readTransform(stage, diagnostics);
    if (step === undefined) return undefined;
    steps.push(step);
  }
  return steps;
}

function readTransform(expr: Expr, diagnostics: Diagnostic[]): TransformSpec | undefined {
  const fail = (message: string): undefined => {
    diagnostics.push(makeDiagnostic('TIER2114', message, expr.span));
    return undefined;
  };
  const call = callOf(expr);
  if (call === undefined) return fail(`An image step must be one of ${TRANSFORMS.join(', ')}.`);
  const allowed: Record<string, string[]> = {
    resize: ['size'],
    center_crop: ['size'],
    random_resized_crop: ['size', 'scale', 'ratio'],
    random_affine: ['degrees', 'translate', 'scale', 'fill'],
    color_jitter: ['brightness', 'contrast'],
    to_rgb: [],
    normalize: ['mean', 'std'],
  };
  const names = allowed[call.name];
  if (names === undefined) return fail(`'${call.name}' is not an image step.${didYouMean(call.name, TRANSFORMS)} The steps are ${TRANSFORMS.join(', ')}.`);
  for (const key of call.named.keys()) {
    if (!names.includes(key)) return fail(`'${call.name}' has no option '${key}'.${didYouMean(key, names)}`);
  }
  const num = (key: string, fallback?: number): number | undefined => {
    const arg = call.named.get(key);
    if (arg === undefined) return fallback;
    return numberOf(arg.value);
  };
  const range = (key: string): [number, number] | undefined => {
    const arg = call.named.get(key);
    if (arg === undefined) return undefined;
    return rangeOf(arg.value) ?? (numberOf(arg.value) === undefined ? undefined : [numberOf(arg.value)!, numberOf(arg.value)!]);
  };
  const size = (): number | [number, number] | undefined => {
    const expr0 = call.positional[0] ?? call.named.get('size')?.value;
    if (expr0 === undefined) return undefined;
    if (expr0.kind === 'ListExpr' && expr0.elements.length === 2) {
      const [h, w] = expr0.elements.map(numberOf);
      return h === undefined || w === undefined ? undefined : [h, w];
    }
    return numberOf(expr0);
  };
  switch (call.name) {
    case 'resize':
    case 'center_crop': {
      const s = size();
      return s === undefined ? fail(`'${call.name}' takes a size: ${call.name}(224) or ${call.name}([height, width]).`) : { op: call.name, size: s };
    }
    case 'random_resized_crop': {
      const s = size();
      if (s === undefined) return fail("'random_resized_crop' takes a size: random_resized_crop(224, ratio: 0.9..1.0).");
      const step: TransformSpec = { op: 'random_resized_crop', size: s };
      const scale = range('scale');
      const ratio = range('ratio');
      if (scale !== undefined) step.scale = scale;
      if (ratio !== undefined) step.ratio = ratio;
      return step;
    }
    case 'random_affine': {
      const degrees = num('degrees') ?? (call.positional[0] === undefined ? undefined : numberOf(call.positional[0]));
      if (degrees === undefined) return fail("'random_affine' takes degrees: random_affine(degrees: 10, translate: 0.05, scale: 0.95..1.05).");
      const step: TransformSpec = { op: 'random_affine', degrees };
      const translate = num('translate');
      const scale = range('scale');
      const fill = num('fill');
      if (translate !== undefined) step.translate = translate;
      if (scale !== undefined) step.scale = scale;
      if (fill !== undefined) step.fill = fill;
      return step;
    }
    case 'color_jitter': {
      const step: TransformSpec = { op: 'color_jitter' };
      const brightness = num('brightness');
      const contrast = num('contrast');
      if (brightness !== undefined) step.brightness = brightness;
      if (contrast !== undefined) step.contrast = contrast;
      return step;
    }
    case 'to_rgb':
      return { op: 'to_rgb' };
    case 'normalize': {
      const stat = (key: string): number[] | 'imagenet' | undefined => {
        const arg = call.named.get(key);
        if (arg === undefined) return undefined;
        if (arg.value.kind === 'Identifier' && arg.value.name === 'imagenet') return 'imagenet';
        if (arg.value.kind === 'ListExpr') {
          const values = arg.value.elements.map(numberOf);
          return values.every((v) => v !== undefined) ? (values as number[]) : undefined;
        }
        const single = numberOf(arg.value);
        return single === undefined ? undefined : [single];
      };
      const mean = stat('mean');
      const std = stat('std');
      if (mean === undefined || std === undefined) return fail("'normalize' takes mean and std: normalize(mean: imagenet, std: imagenet) or lists of numbers.");
      return { op: 'normalize', mean, std };
    }
  }
  return undefined;
}
